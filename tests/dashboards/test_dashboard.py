"""The manager dashboard: every figure equals the same figure computed here with plain
Python loops over the rows; nothing of another rights holder is counted or linked;
the query count does not grow with the data; CSV, PDF report, board, access."""

import csv
import datetime as dt
import io
import random
import re
import statistics
from collections import Counter, defaultdict
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import stages
from casework.choices import JobStatus, Role, Stage
from casework.models import InfringingItem, RightsHolder, StageEvent
from dashboards import figures as dashboard
from dashboards.models import DashboardReport
from notices.choices import DemandStatus, RemedyKind, RemedyStatus
from notices.models import Demand, Remedy
from notices.workflow import AFTER_SENDING
from tests.factories import (
    FranchiseFactory,
    ItemFactory,
    PlatformFactory,
    RespondentFactory,
    UserFactory,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 17, 12, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()
PATHS = [
    [],
    [Stage.DISMISSED],
    [Stage.NOTIFIED],
    [Stage.NOTIFIED, Stage.REMOVED],
    [Stage.NOTIFIED, Stage.REMOVED, Stage.CEASED],
    [Stage.NOTIFIED, Stage.REMOVED, Stage.NOTIFIED],
    [Stage.NOTIFIED, Stage.REMOVED, Stage.NOTIFIED, Stage.REMOVED],
]
DEMAND_STATUSES = [
    DemandStatus.DRAFT,
    DemandStatus.SENT,
    DemandStatus.SENT,
    DemandStatus.RESPONDED,
    DemandStatus.PARTLY_COMPLIED,
    DemandStatus.REFUSED,
    DemandStatus.CLOSED,
]
_numbers = iter(range(1, 100_000))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def build(holder, n_items, n_demands, seed):
    """A holder's data: two franchises, items on two respondents' platforms walked
    through random stage paths, demands in every status with four remedies."""
    rng = random.Random(seed)
    code = holder.code
    franchises = [
        FranchiseFactory(rights_holder=holder, name=f"{code} franchise {i}") for i in range(2)
    ]
    respondents = [RespondentFactory(name=f"Respondent {r}") for r in ("A", "B")]
    platforms = [PlatformFactory(name=f"Platform {r.name[-1]}", respondent=r) for r in respondents]
    items = []
    for i in range(n_items):
        created = NOW - dt.timedelta(days=rng.randint(0, 220), hours=rng.randint(0, 23))
        item = ItemFactory(
            rights_holder=holder,
            franchise=rng.choice(franchises),
            platform=rng.choice(platforms),
            title=f"{code} item {i:04d}",
        )
        InfringingItem.objects.filter(pk=item.pk).update(created_at=created)
        at = created
        for target in rng.choice(PATHS):
            at += dt.timedelta(days=rng.randint(1, 15), hours=rng.randint(0, 23))
            if at >= NOW:
                break
            stages.transition(item.pk, target, reason="test", at=at)
        items.append(item)
    for _ in range(n_demands):
        number = next(_numbers)
        status = rng.choice(DEMAND_STATUSES)
        sent = status != DemandStatus.DRAFT
        sent_at = NOW - dt.timedelta(days=rng.randint(1, 120)) if sent else None
        demand = Demand.objects.create(
            rights_holder=holder,
            respondent=rng.choice(respondents),
            reference=f"{code}-2026-{number:04d}",
            year=2026,
            number=number,
            status=status,
            sent_on=holder.local_date(sent_at) if sent else None,
            sent_at=sent_at,
            deadline=(sent_at + dt.timedelta(days=rng.randint(3, 40))).date() if sent else None,
        )
        demand.items.set(rng.sample(items, k=min(3, len(items))))
        for position, kind in enumerate(
            [RemedyKind.CEASE, RemedyKind.REMOVE, RemedyKind.ACCOUNT, RemedyKind.ACCESS], 1
        ):
            Remedy.objects.create(
                demand=demand,
                position=position,
                kind=kind,
                text="x",
                status=rng.choice(RemedyStatus.values) if sent else RemedyStatus.PENDING,
            )
    return {"franchises": franchises, "respondents": respondents}


@pytest.fixture
def data(netflix, warner, manager):
    nf = build(netflix, 40, 14, seed=1)
    wb = build(warner, 25, 10, seed=2)
    return {"nf": nf, "wb": wb}


# --- The reference: plain Python over all rows ------------------------------------------------


class Reference:
    """The same figures, from every row of the tables, filtered in Python."""

    def __init__(self, user, holder=None, franchise=None, respondent=None, start=None, end=None):
        self.holders = {h.pk for h in RightsHolder.objects.all() if user in h.members.all()}
        self.holder, self.franchise, self.respondent = holder, franchise, respondent
        self.start, self.end = start, end

    def _item_ok(self, item, dates=True):
        if item.rights_holder_id not in self.holders:
            return False
        if self.holder and item.rights_holder_id != self.holder.pk:
            return False
        if self.franchise and item.franchise_id != self.franchise.pk:
            return False
        if self.respondent and item.platform.respondent_id != self.respondent.pk:
            return False
        if dates and self.start and item.created_at.date() < self.start:
            return False
        return not (dates and self.end and item.created_at.date() > self.end)

    def items(self, dates=True):
        return [
            i for i in InfringingItem.objects.select_related("platform") if self._item_ok(i, dates)
        ]

    def demands(self):
        result = []
        for d in Demand.objects.prefetch_related("items", "remedies"):
            if d.rights_holder_id not in self.holders:
                continue
            if self.holder and d.rights_holder_id != self.holder.pk:
                continue
            if self.respondent and d.respondent_id != self.respondent.pk:
                continue
            if self.franchise and not any(
                i.franchise_id == self.franchise.pk for i in d.items.all()
            ):
                continue
            if self.start and (not d.sent_on or d.sent_on < self.start):
                continue
            if self.end and (not d.sent_on or d.sent_on > self.end):
                continue
            result.append(d)
        return result

    def funnel(self):
        per = defaultdict(Counter)
        for item in self.items():
            per[item.franchise_id][item.stage] += 1
        return per

    def medians(self):
        ident, notif = [], []
        for item in self.items():
            events = sorted(StageEvent.objects.filter(item=item), key=lambda e: e.at)
            removed = [e.at for e in events if e.to_stage == Stage.REMOVED]
            notified = [e.at for e in events if e.to_stage == Stage.NOTIFIED]
            if not removed:
                continue
            ident.append((removed[0] - item.created_at).total_seconds() / 86400)
            if notified:
                notif.append((removed[0] - notified[0]).total_seconds() / 86400)
        return (
            statistics.median(ident) if ident else None,
            statistics.median(notif) if notif else None,
        )

    def overdue(self):
        rows = []
        for d in self.demands():
            pending = any(r.status == RemedyStatus.PENDING for r in d.remedies.all())
            if d.status in AFTER_SENDING and d.deadline and d.deadline < TODAY and pending:
                rows.append((d.reference, (TODAY - d.deadline).days))
        return sorted(rows, key=lambda r: (TODAY - dt.timedelta(days=r[1]), r[0]))

    def weekly(self):
        end = self.end or TODAY
        monday = end - dt.timedelta(days=end.weekday())
        weeks = [monday - dt.timedelta(weeks=25 - i) for i in range(26)]
        identified, removed = Counter(), Counter()
        for item in self.items(dates=False):
            d = item.created_at.date()
            identified[d - dt.timedelta(days=d.weekday())] += 1
            for e in StageEvent.objects.filter(item=item, to_stage=Stage.REMOVED):
                day = e.at.date()
                removed[day - dt.timedelta(days=day.weekday())] += 1
        return [(w, identified[w], removed[w]) for w in weeks]

    def compliance(self):
        counts = Counter()
        for d in self.demands():
            if d.status not in AFTER_SENDING:
                continue
            for r in d.remedies.all():
                counts[(d.respondent.name, r.kind, r.status)] += 1
        return counts


def assert_figures_match(figs, ref):
    per = ref.funnel()
    got = {row["franchise_id"]: row for row in figs["funnel"]["franchises"]}
    assert set(got) == set(per)
    for franchise_id, counter in per.items():
        for stage in Stage.values:
            assert got[franchise_id][stage] == counter[stage], (franchise_id, stage)
    total = Counter()
    for counter in per.values():
        total.update(counter)
    for stage in Stage.values:
        assert figs["funnel"]["total"][stage] == total[stage]
    reached = total["notified"] + total["removed"] + total["ceased"]
    rate = round(100 * (total["removed"] + total["ceased"]) / reached, 1) if reached else None
    assert figs["funnel"]["total"]["removal_rate"] == rate

    ident, notif = ref.medians()
    assert figs["medians"]["total"]["identified"] == pytest.approx(ident, abs=1e-6)
    assert figs["medians"]["total"]["notified"] == pytest.approx(notif, abs=1e-6)

    statuses = Counter(d.status for d in ref.demands())
    assert {s["status"]: s["count"] for s in figs["demands"]["statuses"]} == {
        s: statuses[s] for s in DemandStatus.values
    }
    overdue = ref.overdue()
    assert figs["demands"]["overdue"] == len(overdue)
    assert [(d["reference"], d["days_overdue"]) for d in figs["overdue"]] == overdue

    assert [(w["week"], w["identified"], w["removed"]) for w in figs["weeks"]] == ref.weekly()

    got_compliance = Counter()
    for entry in figs["compliance"]:
        for kind in entry["kinds"]:
            for cell in kind["cells"]:
                if cell["count"]:
                    got_compliance[(entry["name"], kind["kind"], cell["status"])] = cell["count"]
    assert got_compliance == ref.compliance()


# --- Every figure equals its independent computation ----------------------------------------


@pytest.mark.django_db
def test_every_figure_matches_plain_python(data, manager):
    figs = dashboard.figures(dashboard.Selection(user=manager))
    ref = Reference(manager)
    assert_figures_match(figs, ref)
    # The data is rich enough to make every comparison mean something.
    assert figs["funnel"]["total"]["total"] == 40
    assert figs["medians"]["total"]["count"] > 5
    assert figs["demands"]["overdue"] > 0
    assert any(w["removed"] for w in figs["weeks"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "which",
    ["holder", "franchise", "respondent", "dates", "whole-weeks", "in-one-week", "until", "all"],
)
def test_filtered_figures_match_plain_python(data, manager, netflix, which):
    franchise, respondent = data["nf"]["franchises"][1], data["nf"]["respondents"][0]
    # Item counts come from weekly rollups plus the items of the days at the range's
    # ends: a range of part weeks, of whole weeks (Monday to Sunday), inside one week.
    start, end = TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=20)
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    kwargs = {
        "holder": {"holder": netflix},
        "franchise": {"franchise": franchise},
        "respondent": {"respondent": respondent},
        "dates": {"start": start, "end": end},
        "whole-weeks": {
            "start": monday - dt.timedelta(weeks=15),
            "end": monday - dt.timedelta(weeks=2, days=1),
        },
        "in-one-week": {
            "start": monday - dt.timedelta(weeks=3, days=-1),
            "end": monday - dt.timedelta(weeks=3, days=-5),
        },
        "until": {"end": end},
        "all": {"franchise": franchise, "respondent": respondent, "start": start},
    }[which]
    sel = dashboard.Selection(
        user=manager,
        rights_holder=kwargs.get("holder"),
        franchise=kwargs.get("franchise"),
        respondent=kwargs.get("respondent"),
        date_from=kwargs.get("start"),
        date_to=kwargs.get("end"),
    )
    assert_figures_match(dashboard.figures(sel), Reference(manager, **kwargs))


@pytest.mark.django_db
def test_figures_of_a_manager_of_two_holders_match_plain_python(data, netflix, warner):
    """Totals over several holders (the medians' total then takes percentile_cont)."""
    both = UserFactory(username="two-holders", role=Role.MANAGER, holders=[netflix, warner])
    figs = dashboard.figures(dashboard.Selection(user=both))
    assert_figures_match(figs, Reference(both))
    assert len(figs["medians"]["holders"]) == 2
    assert figs["funnel"]["total"]["total"] == 65


# --- Isolation --------------------------------------------------------------------------------


def links_of(html):
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


@pytest.mark.django_db
def test_outsider_data_is_never_counted_nor_linked(data, manager_client, manager, warner):
    html = manager_client.get(reverse("dashboard:index")).content.decode()
    assert "WBEI" not in html and warner.name not in html
    wb_franchises = {str(f.pk) for f in data["wb"]["franchises"]}
    figure_links = [
        h for h in links_of(html) if h.startswith(("/items/", "/demands/", "/dashboard/board"))
    ]
    assert len(figure_links) > 30
    for href in figure_links:
        params = parse_qs(urlsplit(href).query)
        assert not set(params.get("franchise", [])) & wb_franchises, href
        assert str(warner.pk) not in params.get("rights_holder", []), href
    # Following the links shows nothing of Warner's either.
    for href in sorted(set(figure_links))[:25]:
        response = manager_client.get(href)
        assert response.status_code == 200, href
        assert "WBEI" not in response.content.decode(), href


@pytest.mark.django_db
def test_each_manager_sees_their_own_holder_only(data, warner):
    wb_manager = UserFactory(username="wb-manager", role=Role.MANAGER, holders=[warner])
    figs = dashboard.figures(dashboard.Selection(user=wb_manager))
    assert_figures_match(figs, Reference(wb_manager))
    assert figs["funnel"]["total"]["total"] == 25
    names = {row["rights_holder__name"] for row in figs["funnel"]["franchises"]}
    assert names == {warner.name}


@pytest.mark.django_db
def test_filters_naming_another_holders_rows_are_refused(data, manager_client, warner):
    wb_franchise = data["wb"]["franchises"][0]
    response = manager_client.get(
        reverse("dashboard:index"), {"franchise": wb_franchise.pk, "rights_holder": warner.pk}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "franchise" in form.errors and "rights_holder" in form.errors
    # The refused filters are dropped: the figures are the manager's own, unfiltered.
    assert response.context["data"]["funnel"]["total"]["total"] == 40
    assert wb_franchise.name not in response.content.decode()


@pytest.mark.django_db
def test_filter_dropdowns_list_only_the_users_rows(data, manager, warner):
    form = dashboard.DashboardFilterForm(user=manager)
    assert list(form.fields["rights_holder"].queryset) == [RightsHolder.objects.get(code="NFLX")]
    assert {f.rights_holder_id for f in form.fields["franchise"].queryset} == {
        data["nf"]["franchises"][0].rights_holder_id
    }
    only_warner = RespondentFactory(name="Warner-only respondent")
    Demand.objects.create(
        rights_holder=warner,
        respondent=only_warner,
        reference="WBEI-2026-9999",
        year=2026,
        number=9999,
    )
    assert only_warner not in form.fields["respondent"].queryset


# --- Query count ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_data(netflix, manager_client):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = manager_client.get(reverse("dashboard:index"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    build(netflix, 10, 3, seed=5)
    small = count()
    netflix_f = RightsHolder.objects.get(code="NFLX")
    more = build_more(netflix_f, 990, 20)
    assert InfringingItem.objects.count() == 10 + more == 1_000
    large = count()
    assert small == large
    assert large <= 21  # the figures, distinct infringements, the session, the user, the nav


def build_more(holder, n_items, n_demands):
    """Items written set-wise, as an import does (one INSERT per table; the rollups are
    kept by the database), half notified, a quarter removed; and overdue demands."""
    rng = random.Random(9)
    franchise = FranchiseFactory(rights_holder=holder, name="Extra franchise")
    respondent = RespondentFactory(name="Respondent C")
    platform = PlatformFactory(name="Platform C", respondent=respondent)
    created = NOW - dt.timedelta(days=20)
    items = InfringingItem.objects.bulk_create(
        InfringingItem(
            rights_holder=holder,
            franchise=franchise,
            platform=platform,
            url=f"https://extra.example/{i}",
            normalized_url=f"https://extra.example/{i}",
            title=f"extra {i}",
            content_kind="video",
            conduct="recreation",
            first_seen=TODAY,
            created_at=created,
        )
        for i in range(n_items)
    )
    events, notified, removed = [], [], []
    for item in items:
        if rng.random() < 0.5:
            notified.append(item.pk)
            events.append(StageEvent(item=item, from_stage="identified", to_stage="notified",
                                     at=NOW - dt.timedelta(days=10), source="demand"))  # fmt: skip
            if rng.random() < 0.5:
                removed.append(item.pk)
                events.append(StageEvent(item=item, from_stage="notified", to_stage="removed",
                                         at=NOW - dt.timedelta(days=rng.randint(1, 9)),
                                         source="check"))  # fmt: skip
    InfringingItem.objects.filter(pk__in=notified).update(stage=Stage.NOTIFIED)
    InfringingItem.objects.filter(pk__in=removed).update(stage=Stage.REMOVED)
    StageEvent.objects.bulk_create(events)
    for _ in range(n_demands):
        number = next(_numbers)
        demand = Demand.objects.create(
            rights_holder=holder,
            respondent=respondent,
            reference=f"X-2026-{number:04d}",
            year=2026,
            number=number,
            status=DemandStatus.SENT,
            sent_on=TODAY - dt.timedelta(days=30),
            sent_at=NOW - dt.timedelta(days=30),
            deadline=TODAY - dt.timedelta(days=rng.randint(1, 20)),
        )
        Remedy.objects.create(demand=demand, kind=RemedyKind.CEASE, text="x")
    return n_items


# --- Links lead to the rows behind the figure -------------------------------------------------


@pytest.mark.django_db
def test_funnel_cell_link_lists_exactly_its_items(data, manager_client):
    figs = manager_client.get(reverse("dashboard:index")).context["data"]
    row = max(figs["funnel"]["franchises"], key=lambda r: r["notified"])
    cell = next(c for c in row["cells"] if c["stage"] == Stage.NOTIFIED)
    html = manager_client.get(cell["link"]).content.decode()
    expected = InfringingItem.objects.filter(franchise_id=row["franchise_id"], stage="notified")
    assert cell["count"] == expected.count() > 0
    shown = set(re.findall(r"NFLX item \d{4}", html))
    assert shown == {i.title for i in expected}


@pytest.mark.django_db
def test_demand_status_link_lists_exactly_its_demands(data, manager_client):
    figs = manager_client.get(reverse("dashboard:index")).context["data"]
    sent = next(s for s in figs["demands"]["statuses"] if s["status"] == "sent")
    html = manager_client.get(sent["link"]).content.decode()
    shown = set(re.findall(r"NFLX-2026-\d{4}", html))
    expected = set(
        Demand.objects.filter(rights_holder__code="NFLX", status="sent").values_list(
            "reference", flat=True
        )
    )
    assert sent["count"] == len(expected) and shown == expected
    overdue_html = manager_client.get(figs["demands"]["overdue_link"]).content.decode()
    assert set(re.findall(r"NFLX-2026-\d{4}", overdue_html)) == {
        d["reference"] for d in figs["overdue"]
    }


@pytest.mark.django_db
def test_compliance_link_opens_the_board_for_those_remedies(data, manager_client):
    figs = manager_client.get(reverse("dashboard:index")).context["data"]
    entry = figs["compliance"][0]
    kind = entry["kinds"][0]
    cell = next(c for c in kind["cells"] if c["count"])
    html = manager_client.get(cell["link"]).content.decode()
    shown = set(re.findall(r'data-reference="([^"]+)"', html))
    expected = {
        r.demand.reference
        for r in Remedy.objects.select_related("demand__respondent").filter(
            demand__rights_holder__code="NFLX",
            demand__respondent__name=entry["name"],
            demand__status__in=AFTER_SENDING,
            kind=kind["kind"],
            status=cell["status"],
        )
    }
    assert shown == expected and len(expected) == cell["count"]


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_is_for_managers(legal_client, viewer_client, manager_client, client):
    for name in ("dashboard:index", "dashboard:csv", "dashboard:reports"):
        url = reverse(name)
        assert manager_client.get(url).status_code == 200
        assert legal_client.get(url).status_code == 403
        assert viewer_client.get(url).status_code == 403
        assert client.get(url).status_code == 302  # to sign in
    assert legal_client.post(reverse("dashboard:report-create")).status_code == 403


@pytest.mark.django_db
def test_board_shows_open_demands_remedies_to_members(data, legal_client, outsider_client):
    html = legal_client.get(reverse("dashboard:board")).content.decode()
    shown = set(re.findall(r'data-reference="([^"]+)"', html))
    expected = set(
        Demand.objects.filter(rights_holder__code="NFLX", status__in=AFTER_SENDING).values_list(
            "reference", flat=True
        )
    )
    assert shown == expected and expected
    assert "Partly complied" in html or "Refused" in html
    outsider_html = outsider_client.get(reverse("dashboard:board")).content.decode()
    assert not set(re.findall(r"NFLX-2026-\d{4}", outsider_html))


# --- CSV and PDF report -----------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_export_holds_the_figures(data, manager_client, manager):
    response = manager_client.get(reverse("dashboard:csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "rights_holder", "group", "measure", "value"]
    figs = dashboard.figures(dashboard.Selection(user=manager))
    totals = {r[3]: r[4] for r in rows if r[0] == "items" and r[2] == "all"}
    for stage in Stage.values:
        assert int(totals[stage]) == figs["funnel"]["total"][stage]
    overdue = {r[2]: int(r[4]) for r in rows if r[0] == "overdue"}
    assert overdue == {d["reference"]: d["days_overdue"] for d in figs["overdue"]}
    assert "WBEI" not in response.content.decode()


@pytest.mark.django_db
def test_pdf_report_is_rendered_from_the_row(data, app, manager_client, manager, netflix):
    from pypdf import PdfReader

    # Filter the dashboard through its form, then press "Create PDF report" under it.
    form = app.get(reverse("dashboard:index"), user=manager).forms["dashboard-filters"]
    form["rights_holder"] = str(netflix.pk)
    response = form.submit().forms["report-create"].submit()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?rights_holder={netflix.pk}#reports")
    report = DashboardReport.objects.get()
    assert (report.status, report.filters) == (JobStatus.QUEUED, {"rights_holder": netflix.pk})
    panel = manager_client.get(reverse("dashboard:reports")).content.decode()
    assert 'hx-trigger="every 2s"' in panel
    dashboard.render_report(report.pk)
    report.refresh_from_db()
    assert report.status == JobStatus.DONE, report.error
    panel = manager_client.get(reverse("dashboard:reports")).content.decode()
    assert "hx-trigger" not in panel and "Download PDF report" in panel
    download = manager_client.get(reverse("dashboard:report-download", args=[report.pk]))
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "Items per stage" in text and "NFLX franchise 0" in text and "WBEI" not in text
    # A done report is not rendered again by a redelivered task.
    dashboard.render_report(report.pk)
    report.refresh_from_db()
    assert report.attempts == 1


@pytest.mark.django_db
def test_reports_are_private_to_their_requester(data, manager, netflix):
    from django.test import Client

    report = DashboardReport.objects.create(requested_by=manager)
    dashboard.render_report(report.pk)
    other = UserFactory(username="nf-manager-2", role=Role.MANAGER, holders=[netflix])
    client = Client()
    client.force_login(other)
    assert client.get(reverse("dashboard:report-download", args=[report.pk])).status_code == 404


@pytest.mark.django_db
def test_failed_render_is_recorded_on_the_row(manager, monkeypatch):
    report = DashboardReport.objects.create(requested_by=manager)

    def broken(html):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr("dashboards.figures.html_to_pdf", broken)
    with pytest.raises(RuntimeError):
        dashboard.render_report(report.pk)
    report.refresh_from_db()
    assert report.status == JobStatus.FAILED and "renderer exploded" in report.error
    dashboard.render_report(999_999)  # a missing row is ignored


@pytest.mark.django_db
def test_stuck_reports_are_found_by_the_job_sweeper(manager):
    from django.utils import timezone

    from casework import jobs

    old = DashboardReport.objects.create(requested_by=manager)
    DashboardReport.objects.create(requested_by=manager)
    DashboardReport.objects.filter(pk=old.pk).update(
        queued_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert jobs.sweep()["dashboards.DashboardReport"] == [old.pk]
