"""Respondent and platform scorecards: every figure equals the same figure computed here
with plain Python over the rows (relapses from the stage events, not the stored count);
another holder's rows are never counted; the query count does not grow with the data;
each figure's link opens a list of exactly that many rows; every role reads them."""

import random
import re
import statistics
from collections import Counter, defaultdict

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import variants
from casework.choices import Role, Stage
from casework.models import InfringingItem, Platform, Respondent, StageEvent
from dashboards import scorecards
from dashboards.scorecards import PLATFORM, RESPONDENT
from notices.choices import RemedyStatus
from notices.models import Demand
from notices.workflow import AFTER_SENDING
from tests.dashboards.test_dashboard import NOW, TODAY, build, build_more
from tests.factories import ItemFactory, PlatformFactory, RespondentFactory, UserFactory

KINDS = {"respondent": RESPONDENT, "platform": PLATFORM}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def group_pairs(holder, seed):
    """Variant groups of two items each (casework.variants), some logged after the other
    copy's removal: the same content back under a new URL."""
    rng = random.Random(seed)
    items = list(InfringingItem.objects.filter(rights_holder=holder).order_by("pk"))
    removed = [i for i in items if i.first_removed_at]
    pairs = set()
    for first in rng.sample(removed, k=min(4, len(removed))):
        later = [i for i in items if i.created_at > first.first_removed_at and i != first]
        if later:
            pairs.add((first.pk, rng.choice(later).pk))
    free = [i.pk for i in items if not any(i.pk in p for p in pairs)]
    pairs |= {(a, b) for a, b in zip(free[0:6:2], free[1:6:2], strict=False)}
    variants.apply_pairs(holder.pk, pairs)


@pytest.fixture
def small(netflix):
    return build(netflix, 8, 4, seed=7)


@pytest.fixture
def data(netflix, warner, manager):
    nf = build(netflix, 30, 12, seed=1)
    wb = build(warner, 12, 5, seed=2)
    group_pairs(netflix, seed=3)
    group_pairs(warner, seed=4)
    return {"nf": nf, "wb": wb}


# --- The reference: plain Python over all rows ------------------------------------------------


class Reference:
    """The scorecards' figures from every row, filtered and grouped in Python."""

    def __init__(self, user, kind):
        holders = set(user.rights_holders.values_list("pk", flat=True))
        self.kind = kind
        self.items = [
            i
            for i in InfringingItem.objects.select_related("platform").order_by("pk")
            if i.rights_holder_id in holders
        ]
        self.events = defaultdict(list)
        for event in StageEvent.objects.order_by("at", "pk"):
            self.events[event.item_id].append(event)
        self.demands = [
            d
            for d in Demand.objects.prefetch_related("items__platform", "remedies")
            if d.rights_holder_id in holders
        ]

    def item_key(self, item):
        return item.platform_id if self.kind == "platform" else item.platform.respondent_id

    def demand_keys(self, demand):
        if self.kind == "platform":
            return {i.platform_id for i in demand.items.all()}
        return {demand.respondent_id}

    def first(self, item, stage):
        return next((e.at for e in self.events[item.pk] if e.to_stage == stage), None)

    def figures(self) -> dict:
        result = defaultdict(
            lambda: {
                "stages": Counter(),
                "identified": [],
                "notified": [],
                "relapses": 0,
                "relapsed_urls": 0,
                "returned": set(),
                "demands": Counter(),
                "overdue": 0,
                "remedies": Counter(),
            }
        )
        groups = defaultdict(list)
        for item in self.items:
            card = result[self.item_key(item)]
            card["stages"][item.stage] += 1
            removed, notified = self.first(item, Stage.REMOVED), self.first(item, Stage.NOTIFIED)
            if removed:
                card["identified"].append((removed - item.created_at).total_seconds() / 86400)
                if notified:
                    card["notified"].append((removed - notified).total_seconds() / 86400)
            back = sum(
                1
                for e in self.events[item.pk]
                if e.from_stage in (Stage.REMOVED, Stage.CEASED) and e.to_stage == Stage.NOTIFIED
            )
            card["relapses"] += back
            card["relapsed_urls"] += bool(back)
            if item.variant_group_id:
                groups[item.variant_group_id].append(item)
        for group, members in groups.items():
            removals = [self.first(i, Stage.REMOVED) for i in members]
            for item in members:
                if any(r and r < item.created_at for r in removals):
                    result[self.item_key(item)]["returned"].add(group)
        for demand in self.demands:
            pending = any(r.status == RemedyStatus.PENDING for r in demand.remedies.all())
            late = demand.status in AFTER_SENDING and demand.deadline and demand.deadline < TODAY
            for key in self.demand_keys(demand):
                card = result[key]
                card["demands"][demand.status] += 1
                card["overdue"] += bool(late and pending)
                if demand.status in AFTER_SENDING:
                    for remedy in demand.remedies.all():
                        card["remedies"][(remedy.kind, remedy.status)] += 1
        return dict(result)


