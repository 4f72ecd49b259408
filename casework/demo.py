"""The demo case: Netflix v. ByteDance over Seedance 2.0 (shared/context), plus
Warner Bros. and Paramount making the same complaint.

``load_demo()`` is idempotent: every row is found by its natural key first.
"""

import datetime as dt
import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from casework import access, evidence, stages
from casework.choices import (
    Conduct,
    ContentKind,
    ElementKind,
    EventSource,
    PaperSize,
    PlatformKind,
    Role,
    Stage,
    Theory,
)
from casework.hosts import host_of
from casework.models import (
    Evidence,
    Franchise,
    InfringingItem,
    Platform,
    ProtectedElement,
    Respondent,
    RightsHolder,
    SavedFilter,
    StageEvent,
)
from casework.urlnorm import normalize_url

DEMO_PASSWORD = "desist-demo"  # noqa: S105 - set only when DEBUG is on

HOLDERS = [
    {
        "name": "Netflix, Inc.",
        "code": "NFLX",
        "address": "121 Albright Way\nLos Gatos, CA 95032\nUnited States",
        "signatory_name": "Jordan Avery",
        "signatory_title": "Director, Content Protection Legal",
        "signatory_email": "content-protection@netflix.example",
        "contact_phone": "+1 408 555 0100",
        "paper_size": PaperSize.LETTER,
        # Deadlines: US federal holidays, 5:00 p.m. in Los Gatos.
        "country": "US",
        "time_zone": "America/Los_Angeles",
        "users": ["netflix-legal", "netflix-manager", "netflix-viewer"],
        "franchises": {
            "Stranger Things": [
                ("Series finale", ElementKind.EPISODE),
                ("Hawkins characters", ElementKind.CHARACTER),
            ],
            "Squid Game": [
                ("Red Light, Green Light set", ElementKind.SET),
                ("Young-hee doll", ElementKind.PROP),
                ("Unauthorized crossovers", ElementKind.OTHER),
            ],
            "Bridgerton": [
                ("Season 4 depictions", ElementKind.EPISODE),
                ("Lady in Silver gown (Sophie Baek)", ElementKind.COSTUME),
            ],
            "KPop Demon Hunters": [
                ("Visual style", ElementKind.VISUAL_STYLE),
                ("Character designs", ElementKind.CHARACTER),
            ],
        },
    },
    {
        "name": "Warner Bros. Entertainment Inc.",
        "code": "WBEI",
        "address": "4000 Warner Blvd.\nBurbank, CA 91522\nUnited States",
        "signatory_name": "Morgan Lee",
        "signatory_title": "Senior Counsel, Anti-Piracy",
        "signatory_email": "antipiracy@warnerbros.example",
        "paper_size": PaperSize.LETTER,
        "users": ["wb-legal", "wb-manager"],
        "franchises": {
            "Superman": [("Superman costume", ElementKind.COSTUME)],
            "Game of Thrones": [("Iron Throne", ElementKind.PROP)],
        },
    },
    {
        "name": "Paramount Pictures Corporation",
        "code": "PARA",
        "address": "5555 Melrose Avenue\nLos Angeles, CA 90038\nUnited States",
        "signatory_name": "Casey Ortiz",
        "signatory_title": "Vice President, Litigation",
        "signatory_email": "litigation@paramount.example",
        "paper_size": PaperSize.LETTER,
        "users": ["paramount-legal", "paramount-manager"],
        "franchises": {
            "Star Trek": [("USS Enterprise", ElementKind.PROP)],
            "SpongeBob SquarePants": [("Character designs", ElementKind.CHARACTER)],
        },
    },
]

# (name, kind, url, how the letter describes it, its designated agent: name, email, address)
PLATFORMS = [
    (
        "Seedance 2.0",
        PlatformKind.MODEL,
        "https://seed.bytedance.example/seedance",
        "ByteDance's generative video model",
        ("Legal Department, ByteDance Ltd.", "legal@bytedance.example", ""),
    ),
    (
        "TikTok",
        PlatformKind.HOSTING,
        "https://www.tiktok.com",
        "the video-sharing service of ByteDance's TikTok group, where outputs are posted",
        (
            "Copyright Agent, TikTok Inc.",
            "copyright@tiktok.example",
            "5800 Bristol Parkway, Suite 100\nCulver City, CA 90230\nUnited States",
        ),
    ),
    (
        "ClipForge (third-party Seedance access)",
        PlatformKind.APP,
        "https://clipforge.example",
        "an independent app, operated by ClipForge Labs, Inc. (not by ByteDance), that gives "
        "its users access to the Seedance 2.0 model",
        (
            "DMCA Agent, ClipForge Labs, Inc.",
            "dmca@clipforge.example",
            "548 Market Street, Suite 400\nSan Francisco, CA 94104\nUnited States",
        ),
    ),
]

