"""Synthetic data at scale for ``make bench`` (``python -m tests.bench.generate_load``).

``generate(items=N, demands=M)`` makes the database hold at least N generated
items and M generated demands, spread like real casework: six rights holders
(the three of the demo case, reused when present, plus three more), their
franchises and protected elements, five respondents with nine platforms, item
stages weighted by age (most identified or notified, fewer removed or ceased,
some dismissed), content kinds, conduct, theory and ``created_at`` over two
years with more recent items than old ones. Every item has its stage history
(StageEvent rows, in order, ending at its stage), one to three protected
elements, and, once notified, the sent demand that notified it.

Writing: every large table is filled with ``COPY`` through the raw psycopg
connection. Items and demands get
explicit ids from a range reserved on the table's sequence first, so the
related rows can be written without reading anything back; the sequences are
set past the highest id afterwards. When the load at least doubles the item
table (and adds 100,000 items or more), the secondary indexes, unique and
foreign-key constraints of the four big tables are dropped for the load and
rebuilt afterwards, in the same transaction (``rebuild``). Everything is one
transaction: a failure leaves nothing behind. ANALYZE (VACUUM ANALYZE outside
a transaction) runs afterwards.

Idempotence: generated rows are marked by their author, the inactive user
``loadgen`` (``logged_by`` of items, ``prepared_by`` of demands). A run counts
what already exists and adds only the difference, so running again with the
same N and M adds nothing, and a larger N or M tops the set up. Item URLs
contain the item id (``https://<platform host>/v/g<id>``), so they are unique
per rights holder for ever and already in the form ``normalize_url`` gives.
New demands cover items of the same run; a run that adds demands but no items
adds them as drafts (draft, in review, approved, withdrawn) over existing
identified items.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from casework import demo
from casework.choices import (
    Conduct,
    ContentKind,
    ElementKind,
    EventSource,
    PlatformKind,
    Stage,
    Theory,
)
from casework.models import (
    Franchise,
    InfringingItem,
    Platform,
    ProtectedElement,
    Respondent,
    RightsHolder,
    StageEvent,
)
from casework.urlnorm import normalize_url
from notices.choices import STANDARD_REMEDIES, Channel, DemandStatus, RemedyStatus
from notices.models import Demand, DemandCounter, Remedy

LOAD_USER = "loadgen"
LOAD_MANAGER = "loadgen-manager"
DAY = 86_400.0
HOUR = 3_600.0
SPAN_DAYS = 730
# A load this large that at least doubles the item table rebuilds its indexes afterwards.
REBUILD_MIN_ITEMS = 100_000


# --- The catalogue -----------------------------------------------------------
# Rights holders by code, with their share of the items. The first three are the
# demo case's (casework.demo.HOLDERS); the others are added for spread.
HOLDER_WEIGHTS = {"NFLX": 40, "WBEI": 18, "PARA": 14, "DIS": 12, "UNIV": 9, "SPE": 7}

EXTRA_HOLDERS = [
    {
        "name": "Disney Enterprises, Inc.",
        "code": "DIS",
        "address": "500 South Buena Vista Street\nBurbank, CA 91521\nUnited States",
        "signatory_name": "Riley Chen",
        "signatory_title": "Counsel, Content Protection",
        "signatory_email": "content-protection@disney.example",
        "franchises": {
            "Frozen": [("Elsa's ice dress", ElementKind.COSTUME), ("Olaf", ElementKind.CHARACTER)],
            "Star Wars": [
                ("Darth Vader helmet", ElementKind.COSTUME),
                ("Millennium Falcon", ElementKind.PROP),
                ("Opening crawl", ElementKind.VISUAL_STYLE),
            ],
            "Toy Story": [("Woody and Buzz designs", ElementKind.CHARACTER)],
            "Avengers": [("Iron Man armour", ElementKind.COSTUME), ("Logo", ElementKind.LOGO)],
        },
    },
    {
        "name": "Universal City Studios LLC",
        "code": "UNIV",
        "address": "100 Universal City Plaza\nUniversal City, CA 91608\nUnited States",
        "signatory_name": "Avery Brooks",
        "signatory_title": "Vice President, Legal Affairs",
        "signatory_email": "legal@universal.example",
        "franchises": {
            "Jurassic Park": [
                ("Velociraptor designs", ElementKind.CHARACTER),
                ("Park gate", ElementKind.SET),
            ],
            "Despicable Me": [("Minions", ElementKind.CHARACTER)],
            "Fast & Furious": [("Dom's Charger", ElementKind.PROP)],
        },
    },
    {
        "name": "Sony Pictures Entertainment Inc.",
        "code": "SPE",
        "address": "10202 West Washington Boulevard\nCulver City, CA 90232\nUnited States",
        "signatory_name": "Sam Patel",
        "signatory_title": "Director, Anti-Piracy",
        "signatory_email": "antipiracy@sonypictures.example",
        "franchises": {
            "Spider-Verse": [
                ("Visual style", ElementKind.VISUAL_STYLE),
                ("Miles Morales suit", ElementKind.COSTUME),
            ],
            "Ghostbusters": [
                ("Proton pack", ElementKind.PROP),
                ("No-ghost logo", ElementKind.LOGO),
            ],
        },
    },
]

# More franchises for the demo holders, so each has several.
EXTRA_FRANCHISES = {
    "NFLX": {
        "Wednesday": [
            ("Wednesday Addams", ElementKind.CHARACTER),
            ("Nevermore Academy", ElementKind.SET),
        ],
        "The Witcher": [("Geralt of Rivia", ElementKind.CHARACTER)],
        "Money Heist": [("Dalí mask and red jumpsuit", ElementKind.COSTUME)],
        "Arcane": [("Visual style", ElementKind.VISUAL_STYLE), ("Jinx", ElementKind.CHARACTER)],
    },
    "WBEI": {
        "Harry Potter": [
            ("Hogwarts castle", ElementKind.SET),
            ("Main theme", ElementKind.MUSIC),
        ],
        "The Matrix": [("Digital rain", ElementKind.VISUAL_STYLE)],
        "Looney Tunes": [("Bugs Bunny", ElementKind.CHARACTER)],
    },
    "PARA": {
        "Top Gun": [("Maverick's flight jacket", ElementKind.COSTUME)],
        "Transformers": [("Optimus Prime design", ElementKind.CHARACTER)],
        "Mission: Impossible": [("Main theme", ElementKind.MUSIC)],
    },
}

# Respondents and their platforms besides the demo's ByteDance (casework.demo.PLATFORMS).
EXTRA_RESPONDENTS = [
    (
        "Vireo Labs Inc.",
        [
            ("Vireo Video 3", PlatformKind.MODEL, "https://vireo.example"),
            ("Vireo API", PlatformKind.API, "https://api.vireo.example"),
        ],
    ),
    (
        "Kestrel AI Ltd.",
        [
            ("Kestrel Studio", PlatformKind.MODEL, "https://studio.kestrel.example"),
            ("Kestrel Share", PlatformKind.HOSTING, "https://share.kestrel.example"),
        ],
    ),
    ("StreamNest Media LLC", [("StreamNest", PlatformKind.HOSTING, "https://streamnest.example")]),
    ("PromptPix GmbH", [("PromptPix", PlatformKind.APP, "https://promptpix.example")]),
]

PLATFORM_WEIGHTS = {
    "Seedance 2.0": 24,
    "TikTok": 20,
    "ClipForge (third-party Seedance access)": 7,
    "Vireo Video 3": 13,
    "Vireo API": 5,
    "Kestrel Studio": 11,
    "Kestrel Share": 8,
    "StreamNest": 8,
    "PromptPix": 4,
}

KIND_WEIGHTS = {
    ContentKind.VIDEO: 55,
    ContentKind.IMAGE: 35,
    ContentKind.AUDIO: 5,
    ContentKind.TEXT: 5,
}
KIND_PATH = {ContentKind.VIDEO: "v", ContentKind.IMAGE: "i", ContentKind.AUDIO: "a"}
CONDUCT_WEIGHTS = {
    Conduct.RECREATION: 35,
    Conduct.REBOOT: 20,
    Conduct.CROSSOVER: 15,
    Conduct.STYLE: 25,
    Conduct.OTHER: 5,
}
PHRASES = {
    Conduct.RECREATION: ["recreated shot for shot", "scene recreation", "remade in 4K"],
    Conduct.REBOOT: ["continuation nobody made", "alternate ending", "new season trailer"],
    Conduct.CROSSOVER: ["crossover mash-up", "meets another universe", "crossover short"],
    Conduct.STYLE: ["in the original style", "style imitation", "look-alike render"],
    Conduct.OTHER: ["compilation", "derivative clip", "fan edit"],
}
SUFFIXES = ["", " (AI)", " — fan cut", " trailer", " short", " compilation", " v2"]
DISMISSALS = [
    "Licensed fan content: covered by the creator programme.",
    "False positive: original work that only resembles ours.",
    "Fair-use assessment: commentary with minimal copying.",
    "Duplicate of another logged item.",
]

# (stage, weight) by item age in days: young items are mostly just identified.
STAGE_WEIGHTS_BY_AGE = [
    (1, {Stage.IDENTIFIED: 1}),
    (7, {Stage.IDENTIFIED: 82, Stage.NOTIFIED: 12, Stage.DISMISSED: 6}),
    (40, {Stage.IDENTIFIED: 45, Stage.NOTIFIED: 38, Stage.REMOVED: 10, Stage.DISMISSED: 7}),
    (
        math.inf,
        {
            Stage.IDENTIFIED: 30,
            Stage.NOTIFIED: 30,
            Stage.REMOVED: 15,
            Stage.CEASED: 17,
            Stage.DISMISSED: 8,
        },
    ),
]
NOTICED = {Stage.NOTIFIED, Stage.REMOVED, Stage.CEASED}

# Sent demands whose deadline has passed end in one of these, with these weights.
LATE_STATUS_WEIGHTS = {
    DemandStatus.COMPLIED: 30,
    DemandStatus.PARTLY_COMPLIED: 20,
    DemandStatus.REFUSED: 12,
    DemandStatus.RESPONDED: 8,
    DemandStatus.SENT: 10,
    DemandStatus.ESCALATED: 8,
    DemandStatus.CLOSED: 12,
}
UNSENT_STATUS_WEIGHTS = {
    DemandStatus.DRAFT: 55,
    DemandStatus.IN_REVIEW: 20,
    DemandStatus.APPROVED: 12,
    DemandStatus.WITHDRAWN: 13,
}
REMEDY_WEIGHTS = {
    DemandStatus.SENT: {RemedyStatus.PENDING: 1},
    DemandStatus.RESPONDED: {
        RemedyStatus.PENDING: 6,
        RemedyStatus.COMPLIED: 3,
        RemedyStatus.PARTLY_COMPLIED: 1,
    },
    DemandStatus.COMPLIED: {RemedyStatus.COMPLIED: 1},
    DemandStatus.PARTLY_COMPLIED: {
        RemedyStatus.COMPLIED: 5,
        RemedyStatus.PARTLY_COMPLIED: 3,
        RemedyStatus.PENDING: 1,
        RemedyStatus.REFUSED: 1,
    },
    DemandStatus.REFUSED: {RemedyStatus.REFUSED: 8, RemedyStatus.PENDING: 2},
    DemandStatus.ESCALATED: {RemedyStatus.REFUSED: 5, RemedyStatus.PENDING: 5},
    DemandStatus.CLOSED: {RemedyStatus.COMPLIED: 8, RemedyStatus.PARTLY_COMPLIED: 2},
}
OVERDUE_STATUSES = {
    DemandStatus.SENT,
    DemandStatus.RESPONDED,
    DemandStatus.PARTLY_COMPLIED,
    DemandStatus.REFUSED,
    DemandStatus.ESCALATED,
}
SENT_SHARE = 0.88  # of new demands, when there are notified items to cover


@dataclass
class Catalogue:
    """The rows every generated item points at, with their weights."""

    user: models.Model
    manager: models.Model
    holders: list[RightsHolder]
    holder_cum: list[float]
    # holder id → [(franchise id, franchise name, [(element id, element name)])]
    franchises: dict[int, list[tuple[int, str, list[tuple[int, str]]]]]
    platforms: list[Platform]
    platform_cum: list[float]
    platform_base: dict[int, str]


@dataclass
class LoadResult:
    """What a run found, what it added, and how long it took."""

    items_before: int
    items_added: int
    demands_before: int
    demands_added: int
    method: str
    rebuilt_indexes: bool
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)


def _cum(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# --- Catalogue -----------------------------------------------------------------


def _load_user(username: str, **extra):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"is_active": False, "first_name": "Load", "last_name": "Generator", **extra},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def ensure_catalogue() -> Catalogue:
    """Create (or find) the holders, franchises, elements, respondents and platforms."""
    specs = []
    for spec in demo.HOLDERS:
        franchises = dict(spec["franchises"])
        franchises.update(EXTRA_FRANCHISES.get(spec["code"], {}))
        specs.append({**spec, "franchises": franchises})
    specs += EXTRA_HOLDERS
    holders, franchises = [], {}
    for spec in specs:
        defaults = {
            k: v for k, v in spec.items() if k not in ("name", "code", "users", "franchises")
        }
        holder = (
            RightsHolder.objects.filter(code=spec["code"]).first()
            or RightsHolder.objects.get_or_create(
                name=spec["name"], defaults={"code": spec["code"], **defaults}
            )[0]
        )
        holders.append(holder)
        rows = []
        for franchise_name, elements in spec["franchises"].items():
            franchise, _ = Franchise.objects.get_or_create(
                rights_holder=holder, name=franchise_name
            )
            for element_name, kind in elements:
                ProtectedElement.objects.get_or_create(
                    franchise=franchise, name=element_name, defaults={"kind": kind}
                )
            element_rows = list(
                ProtectedElement.objects.filter(franchise=franchise)
                .order_by("pk")
                .values_list("pk", "name")
            )
            rows.append((franchise.pk, franchise.name, element_rows))
        franchises[holder.pk] = rows

    bytedance = Respondent.objects.filter(name="ByteDance Ltd.").first()
    respondents = [
        (bytedance.name if bytedance else "ByteDance Ltd.", demo.PLATFORMS),
        *EXTRA_RESPONDENTS,
    ]
    platforms = []
    for respondent_name, platform_specs in respondents:
        respondent, _ = Respondent.objects.get_or_create(
            name=respondent_name, defaults={"agent_name": "Legal Department"}
        )
        for name, kind, url, *_letter_details in platform_specs:
            platform, _ = Platform.objects.get_or_create(
                name=name, defaults={"respondent": respondent, "kind": kind, "url": url}
            )
            platforms.append(platform)
    return Catalogue(
        user=_load_user(LOAD_USER),
        manager=_load_user(LOAD_MANAGER),
        holders=holders,
        holder_cum=_cum(HOLDER_WEIGHTS.get(h.code, 5) for h in holders),
        franchises=franchises,
        platforms=platforms,
        platform_cum=_cum(PLATFORM_WEIGHTS.get(p.name, 5) for p in platforms),
        platform_base={p.pk: _url_base(p) for p in platforms},
    )


def _url_base(platform: Platform) -> str:
    """The platform's URL in normalised form, without a trailing slash."""
    if platform.url:
        return normalize_url(platform.url).rstrip("/")
    slug = "".join(c for c in platform.name.lower() if c.isalnum()) or "platform"
    return f"https://{slug}.example"