def assert_matches(figures, expected):
    stages = expected["stages"]
    assert figures.stages == {s: stages[s] for s in figures.stages}
    assert figures.total == sum(stages.values())
    reached = stages["notified"] + stages["removed"] + stages["ceased"]
    rate = round(100 * (stages["removed"] + stages["ceased"]) / reached, 1) if reached else None
    assert figures.removal_rate == rate
    for name in ("identified", "notified"):
        values = expected[name]
        median = statistics.median(values) if values else None
        assert getattr(figures, f"median_{name}") == pytest.approx(median, abs=1e-6), name
    assert figures.removed_ever == len(expected["identified"])
    assert figures.relapses == expected["relapses"]
    assert figures.relapsed_urls == expected["relapsed_urls"]
    assert figures.returned_groups == len(expected["returned"])
    if not figures.counted:  # the index of platforms: demand figures on their cards only
        assert figures.demands is None and not figures.remedies
        return
    assert {s: n for s, n in figures.demand_statuses.items() if n} == dict(expected["demands"])
    assert figures.overdue == expected["overdue"]
    got = Counter()
    for row in figures.remedy_rows():
        for cell in row["cells"]:
            if cell["count"]:
                got[(row["kind"], cell["status"])] = cell["count"]
    assert got == expected["remedies"]


# --- Every figure equals its independent computation ----------------------------------------


@pytest.mark.django_db
def test_every_figure_matches_plain_python_and_no_other_holders(data, manager, warner, app):
    wb_manager = UserFactory(username="wb-manager", role=Role.MANAGER, holders=[warner])
    for user in (manager, wb_manager):
        for kind in KINDS:
            expected = Reference(user, kind).figures()
            rows = scorecards.index(user, KINDS[kind])
            assert {f.obj.pk for f in rows} == set(expected)
            for figures in rows:
                assert_matches(figures, expected[figures.obj.pk])
                card = scorecards.card(user, KINDS[kind], figures.obj.pk)
                assert_matches(card["figures"], expected[figures.obj.pk])
                assert len(card["relapsed_items"]) == min(figures.relapsed_urls, 10)
                assert len(card["returned_groups"]) == figures.returned_groups
            # The data is rich enough for every comparison to mean something.
            assert sum(f.relapses for f in rows) >= sum(f.relapsed_urls for f in rows) > 0
            assert sum(f.returned_groups for f in rows) > 0
            cards = [scorecards.card(user, KINDS[kind], f.obj.pk)["figures"] for f in rows]
            assert sum(f.overdue for f in cards) > 0
    # The same respondents for both holders: each sees their own figures only.
    shared = Respondent.objects.get(name="Respondent A")
    nf = scorecards.card(manager, RESPONDENT, shared.pk)["figures"]
    wb = scorecards.card(wb_manager, RESPONDENT, shared.pk)["figures"]
    everyone = InfringingItem.objects.filter(platform__respondent=shared).count()
    assert nf.total + wb.total == everyone and nf.total and wb.total
    html = app.get(reverse("scorecards:respondent", args=[shared.pk]), user=manager).text
    assert "WBEI" not in html and warner.name not in html
    # Sortable by every figure, either way; a missing figure (no median) last.
    for column, value in scorecards.SORTS.items():
        for order in (column, f"-{column}"):
            rows = scorecards.index(manager, PLATFORM, order)
            known = [value(f) for f in rows if value(f) is not None]
            assert known == sorted(known, reverse=order.startswith("-")), order
    assert scorecards.sort_key("nonsense") == scorecards.DEFAULT_SORT


@pytest.mark.django_db
def test_a_respondent_or_platform_without_the_users_rows_is_a_404(
    manager_client, warner, netflix, squid_game
):
    """Shared by all holders, yet a page about nothing of theirs: 404, like a missing id."""
    only_warner = RespondentFactory(name="Warner-only respondent")
    platform = PlatformFactory(name="Warner-only platform", respondent=only_warner)
    ItemFactory(rights_holder=warner, platform=platform)
    for name, pk in (("respondent", only_warner.pk), ("platform", platform.pk)):
        assert manager_client.get(reverse(f"scorecards:{name}", args=[pk])).status_code == 404
        missing = manager_client.get(reverse(f"scorecards:{name}", args=[pk + 1000]))
        assert missing.status_code == 404
        index = manager_client.get(reverse(f"scorecards:{name}s")).content.decode()
        assert "Warner-only" not in index
    # One item of Netflix's there, and its scorecard exists.
    ItemFactory(rights_holder=netflix, franchise=squid_game, platform=platform)
    assert manager_client.get(reverse("scorecards:platform", args=[platform.pk])).status_code == 200