# Registration numbers of the demo works (illustrative, in the Copyright Office's format).
REGISTRATIONS = {
    "Stranger Things": "PA 2-000-101",
    "Squid Game": "PA 2-000-202",
    "Bridgerton": "PA 2-000-303",
    "KPop Demon Hunters": "PA 2-000-404",
}

# (franchise, elements, platform index, path, title, conduct, kind, final stage)
NETFLIX_ITEMS = [
    (
        "Stranger Things",
        ["Series finale"],
        0,
        "share/st-finale-reboot",
        "Stranger Things finale 'reboot' in 4K",
        Conduct.REBOOT,
    ),
    (
        "Stranger Things",
        ["Series finale", "Hawkins characters"],
        1,
        "@aivids/video/7301",
        "Upside Down finale recreated shot for shot",
        Conduct.RECREATION,
    ),
    (
        "Stranger Things",
        ["Hawkins characters"],
        2,
        "gallery/hawkins-kids",
        "Hawkins kids character sheet",
        Conduct.RECREATION,
    ),
    (
        "Stranger Things",
        ["Series finale"],
        1,
        "@seedfan/video/7302",
        "What if the finale ended differently",
        Conduct.REBOOT,
    ),
    (
        "Stranger Things",
        ["Hawkins characters"],
        0,
        "share/st-s6",
        "Stranger Things season 6 trailer (AI)",
        Conduct.REBOOT,
    ),
    (
        "Stranger Things",
        ["Hawkins characters"],
        2,
        "render/st-anime",
        "Stranger Things anime opening",
        Conduct.STYLE,
    ),
    (
        "Stranger Things",
        ["Series finale"],
        1,
        "@clipzone/video/7303",
        "Finale battle extended cut",
        Conduct.REBOOT,
    ),
    (
        "Squid Game",
        ["Red Light, Green Light set"],
        0,
        "share/rlgl-set",
        "Red Light, Green Light full set recreation",
        Conduct.RECREATION,
    ),
    (
        "Squid Game",
        ["Young-hee doll"],
        1,
        "@dollmaker/video/7401",
        "Young-hee doll turns around (AI)",
        Conduct.RECREATION,
    ),
    (
        "Squid Game",
        ["Young-hee doll", "Unauthorized crossovers"],
        1,
        "@mashup/video/7402",
        "Young-hee meets Wednesday crossover",
        Conduct.CROSSOVER,
    ),
    (
        "Squid Game",
        ["Unauthorized crossovers"],
        2,
        "gallery/squid-x-hawkins",
        "Squid Game x Stranger Things crossover",
        Conduct.CROSSOVER,
    ),
    (
        "Squid Game",
        ["Red Light, Green Light set"],
        2,
        "render/rlgl-minecraft",
        "Red Light, Green Light in block style",
        Conduct.STYLE,
    ),
    (
        "Squid Game",
        ["Young-hee doll"],
        0,
        "share/younghee-closeup",
        "Young-hee doll close-up sequence",
        Conduct.RECREATION,
    ),
    (
        "Squid Game",
        ["Red Light, Green Light set"],
        1,
        "@gamesai/video/7403",
        "Squid Game season 4 game one",
        Conduct.REBOOT,
    ),
    (
        "Squid Game",
        ["Unauthorized crossovers"],
        1,
        "@mashup/video/7404",
        "Squid Game players in Bridgerton ballroom",
        Conduct.CROSSOVER,
    ),
    (
        "Bridgerton",
        ["Lady in Silver gown (Sophie Baek)"],
        0,
        "share/lady-in-silver",
        "Sophie Baek's Lady in Silver gown reveal",
        Conduct.RECREATION,
    ),
    (
        "Bridgerton",
        ["Season 4 depictions"],
        1,
        "@regency/video/7501",
        "Bridgerton season 4 masquerade ball",
        Conduct.RECREATION,
    ),
    (
        "Bridgerton",
        ["Season 4 depictions", "Lady in Silver gown (Sophie Baek)"],
        2,
        "gallery/bridgerton-s4",
        "Season 4 stills pack",
        Conduct.RECREATION,
    ),
    (
        "Bridgerton",
        ["Season 4 depictions"],
        1,
        "@regency/video/7502",
        "Bridgerton season 4 alternate ending",
        Conduct.REBOOT,
    ),
    (
        "Bridgerton",
        ["Lady in Silver gown (Sophie Baek)"],
        0,
        "share/silver-gown-runway",
        "Lady in Silver gown on the runway",
        Conduct.RECREATION,
    ),
    (
        "Bridgerton",
        ["Season 4 depictions"],
        2,
        "render/bridgerton-anime",
        "Bridgerton as a 90s anime",
        Conduct.STYLE,
    ),
    (
        "KPop Demon Hunters",
        ["Visual style"],
        0,
        "share/kdh-style",
        "KPop Demon Hunters style music video",
        Conduct.STYLE,
    ),
    (
        "KPop Demon Hunters",
        ["Character designs"],
        1,
        "@kpopai/video/7601",
        "HUNTR/X members dance practice (AI)",
        Conduct.RECREATION,
    ),
    (
        "KPop Demon Hunters",
        ["Visual style", "Character designs"],
        2,
        "gallery/kdh-fanart",
        "Demon hunters character pack",
        Conduct.RECREATION,
    ),
    (
        "KPop Demon Hunters",
        ["Character designs"],
        1,
        "@kpopai/video/7602",
        "Saja Boys comeback stage",
        Conduct.REBOOT,
    ),
    (
        "KPop Demon Hunters",
        ["Visual style"],
        0,
        "share/kdh-sequel",
        "KPop Demon Hunters 2 teaser",
        Conduct.REBOOT,
    ),
    (
        "KPop Demon Hunters",
        ["Character designs"],
        2,
        "render/kdh-x-squid",
        "Demon hunters in the Squid Game arena",
        Conduct.CROSSOVER,
    ),
    (
        "KPop Demon Hunters",
        ["Visual style"],
        1,
        "@kpopai/video/7603",
        "Golden stage performance recreation",
        Conduct.RECREATION,
    ),
]
# Where each demo item ends up, spread over every stage (cycled over the list).
STAGE_PATHS = [
    [],
    [Stage.NOTIFIED],
    [Stage.NOTIFIED, Stage.REMOVED],
    [Stage.NOTIFIED, Stage.REMOVED, Stage.CEASED],
    [Stage.DISMISSED],
    [Stage.NOTIFIED, Stage.REMOVED, Stage.NOTIFIED],  # a relapse
]