def item_url(base: str, item_id: int, kind: str) -> str:
    """A generated item's URL: unique by its id and already normalised."""
    if urlsplit(base).hostname == "www.tiktok.com":
        return f"{base}/@creator{item_id % 4999}/video/{7_300_000_000_000_000 + item_id}"
    return f"{base}/{KIND_PATH.get(kind, 't')}/g{item_id}"


# --- Planning --------------------------------------------------------------------


@dataclass
class ItemPlan:
    """Columns of the items to add (one list per column, index = row)."""

    ids: list[int] = field(default_factory=list)
    holder: list[int] = field(default_factory=list)  # index into catalogue.holders
    franchise: list[int] = field(default_factory=list)  # index into that holder's franchises
    elements: list[tuple[int, ...]] = field(default_factory=list)  # indexes into its elements
    platform: list[int] = field(default_factory=list)  # index into catalogue.platforms
    kind: list[str] = field(default_factory=list)
    conduct: list[str] = field(default_factory=list)
    theory: list[str] = field(default_factory=list)
    stage: list[str] = field(default_factory=list)
    created: list[float] = field(default_factory=list)
    dismissed_from: list[str] = field(default_factory=list)  # "" unless dismissed
    relapse: list[bool] = field(default_factory=list)
    # Filled by the timeline: when each step happened (0 = never), and the demand.
    notified: list[float] = field(default_factory=list)
    removed: list[float] = field(default_factory=list)
    ceased: list[float] = field(default_factory=list)
    dismissed: list[float] = field(default_factory=list)
    relapse_at: list[tuple[float, float]] = field(default_factory=list)
    demand: list[DemandPlan | None] = field(default_factory=list)  # the notifying demand


