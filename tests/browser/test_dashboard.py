"""A manager reads the dashboard in Chromium, follows a figure to its list, and
downloads the PDF report rendered by a real Celery worker."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import stages
from casework.choices import Stage
from notices.choices import DemandStatus, RemedyKind, RemedyStatus
from notices.models import Demand, Remedy
from tests.browser.conftest import sign_in
from tests.factories import FranchiseFactory, ItemFactory, PlatformFactory

pytestmark = pytest.mark.browser


def walk(item, *targets):
    at = timezone.now() - dt.timedelta(days=20)
    for target in targets:
        at += dt.timedelta(days=3)
        stages.transition(item.pk, target, reason="test", at=at)


@pytest.fixture
def case(netflix, warner, manager, legal):
    squid = FranchiseFactory(rights_holder=netflix, name="Squid Game")
    things = FranchiseFactory(rights_holder=netflix, name="Stranger Things")
    superman = FranchiseFactory(rights_holder=warner, name="Superman")
    seedance = PlatformFactory(name="Seedance 2.0")
    for i in range(3):
        walk(ItemFactory(rights_holder=netflix, franchise=squid, platform=seedance,
                         title=f"Young-hee doll clip {i}"), Stage.NOTIFIED)  # fmt: skip
    walk(
        ItemFactory(rights_holder=netflix, franchise=squid, platform=seedance, title="Gone clip"),
        Stage.NOTIFIED,
        Stage.REMOVED,
    )
    ItemFactory(rights_holder=netflix, franchise=things, platform=seedance, title="Demogorgon")
    for i in range(4):
        walk(ItemFactory(rights_holder=warner, franchise=superman, platform=seedance,
                         title=f"Superman flight {i}"), Stage.NOTIFIED)  # fmt: skip
    demand = Demand.objects.create(
        rights_holder=netflix,
        respondent=seedance.respondent,
        reference="NFLX-2026-0001",
        year=2026,
        number=1,
        status=DemandStatus.SENT,
        sent_on=netflix.today() - dt.timedelta(days=10),
        sent_at=timezone.now() - dt.timedelta(days=10),
        deadline=netflix.today() - dt.timedelta(days=4),
        prepared_by=legal,
    )
    Remedy.objects.create(demand=demand, kind=RemedyKind.CEASE, text="Stop.")
    Remedy.objects.create(
        demand=demand, kind=RemedyKind.REMOVE, text="Remove.", status=RemedyStatus.REFUSED
    )
    return {"squid": squid}


def test_manager_reads_funnel_follows_figure_and_downloads_report(
    page, case, manager, celery_worker_real
):
    sign_in(page, manager.username)
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/dashboard/")
    assert page.locator("h1").inner_text() == "Dashboard"

    # The funnel: Squid Game has 3 notified items, 1 removed; Warner's are not counted.
    squid_row = page.locator('#funnel tbody tr[data-franchise="Squid Game"]')
    assert squid_row.locator('td[data-stage="notified"]').inner_text() == "3"
    assert squid_row.locator('td[data-stage="removed"]').inner_text() == "1"
    total = page.locator("#funnel-total")
    assert total.locator('td[data-stage="notified"]').inner_text() == "3"
    assert page.locator("#kpi-items").inner_text() == "5"
    assert page.locator("#kpi-overdue").inner_text() == "1"
    assert "Superman" not in page.locator("main").inner_text()
    assert page.locator("svg.chart rect").count() == 52  # 26 weeks × 2 bars

    # Follow the figure to the list behind it.
    squid_row.locator('td[data-stage="notified"] a').click()
    page.wait_for_url("**/items/?**")
    listing = page.locator("main").inner_text()
    for i in range(3):
        assert f"Young-hee doll clip {i}" in listing
    assert "Gone clip" not in listing and "Demogorgon" not in listing
    assert "Superman" not in listing

    # Back on the dashboard: ask for the PDF report; the worker renders it, htmx polls.
    page.go_back()
    page.get_by_role("button", name="Create PDF report").click()
    page.wait_for_url("**/dashboard/**")
    link = page.get_by_role("link", name="Download PDF report")
    link.wait_for(timeout=60_000)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    page.locator("#reports-panel").screenshot(path="/work/shots/i9-split-report-done.png")


def test_a_report_whose_worker_keeps_dying_shows_failed_with_its_reason(page, case, manager):
    """The job lifecycle's attempt cap: the panel says why and stops polling."""
    from casework import jobs
    from dashboards.models import DashboardReport

    report = DashboardReport.objects.create(requested_by=manager)
    for _ in range(DashboardReport.max_attempts):
        DashboardReport.claim(report.pk)  # a worker takes it, then is killed
        DashboardReport.objects.filter(pk=report.pk).update(
            lease_until=timezone.now() - dt.timedelta(seconds=1)
        )
        jobs.sweep()
    sign_in(page, manager.username)
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/dashboard/")
    row = page.locator('#reports-panel li[data-status="failed"]')
    assert "Gave up after 5 attempts: the worker died or timed out." in row.inner_text()
    assert page.locator("#reports-panel[hx-get]").count() == 0  # no more polling
    page.locator("main").screenshot(path="/work/shots/i9-split-report-failed.png")


def test_manager_filters_by_dates_and_sees_each_change_at_once(page, case, manager, netflix):
    """The figures come from rollups the database keeps: a removal made while the page is
    open shows on reload, and a date range of part weeks counts exactly its days."""
    from casework.models import InfringingItem

    sign_in(page, manager.username)
    page.goto("/dashboard/")
    squid_row = page.locator('#funnel tbody tr[data-franchise="Squid Game"]')
    assert squid_row.locator('td[data-stage="removed"]').inner_text() == "1"

    # A manual removal now (the stage machine): counted on the next load.
    clip = InfringingItem.objects.get(title="Young-hee doll clip 0")
    stages.transition(clip.pk, Stage.REMOVED, reason="gone")
    # One item logged three weeks ago (a Wednesday to a Thursday range holds it).
    old = InfringingItem.objects.get(title="Demogorgon")
    InfringingItem.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=21)
    )
    page.reload()
    assert squid_row.locator('td[data-stage="notified"]').inner_text() == "2"
    assert squid_row.locator('td[data-stage="removed"]').inner_text() == "2"
    assert page.locator("#kpi-median-identified").inner_text() != "—"

    # Filter through the form as rendered: the days around that item only.
    today = timezone.localdate()
    form = page.locator("#dashboard-filters")
    form.get_by_label("From").fill((today - dt.timedelta(days=22)).isoformat())
    form.get_by_label("To").fill((today - dt.timedelta(days=20)).isoformat())
    form.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/dashboard/?**")
    assert page.locator("#kpi-items").inner_text() == "1"
    things = page.locator('#funnel tbody tr[data-franchise="Stranger Things"]')
    assert things.locator('td[data-stage="identified"]').inner_text() == "1"
    assert page.locator('#funnel tbody tr[data-franchise="Squid Game"]').count() == 0
    page.screenshot(path="/work/shots/i10-rollups-dashboard-dates.png", full_page=True)
    page.goto("/dashboard/")
    page.screenshot(path="/work/shots/i10-rollups-dashboard.png", full_page=True)