OTHER_ITEMS = {
    "WBEI": [
        (
            "Superman",
            ["Superman costume"],
            0,
            "share/superman-flight",
            "Superman flight scene recreation",
            Conduct.RECREATION,
        ),
        (
            "Game of Thrones",
            ["Iron Throne"],
            1,
            "@throneai/video/8101",
            "Iron Throne coronation (AI)",
            Conduct.REBOOT,
        ),
        (
            "Superman",
            ["Superman costume"],
            2,
            "gallery/superman-suit",
            "Superman suit concept pack",
            Conduct.RECREATION,
        ),
    ],
    "PARA": [
        (
            "Star Trek",
            ["USS Enterprise"],
            0,
            "share/enterprise-warp",
            "Enterprise warp jump sequence",
            Conduct.RECREATION,
        ),
        (
            "SpongeBob SquarePants",
            ["Character designs"],
            1,
            "@bikini/video/8201",
            "SpongeBob live-action short",
            Conduct.STYLE,
        ),
    ],
}


def _screenshot(item) -> ContentFile:
    """A small PNG standing in for the capture legal staff would upload."""
    image = Image.new("RGB", (480, 270), (16, 42, 67))
    draw = ImageDraw.Draw(image)
    draw.text((16, 16), "Desist demo capture", fill=(255, 191, 71))
    draw.text((16, 48), item.title[:60], fill=(255, 255, 255))
    draw.text((16, 80), item.url[:70], fill=(217, 226, 236))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=f"capture-{item.pk}.png")


def _url(platform_index: int, path: str) -> str:
    return f"{PLATFORMS[platform_index][2]}/{path}"


def _user(username: str, holder: RightsHolder, role: Role):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@desist.example",
            "first_name": username.split("-")[0].title(),
            "last_name": role.label,
        },
    )
    if created:
        if settings.DEBUG:
            user.set_password(DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save()
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=role.value))
    holder.members.add(user)
    return user


def _role_for(username: str) -> Role:
    if username.endswith("manager"):
        return Role.MANAGER
    if username.endswith("viewer"):
        return Role.VIEWER
    return Role.LEGAL