@dataclass
class DemandPlan:
    """One demand to add: its items (ids), times and status."""

    holder: RightsHolder
    respondent_id: int
    items: list[int]
    created: float
    status: str
    sent: float = 0.0
    approved: float = 0.0
    status_changed: float = 0.0
    deadline: dt.date | None = None
    remedies: list[tuple[str, float]] = field(default_factory=list)  # (status, changed at)
    id: int = 0
    number: int = 0


def _stage_table():
    return [(limit, list(w), _cum(w.values())) for limit, w in STAGE_WEIGHTS_BY_AGE]


def plan_items(cat: Catalogue, start_id: int, count: int, rng: random.Random, now: float):
    plan = ItemPlan()
    if not count:
        return plan
    holder_idx = rng.choices(range(len(cat.holders)), cum_weights=cat.holder_cum, k=count)
    platform_idx = rng.choices(range(len(cat.platforms)), cum_weights=cat.platform_cum, k=count)
    kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=count)
    conducts = rng.choices(list(CONDUCT_WEIGHTS), weights=list(CONDUCT_WEIGHTS.values()), k=count)
    # Franchise popularity within a holder: the first ones (the famous ones) lead.
    franchise_cum = {
        h.pk: _cum(1.0 / (i + 1) ** 0.7 for i in range(len(cat.franchises[h.pk])))
        for h in cat.holders
    }
    stage_table = _stage_table()
    platform_is_model = [p.kind == PlatformKind.MODEL for p in cat.platforms]
    random_ = rng.random
    for n in range(count):
        h = holder_idx[n]
        holder = cat.holders[h]
        f = rng.choices(range(len(franchise_cum[holder.pk])), cum_weights=franchise_cum[holder.pk])[
            0
        ]
        n_elements = len(cat.franchises[holder.pk][f][2])
        want = 1 if random_() < 0.6 else (2 if random_() < 0.75 else 3)
        elements = tuple(sorted(rng.sample(range(n_elements), min(want, n_elements))))
        # More recent items than old ones: the density grows linearly towards today.
        age = SPAN_DAYS * (1.0 - math.sqrt(random_())) * DAY
        created = now - age - random_() * HOUR
        age_days = (now - created) / DAY
        for limit, stages, cum in stage_table:
            if age_days < limit:
                stage = rng.choices(stages, cum_weights=cum)[0]
                break
        dismissed_from = ""
        if stage == Stage.DISMISSED:
            dismissed_from = Stage.NOTIFIED if age_days >= 7 and random_() < 0.3 else "identified"
        p = platform_idx[n]
        theory_direct = 0.85 if platform_is_model[p] else 0.4
        plan.ids.append(start_id + n)
        plan.holder.append(h)
        plan.franchise.append(f)
        plan.elements.append(elements)
        plan.platform.append(p)
        plan.kind.append(kinds[n])
        plan.conduct.append(conducts[n])
        plan.theory.append(Theory.DIRECT if random_() < theory_direct else Theory.SECONDARY)
        plan.stage.append(stage)
        plan.created.append(created)
        plan.dismissed_from.append(dismissed_from)
        plan.relapse.append(stage == Stage.NOTIFIED and age_days >= 60 and random_() < 0.07)
    return plan