# --- Query count ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_data(netflix, manager_client):
    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert manager_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    build(netflix, 10, 3, seed=5)
    respondent = Respondent.objects.get(name="Respondent A")
    platform = Platform.objects.get(name="Platform A")
    urls = [
        reverse("scorecards:respondents"),
        reverse("scorecards:platforms"),
        reverse("scorecards:respondent", args=[respondent.pk]),
        reverse("scorecards:platform", args=[platform.pk]),
    ]
    small = [count(url) for url in urls]
    build_more(netflix, 490, 20)
    group_pairs(netflix, seed=6)
    assert InfringingItem.objects.count() == 500
    assert [count(url) for url in urls] == small
    # The figures (and a savepoint and its settings), the session, the user, the nav.
    assert max(small) <= 20


# --- Links lead to the rows behind the figure -------------------------------------------------


def _items_listed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return len(response.context["page"])


def _demands_listed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def _board_listed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.mark.django_db
def test_each_link_lists_as_many_rows_as_its_figure(data, manager, manager_client):
    checked = Counter()
    for kind in KINDS.values():
        top = scorecards.index(manager, kind, "-relapses")[0]
        figures = scorecards.card(manager, kind, top.obj.pk)["figures"]
        links = figures.links
        assert _items_listed(manager_client, links["items"]) == figures.total
        assert (
            _items_listed(manager_client, links["removed_or_ceased"]) == figures.removed_or_ceased
        )
        assert _items_listed(manager_client, links["relapses"]) == figures.relapsed_urls
        for cell in figures.stage_cells():
            assert _items_listed(manager_client, cell["link"]) == cell["count"], cell
        assert _demands_listed(manager_client, links["demands"]) == figures.demands
        assert _demands_listed(manager_client, links["overdue"]) == figures.overdue
        for cell in figures.demand_cells():
            if cell["count"]:
                assert _demands_listed(manager_client, cell["link"]) == cell["count"], cell
                checked["demands"] += 1
        for row in figures.remedy_rows():
            for cell in row["cells"]:
                if not cell["count"]:
                    continue
                # One remedy of each kind per demand: as many demands as remedies.
                assert _board_listed(manager_client, cell["link"]) == cell["count"], cell
                checked["remedies"] += 1
    assert checked["demands"] > 4 and checked["remedies"] > 8


# --- Pages and roles --------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_member_reads_the_scorecards_linked_from_names(
    small, legal_client, viewer_client, manager_client
):
    demand = Demand.objects.filter(status__in=AFTER_SENDING, items__isnull=False).first()
    item = demand.items.select_related("platform").first()
    respondent_card = reverse("scorecards:respondent", args=[demand.respondent_id])
    platform_card = reverse("scorecards:platform", args=[item.platform_id])
    own_respondent = reverse("scorecards:respondent", args=[item.platform.respondent_id])
    for client in (legal_client, viewer_client, manager_client):
        index = client.get(reverse("scorecards:respondents")).content.decode()
        assert f'href="{respondent_card}"' in index
        page = client.get(platform_card)
        assert page.status_code == 200
        assert f'href="{own_respondent}"' in page.content.decode()
        nav = re.search(r'<nav aria-label="Main">.*?</nav>', index, re.S).group(0)
        assert reverse("scorecards:respondents") in nav
    assert legal_client.post(reverse("scorecards:respondents")).status_code == 405
    html = manager_client.get(demand.get_absolute_url()).content.decode()
    assert f'href="{respondent_card}"' in html and f'href="{platform_card}"' in html
    html = manager_client.get(item.get_absolute_url()).content.decode()
    assert f'href="{platform_card}"' in html
    assert f'href="{own_respondent}"' in html
    html = manager_client.get(reverse("dashboard:index")).content.decode()
    assert f'href="{respondent_card}"' in html
    html = manager_client.get(reverse("casework:item-list")).content.decode()
    assert f'href="{platform_card}"' in html and f'href="{own_respondent}"' in html


@pytest.mark.django_db
def test_names_are_escaped(netflix, manager_client):
    hostile = RespondentFactory(name="<script>alert(1)</script> Ltd.")
    platform = PlatformFactory(name="<b>Bold</b> app", respondent=hostile)
    ItemFactory(rights_holder=netflix, platform=platform, title="<img src=x onerror=alert(2)>")
    InfringingItem.objects.update(relapse_count=1)
    for url in (
        reverse("scorecards:respondents"),
        reverse("scorecards:platforms"),
        reverse("scorecards:respondent", args=[hostile.pk]),
        reverse("scorecards:platform", args=[platform.pk]),
    ):
        html = manager_client.get(url).content.decode()
        assert "<script>alert" not in html and "<b>Bold" not in html and "<img src=x" not in html
        assert "&lt;" in html


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("scorecards:respondents"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