def _items(holder, rows, platforms, users, today):
    legal = users[0]
    created = []
    for index, (franchise_name, element_names, p_index, path, title, conduct) in enumerate(rows):
        url = _url(p_index, path)
        if InfringingItem.objects.filter(
            rights_holder=holder, normalized_url=normalize_url(url)
        ).exists():
            continue
        franchise = Franchise.objects.get(rights_holder=holder, name=franchise_name)
        logged_at = timezone.now() - dt.timedelta(days=60 - index)
        item = InfringingItem.objects.create(
            rights_holder=holder,
            franchise=franchise,
            platform=platforms[p_index],
            url=url,
            title=title,
            description=f"AI-generated {conduct.label.lower()} of {franchise_name} found on "
            f"{platforms[p_index].name}.",
            content_kind=ContentKind.IMAGE if "gallery" in path else ContentKind.VIDEO,
            conduct=conduct,
            theory=Theory.SECONDARY if p_index == 2 else Theory.DIRECT,
            first_seen=(logged_at - dt.timedelta(days=2)).date(),
            logged_by=legal,
        )
        InfringingItem.objects.filter(pk=item.pk).update(
            created_at=logged_at, stage_changed_at=logged_at
        )
        item.created_at = logged_at
        evidence.store(item, _screenshot(item), by=legal, note="Screen capture when found.")
        item.elements.set(
            ProtectedElement.objects.filter(franchise=franchise, name__in=element_names)
        )
        stages.record_logged(item, by=legal, at=logged_at)
        created.append(item)
    return created


def _walk(item, path, by, start):
    at = start
    for step, target in enumerate(path):
        at += dt.timedelta(days=4)
        reason = {
            Stage.DISMISSED: "Licensed fan content: covered by the creator programme.",
            Stage.REMOVED: "Verified gone: the page answers 404.",
            Stage.CEASED: "No relapse during the quiet period.",
        }.get(target, "Included in a sent demand." if step == 0 else "Found live again.")
        source = {
            Stage.CEASED: EventSource.SWEEP,
            Stage.NOTIFIED: EventSource.DEMAND if step == 0 else EventSource.CHECK,
        }.get(target, EventSource.MANUAL)
        stages.transition(
            item, target, by=by, reason=reason, source=source, at=min(at, timezone.now())
        )


@transaction.atomic
def load_demo() -> dict:
    """Load (or complete) the demo case's casework rows (holders, users, items, events);
    returns counts of what exists afterwards. ``notices.demo.load_demo`` adds demands."""
    access.ensure_groups()
    respondent, _ = Respondent.objects.update_or_create(
        name="ByteDance Ltd.",
        defaults={
            "legal_address": (
                "Clifton House, 75 Fort Street\nGeorge Town, Grand Cayman\nCayman Islands"
            ),
            "agent_name": "Legal Department, ByteDance Ltd.",
            "agent_email": "legal@bytedance.example",
        },
    )
    platforms = [
        Platform.objects.update_or_create(
            name=name,
            defaults={
                "respondent": respondent,
                "kind": kind,
                "url": url,
                # Its items' URLs are on its own host (``_url``): the item form warns otherwise.
                "hosts": host_of(url).removeprefix("www."),
                "description": description,
                "agent_name": agent[0],
                "agent_email": agent[1],
                "agent_address": agent[2],
            },
        )[0]
        for name, kind, url, description, agent in PLATFORMS
    ]
    holders = {}
    for spec in HOLDERS:
        fields = {k: v for k, v in spec.items() if k not in ("name", "users", "franchises")}
        holder, _ = RightsHolder.objects.update_or_create(name=spec["name"], defaults=fields)
        holders[holder.code] = holder
        users = [_user(u, holder, _role_for(u)) for u in spec["users"]]
        for franchise_name, elements in spec["franchises"].items():
            franchise, _ = Franchise.objects.update_or_create(
                rights_holder=holder,
                name=franchise_name,
                defaults={"registration_number": REGISTRATIONS.get(franchise_name, "")},
            )
            for element_name, kind in elements:
                ProtectedElement.objects.get_or_create(
                    franchise=franchise, name=element_name, defaults={"kind": kind}
                )
        rows = NETFLIX_ITEMS if holder.code == "NFLX" else OTHER_ITEMS[holder.code]
        new_items = _items(holder, rows, platforms, users, holder.today())
        for index, item in enumerate(new_items):
            _walk(item, STAGE_PATHS[index % len(STAGE_PATHS)], users[0], item.created_at)
    # A saved filter of the item list, as Netflix's legal staff keep one (its link is
    # what they send a colleague).
    SavedFilter.objects.get_or_create(
        owner=get_user_model().objects.get(username="netflix-legal"),
        name="Dolls not yet in a demand",
        defaults={"rights_holder": holders["NFLX"], "query": "q=doll&stage=identified"},
    )
    admin_user, created = get_user_model().objects.get_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "admin@desist.example"},
    )
    if created:
        admin_user.set_password(
            DEMO_PASSWORD
        ) if settings.DEBUG else admin_user.set_unusable_password()
        admin_user.save()
    return {
        "rights_holders": RightsHolder.objects.count(),
        "items": InfringingItem.objects.count(),
        "events": StageEvent.objects.count(),
        "evidence files": Evidence.objects.count(),
        "users": get_user_model().objects.count(),
    }