def _noticed(plan: ItemPlan, n: int) -> bool:
    return plan.stage[n] in NOTICED or plan.dismissed_from[n] == Stage.NOTIFIED


def _add_business_days(day: dt.date, days: int) -> dt.date:
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _split(total: int, sizes: dict, cap: bool = True) -> dict:
    """``total`` shared out in proportion to ``sizes`` (largest remainder), each ≤ its size."""
    whole = sum(sizes.values())
    if not whole or not total:
        return dict.fromkeys(sizes, 0)
    exact = {k: total * v / whole for k, v in sizes.items()}
    share = {k: int(v) for k, v in exact.items()}
    left = total - sum(share.values())
    for k in sorted(exact, key=lambda k: exact[k] - share[k], reverse=True)[:left]:
        share[k] += 1
    if cap:
        share = {k: min(v, sizes[k]) for k, v in share.items()}
    return share


def plan_demands(
    cat: Catalogue,
    plan: ItemPlan,
    count: int,
    rng: random.Random,
    now: float,
    identified_pool: list[tuple[int, int, int, float]] | None = None,
) -> list[DemandPlan]:
    """Demands for ``count``: sent ones cover this run's notified items, the rest are drafts.

    ``identified_pool`` (item id, holder index, respondent id, created) replaces this
    run's identified items as the drafts' items when the run adds no items.
    """
    respondent_of = [p.respondent_id for p in cat.platforms]
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for n in range(len(plan.ids)):
        if _noticed(plan, n):
            groups[(plan.holder[n], respondent_of[plan.platform[n]])].append(n)
    noticed = sum(len(v) for v in groups.values())
    sent_total = min(noticed, round(count * SENT_SHARE)) if noticed else 0
    demands: list[DemandPlan] = []
    late_statuses, late_cum = list(LATE_STATUS_WEIGHTS), _cum(LATE_STATUS_WEIGHTS.values())
    shares = _split(sent_total, {key: len(v) for key, v in groups.items()})
    for (h, respondent_id), members in sorted(groups.items()):
        k = shares[(h, respondent_id)]
        if not k:
            continue
        members.sort(key=lambda n: plan.created[n])
        cuts = sorted(rng.sample(range(1, len(members)), k - 1)) if k > 1 else []
        for lo, hi in zip([0, *cuts], [*cuts, len(members)], strict=True):
            chunk = members[lo:hi]
            newest = plan.created[chunk[-1]]
            sent = min(newest + rng.uniform(0.5, 4) * DAY, now - 2 * HOUR)
            created = newest + (sent - newest) * rng.uniform(0.1, 0.6)
            deadline = _add_business_days(
                dt.datetime.fromtimestamp(sent, dt.UTC).date(), cat.holders[h].response_days
            )
            if deadline >= today:
                status = DemandStatus.SENT if rng.random() < 0.7 else DemandStatus.RESPONDED
            else:
                status = rng.choices(late_statuses, cum_weights=late_cum)[0]
            changed = (
                sent
                if status == DemandStatus.SENT
                else min(sent + rng.uniform(2, 30) * DAY, now - HOUR)
            )
            remedies = []
            weights = REMEDY_WEIGHTS[status]
            for _ in STANDARD_REMEDIES:
                r_status = rng.choices(list(weights), weights=list(weights.values()))[0]
                r_changed = 0.0 if r_status == RemedyStatus.PENDING else changed
                remedies.append((r_status, r_changed))
            demand = DemandPlan(
                holder=cat.holders[h],
                respondent_id=respondent_id,
                items=[plan.ids[n] for n in chunk],
                created=created,
                status=status,
                sent=sent,
                approved=created + (sent - created) * rng.uniform(0.6, 0.95),
                status_changed=changed,
                deadline=deadline,
                remedies=remedies,
            )
            demands.append(demand)
            for n in chunk:
                plan.demand[n] = demand

    # Drafts (and the like) over identified items not in any demand yet.
    unsent = count - len(demands)
    if unsent > 0:
        pool = identified_pool
        if pool is None:
            pool = [
                (plan.ids[n], plan.holder[n], respondent_of[plan.platform[n]], plan.created[n])
                for n in range(len(plan.ids))
                if plan.stage[n] == Stage.IDENTIFIED
            ]
        by_key: dict[tuple[int, int], list] = defaultdict(list)
        for row in pool:
            by_key[(row[1], row[2])].append(row)
        for rows in by_key.values():
            rng.shuffle(rows)
        statuses, cum = list(UNSENT_STATUS_WEIGHTS), _cum(UNSENT_STATUS_WEIGHTS.values())
        for _ in range(unsent):
            keys = [k for k, v in by_key.items() if v]
            if keys:
                key = rng.choices(keys, weights=[len(by_key[k]) for k in keys])[0]
                rows = [by_key[key].pop() for _ in range(min(rng.randint(1, 25), len(by_key[key])))]
                h, respondent_id = key
            else:  # nothing left to cover: an empty draft
                rows, h = [], rng.randrange(len(cat.holders))
                respondent_id = respondent_of[rng.randrange(len(cat.platforms))]
            newest = max((r[3] for r in rows), default=now - 30 * DAY)
            created = min(max(newest + HOUR, now - rng.uniform(0, 30) * DAY), now - 60)
            status = rng.choices(statuses, cum_weights=cum)[0]
            demands.append(
                DemandPlan(
                    holder=cat.holders[h],
                    respondent_id=respondent_id,
                    items=[r[0] for r in rows],
                    created=created,
                    status=status,
                    approved=created + (now - created) * 0.5
                    if status == DemandStatus.APPROVED
                    else 0.0,
                    status_changed=created + (now - created) * rng.uniform(0, 0.9),
                    remedies=[(RemedyStatus.PENDING, 0.0)] * len(STANDARD_REMEDIES),
                )
            )
    return demands


def plan_timeline(plan: ItemPlan, demands: list[DemandPlan], rng: random.Random, now: float):
    """When each item was notified, removed, ceased or dismissed; young items move back.

    An item whose next step would lie in the future stays at the step before
    (a "ceased" item needs its quiet period behind it).
    """
    latest = now - HOUR
    uniform = rng.uniform
    for n in range(len(plan.ids)):
        stage, created = plan.stage[n], plan.created[n]
        notified = removed = ceased = dismissed = 0.0
        relapse = (0.0, 0.0)
        if _noticed(plan, n):
            d = plan.demand[n]
            if d is not None:
                notified = d.sent
            else:
                notified = min(created + uniform(1, 14) * DAY, now - 2 * HOUR)
            if stage == Stage.REMOVED:
                removed = notified + uniform(1, 40) * DAY
                if removed > latest:
                    stage, removed = Stage.NOTIFIED, 0.0
            elif stage == Stage.CEASED:
                removed = notified + uniform(1, 30) * DAY
                ceased = removed + uniform(30, 50) * DAY
                if ceased > latest:
                    stage, ceased = Stage.REMOVED, 0.0
                    if removed > latest:
                        stage, removed = Stage.NOTIFIED, 0.0
            elif stage == Stage.DISMISSED:
                dismissed = min(notified + uniform(1, 30) * DAY, latest)
            if stage == Stage.NOTIFIED and plan.relapse[n]:
                gone = notified + uniform(3, 30) * DAY
                back = gone + uniform(5, 60) * DAY
                if back < latest:
                    relapse = (gone, back)
                else:
                    plan.relapse[n] = False
        elif stage == Stage.DISMISSED:
            dismissed = min(created + uniform(0.5, 20) * DAY, latest)
        plan.stage[n] = stage
        plan.notified.append(notified)
        plan.removed.append(removed)
        plan.ceased.append(ceased)
        plan.dismissed.append(dismissed)
        plan.relapse_at.append(relapse)


# --- Writing -------------------------------------------------------------------


def _ts(value: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _fill_value(model, f):
    """The value of a column the generator does not set (a field added later, say)."""
    if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
        return timezone.now()
    value = f.get_default()
    if value is None and not f.null:
        raise ImproperlyConfigured(
            f"generate_load does not know what to put in {model._meta.label}.{f.name}: "
            "give the field a default or teach tests.bench.loadgen about it."
        )
    return value


class Writer:
    """Writes rows of one model with COPY.

    ``columns`` are attribute names (``rights_holder_id``); every other concrete
    field except an unnamed primary key gets its default.
    """

    def __init__(self):
        self.counts: dict[str, int] = defaultdict(int)

    def write(self, model, columns: list[str], rows: Iterable[tuple]) -> int:
        # Generated columns (the items' search vector) are the database's to fill.
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.generated}
        missing = [
            f
            for name, f in fields.items()
            if name not in columns and not (f.primary_key and "id" not in columns)
        ]
        fill = tuple(_fill_value(model, f) for f in missing)
        names = columns + [f.attname for f in missing]
        count = self._copy(model, fields, names, rows, fill)
        self.counts[model._meta.db_table] += count
        return count

    def _copy(self, model, fields, names, rows, fill) -> int:
        from psycopg import sql
        from psycopg.types.json import Jsonb

        fill = tuple(
            Jsonb(v) if isinstance(fields[name], models.JSONField) else v
            for name, v in zip(names[len(names) - len(fill) :], fill, strict=True)
        )
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table),
            sql.SQL(", ").join(sql.Identifier(fields[n].column) for n in names),
        )
        count = 0
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            write_row = copy.write_row
            if fill:
                for row in rows:
                    write_row(row + fill)
                    count += 1
            else:
                for row in rows:
                    write_row(row)
                    count += 1
        return count


def _reserve_ids(model, count: int) -> int:
    """First id of a range of ``count`` ids nobody else will be given; returns the start."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        last_value, is_called = cursor.fetchone()
        start = max(model.objects.aggregate(m=Max("pk"))["m"] or 0, last_value - (not is_called))
        start += 1
        if count:
            cursor.execute("SELECT setval(%s, %s)", [sequence, start + count - 1])
        return start


def reset_sequences(tables: Iterable[str]) -> None:
    """Set each table's id sequence past its highest id."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            if not sequence:
                continue
            cursor.execute(
                f"SELECT setval(%s, GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "  # noqa: S608
                f"(SELECT last_value FROM {sequence}), 1))",
                [sequence],
            )


def _secondary_ddl(cursor, table: str) -> tuple[list[str], list[str]]:
    """(statements that drop, statements that recreate) the table's secondary indexes,
    unique and foreign-key constraints (PostgreSQL). The primary key stays."""
    drop, create_indexes, create_unique, create_fks = [], [], [], []
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
        [table],
    )
    for name, kind, definition in cursor.fetchall():
        drop.append(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        target = create_fks if kind == "f" else create_unique
        target.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
        "  AND k.conrelid = i.indrelid) ORDER BY c.relname",
        [table],
    )
    for name, definition in cursor.fetchall():
        drop.append(f'DROP INDEX "{name}"')
        create_indexes.append(definition)
    return drop, create_indexes + create_unique + create_fks


@contextmanager
def _indexes_rebuilt(tables: list[str], enabled: bool, log):
    """Drop the tables' secondary indexes and constraints, and rebuild them on exit."""
    if not enabled:
        yield
        return
    recreate = []
    with connection.cursor() as cursor:
        # Foreign keys are DEFERRABLE INITIALLY DEFERRED: rows written earlier in this
        # transaction (the catalogue) leave trigger events pending, and PostgreSQL
        # refuses to alter a table that has some. Check them now, and during the load.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for table in tables:
            drop, create = _secondary_ddl(cursor, table)
            for statement in drop:
                cursor.execute(statement)
            recreate += create
    yield
    started = time.monotonic()
    with connection.cursor() as cursor:
        for statement in recreate:
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    log(f"  rebuilt {len(recreate)} indexes and constraints in {time.monotonic() - started:.1f}s")


# --- Rows ------------------------------------------------------------------------

ITEM_COLUMNS = [
    "id",
    "rights_holder_id",
    "franchise_id",
    "platform_id",
    "url",
    "normalized_url",
    "title",
    "description",
    "content_kind",
    "conduct",
    "theory",
    "stage",
    "stage_changed_at",
    "dismissal_reason",
    "relapse_count",
    "first_seen",
    "logged_by_id",
    "created_at",
    "updated_at",
    "gone_streak",
    "last_checked_at",
]


def item_rows(cat: Catalogue, plan: ItemPlan, rng: random.Random):
    kind_labels = dict(ContentKind.choices)
    for n, item_id in enumerate(plan.ids):
        holder = cat.holders[plan.holder[n]]
        f_id, f_name, elements = cat.franchises[holder.pk][plan.franchise[n]]
        element = elements[plan.elements[n][0]][1]
        platform = cat.platforms[plan.platform[n]]
        kind, conduct, stage = plan.kind[n], plan.conduct[n], plan.stage[n]
        phrases = PHRASES[conduct]
        phrase = phrases[item_id % len(phrases)]
        url = item_url(cat.platform_base[platform.pk], item_id, kind)
        created = plan.created[n]
        changed = max(
            created,
            plan.notified[n],
            plan.removed[n],
            plan.ceased[n],
            plan.dismissed[n],
            plan.relapse_at[n][1],
        )
        checked = None
        if stage in (Stage.REMOVED, Stage.CEASED):
            checked = _ts(max(plan.removed[n], plan.ceased[n]))
        elif stage == Stage.NOTIFIED and plan.relapse[n]:
            checked = _ts(plan.relapse_at[n][1])
        yield (
            item_id,
            holder.pk,
            f_id,
            platform.pk,
            url,
            url,
            f"{f_name}: {element} {phrase}{SUFFIXES[item_id % len(SUFFIXES)]}",
            f"AI-generated {kind_labels[kind].lower()} on {platform.name}: {phrase} of "
            f"{element} from {f_name}.",
            kind,
            conduct,
            plan.theory[n],
            stage,
            _ts(changed),
            DISMISSALS[item_id % len(DISMISSALS)] if stage == Stage.DISMISSED else "",
            1 if plan.relapse[n] else 0,
            (_ts(created) - dt.timedelta(days=rng.randint(0, 5))).date(),
            cat.user.pk,
            _ts(created),
            _ts(changed),
            cat.holders[plan.holder[n]].gone_after_checks if stage == Stage.REMOVED else 0,
            checked,
        )


def element_rows(cat: Catalogue, plan: ItemPlan):
    for n, item_id in enumerate(plan.ids):
        holder = cat.holders[plan.holder[n]]
        elements = cat.franchises[holder.pk][plan.franchise[n]][2]
        for e in plan.elements[n]:
            yield (item_id, elements[e][0])


EVENT_COLUMNS = [
    "item_id",
    "from_stage",
    "to_stage",
    "at",
    "by_id",
    "reason",
    "source",
    "demand_id",
]


def event_rows(cat: Catalogue, plan: ItemPlan):
    user = cat.user.pk
    for n, item_id in enumerate(plan.ids):
        yield (item_id, "", Stage.IDENTIFIED, _ts(plan.created[n]), user, "", "manual", None)
        current = Stage.IDENTIFIED
        if plan.notified[n]:
            d = plan.demand[n]
            yield (
                item_id,
                current,
                Stage.NOTIFIED,
                _ts(plan.notified[n]),
                user,
                "Included in a sent demand." if d else "Reported to the platform.",
                EventSource.DEMAND if d else EventSource.MANUAL,
                d.id if d else None,
            )
            current = Stage.NOTIFIED
        gone, back = plan.relapse_at[n]
        if gone:
            yield (
                item_id,
                current,
                Stage.REMOVED,
                _ts(gone),
                None,
                "Verified gone: the page answers 404.",
                EventSource.CHECK,
                None,
            )
            yield (
                item_id,
                Stage.REMOVED,
                Stage.NOTIFIED,
                _ts(back),
                None,
                "Found live again.",
                EventSource.CHECK,
                None,
            )
        if plan.removed[n]:
            by_check = item_id % 10 < 7
            yield (
                item_id,
                current,
                Stage.REMOVED,
                _ts(plan.removed[n]),
                None if by_check else user,
                "Verified gone: the page answers 404." if by_check else "Removed: see evidence.",
                EventSource.CHECK if by_check else EventSource.MANUAL,
                None,
            )
            current = Stage.REMOVED
        if plan.ceased[n]:
            yield (
                item_id,
                current,
                Stage.CEASED,
                _ts(plan.ceased[n]),
                None,
                "No relapse during the quiet period.",
                EventSource.SWEEP,
                None,
            )
        if plan.dismissed[n]:
            yield (
                item_id,
                current,
                Stage.DISMISSED,
                _ts(plan.dismissed[n]),
                user,
                DISMISSALS[item_id % len(DISMISSALS)],
                EventSource.MANUAL,
                None,
            )


DEMAND_COLUMNS = [
    "id",
    "rights_holder_id",
    "respondent_id",
    "reference",
    "year",
    "number",
    "status",
    "response_days",
    "deadline",
    "sent_on",
    "sent_at",
    "sent_channel",
    "prepared_by_id",
    "approved_by_id",
    "approved_at",
    "overdue",
    "status_changed_at",
    "created_at",
    "updated_at",
]


def demand_rows(cat: Catalogue, demands: list[DemandPlan], today: dt.date):
    for d in demands:
        pending = any(s == RemedyStatus.PENDING for s, _ in d.remedies)
        yield (
            d.id,
            d.holder.pk,
            d.respondent_id,
            f"{d.holder.code}-{_ts(d.created).year}-{d.number:04d}",
            _ts(d.created).year,
            d.number,
            d.status,
            d.holder.response_days,
            d.deadline,
            dt.datetime.fromtimestamp(d.sent, dt.UTC).date() if d.sent else None,
            _ts(d.sent) if d.sent else None,
            Channel.EMAIL if d.sent else "",
            cat.user.pk,
            cat.manager.pk if d.approved else None,
            _ts(d.approved) if d.approved else None,
            bool(d.deadline and d.deadline < today and pending and d.status in OVERDUE_STATUSES),
            _ts(d.status_changed),
            _ts(d.created),
            _ts(max(d.status_changed, d.created)),
        )


def remedy_rows(demands: list[DemandPlan]):
    for d in demands:
        for position, ((kind, text), (status, changed)) in enumerate(
            zip(STANDARD_REMEDIES, d.remedies, strict=True), start=1
        ):
            yield (d.id, position, kind, text, status, _ts(changed) if changed else None)


def _number_demands(demands: list[DemandPlan], start_id: int) -> None:
    """Ids in creation order, and numbers after the last one used per holder and year."""
    demands.sort(key=lambda d: d.created)
    last: dict[tuple[int, int], int] = {}
    for row in Demand.objects.values("rights_holder_id", "year").annotate(m=Max("number")):
        last[(row["rights_holder_id"], row["year"])] = row["m"]
    for row in DemandCounter.objects.values("rights_holder_id", "year", "last_number"):
        key = (row["rights_holder_id"], row["year"])
        last[key] = max(last.get(key, 0), row["last_number"])
    for offset, d in enumerate(demands):
        d.id = start_id + offset
        key = (d.holder.pk, _ts(d.created).year)
        last[key] = d.number = last.get(key, 0) + 1
    for (holder_id, year), number in last.items():
        counter, _ = DemandCounter.objects.get_or_create(rights_holder_id=holder_id, year=year)
        if counter.last_number < number:
            DemandCounter.objects.filter(pk=counter.pk).update(last_number=number)


def _identified_pool(cat: Catalogue) -> list[tuple[int, int, int, float]]:
    """Generated identified items in no demand yet, for a demands-only run."""
    holder_index = {h.pk: i for i, h in enumerate(cat.holders)}
    rows = (
        InfringingItem.objects.filter(
            logged_by=cat.user, stage=Stage.IDENTIFIED, demands__isnull=True
        )
        .order_by("-created_at")
        .values_list("pk", "rights_holder_id", "platform__respondent_id", "created_at")[:200_000]
    )
    return [
        (pk, holder_index[h], r, created.timestamp())
        for pk, h, r, created in rows
        if h in holder_index
    ]


# --- Entry point -------------------------------------------------------------------


def generated_counts() -> tuple[int, int]:
    """(generated items, generated demands) already in the database."""
    user = get_user_model().objects.filter(username=LOAD_USER).first()
    if user is None:
        return 0, 0
    return (
        InfringingItem.objects.filter(logged_by=user).count(),
        Demand.objects.filter(prepared_by=user).count(),
    )


BIG_TABLES = [
    InfringingItem._meta.db_table,
    InfringingItem.elements.through._meta.db_table,
    StageEvent._meta.db_table,
    Demand.items.through._meta.db_table,
]


def generate(
    items: int,
    demands: int,
    *,
    seed: int = 1,
    rebuild: bool | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> LoadResult:
    """Make the database hold at least ``items`` generated items and ``demands`` demands.

    ``rebuild`` (drop and rebuild the big tables' indexes) defaults to "when the load
    is large and at least doubles the items".
    """
    started = time.monotonic()
    items_before, demands_before = generated_counts()
    add_items = max(0, items - items_before)
    add_demands = max(0, demands - demands_before)
    method = "COPY"
    if rebuild is None:
        rebuild = add_items >= REBUILD_MIN_ITEMS and add_items >= items_before
    rebuild = bool(rebuild and add_items)
    result = LoadResult(items_before, add_items, demands_before, add_demands, method, rebuild, 0.0)
    if not add_items and not add_demands:
        log(f"Already loaded: {items_before} items, {demands_before} demands; nothing to add.")
        result.seconds = time.monotonic() - started
        return result

    rng = random.Random(f"{seed}:{items_before}:{demands_before}")
    now = time.time()
    writer = Writer()
    with transaction.atomic():
        cat = ensure_catalogue()
        step = time.monotonic()
        item_start = _reserve_ids(InfringingItem, add_items)
        plan = plan_items(cat, item_start, add_items, rng, now)
        plan.demand = [None] * len(plan.ids)
        pool = None if add_items else _identified_pool(cat)
        demand_plans = plan_demands(cat, plan, add_demands, rng, now, pool)
        plan_timeline(plan, demand_plans, rng, now)
        _number_demands(demand_plans, _reserve_ids(Demand, len(demand_plans)))
        log(
            f"  planned {add_items} items and {len(demand_plans)} demands "
            f"in {time.monotonic() - step:.1f}s"
        )

        with _indexes_rebuilt(BIG_TABLES, rebuild, log):
            step = time.monotonic()
            writer.write(InfringingItem, ITEM_COLUMNS, item_rows(cat, plan, rng))
            writer.write(
                InfringingItem.elements.through,
                ["infringingitem_id", "protectedelement_id"],
                element_rows(cat, plan),
            )
            log(f"  wrote items and their elements in {time.monotonic() - step:.1f}s")
            step = time.monotonic()
            today = dt.datetime.fromtimestamp(now, dt.UTC).date()
            writer.write(Demand, DEMAND_COLUMNS, demand_rows(cat, demand_plans, today))
            writer.write(
                Demand.items.through,
                ["demand_id", "infringingitem_id"],
                ((d.id, item_id) for d in demand_plans for item_id in d.items),
            )
            writer.write(
                Remedy,
                ["demand_id", "position", "kind", "text", "status", "status_changed_at"],
                remedy_rows(demand_plans),
            )
            # StageEvent.demand is a generic link: the demand's content type goes with its id.
            demand_type = ContentType.objects.get_for_model(Demand).pk
            writer.write(
                StageEvent,
                [*EVENT_COLUMNS, "demand_type_id"],
                ((*row, demand_type if row[-1] else None) for row in event_rows(cat, plan)),
            )
            log(f"  wrote demands, remedies and events in {time.monotonic() - step:.1f}s")
        reset_sequences(
            [InfringingItem._meta.db_table, Demand._meta.db_table, *writer.counts.keys()]
        )
    analyze(writer.counts.keys())
    result.rows = dict(writer.counts)
    result.seconds = time.monotonic() - started
    return result


def analyze(tables: Iterable[str]) -> None:
    """Fresh planner statistics (and a visibility map, outside a transaction)."""
    tables = list(tables)
    with connection.cursor() as cursor:
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        for table in tables:
            cursor.execute(f'{verb} "{table}"')


# --- Command line ------------------------------------------------------------------


def run(argv: list[str] | None = None, write: Callable[[str], None] = print) -> LoadResult:
    """``python -m tests.bench.generate_load --items N [--demands M]`` (Django set up)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.generate_load",
        description="Generate N infringing items and M demands (with elements, stage events "
        "and remedies) spread like real casework, by COPY. Idempotent: counts what a "
        "previous run made and adds only the difference.",
    )
    parser.add_argument("--items", type=int, required=True, help="Generated items wanted.")
    parser.add_argument("--demands", type=int, default=0, help="Generated demands wanted.")
    parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
    parser.add_argument(
        "--rebuild-indexes",
        choices=["auto", "always", "never"],
        default="auto",
        help="Drop the big tables' secondary indexes and constraints during the load and "
        "rebuild them after (auto: when the load is large and at least doubles the items).",
    )
    args = parser.parse_args(argv)
    if args.items < 0 or args.demands < 0:
        parser.error("--items and --demands must not be negative.")
    result = generate(
        args.items,
        args.demands,
        seed=args.seed,
        rebuild={"auto": None, "always": True, "never": False}[args.rebuild_indexes],
        log=write,
    )
    if result.items_added or result.demands_added:
        rows = ", ".join(f"{table} {count:,}" for table, count in result.rows.items())
        write(
            f"Added {result.items_added:,} items and {result.demands_added:,} demands "
            f"by {result.method} in {result.seconds:.1f}s "
            f"(indexes rebuilt: {'yes' if result.rebuilt_indexes else 'no'}). Rows: {rows}."
        )
    total_items, total_demands = generated_counts()
    write(f"Generated data now: {total_items:,} items, {total_demands:,} demands.")
    return result
