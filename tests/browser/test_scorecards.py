"""In Chromium: a manager opens a respondent's scorecard from a demand, follows a figure to
the list behind it (as many rows as the figure says), and reads the platform scorecard and
the index; axe-core finds nothing on them."""

import re

import pytest
from playwright.sync_api import expect

from casework.choices import Stage
from casework.models import InfringingItem
from notices.models import Demand
from notices.workflow import AFTER_SENDING
from tests.browser.conftest import axe_violations, sign_in
from tests.dashboards.test_dashboard import build

pytestmark = pytest.mark.browser

SHOTS = "/tmp/score-{}.png"


def test_manager_opens_a_scorecard_from_a_demand_and_follows_a_figure(page, manager, netflix):
    build(netflix, 16, 5, seed=11)
    demand = Demand.objects.filter(status__in=AFTER_SENDING, items__isnull=False).first()
    respondent = demand.respondent
    on_stage = InfringingItem.objects.filter(platform__respondent=respondent)
    removed = on_stage.filter(stage=Stage.REMOVED).count()
    sign_in(page, manager.username)
    page.goto(demand.get_absolute_url())
    page.get_by_role("link", name=respondent.name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(respondent.name)
    expect(page.locator("#kpi-items")).to_have_text(str(on_stage.count()))
    page.screenshot(path=SHOTS.format("respondent-card"), full_page=True)
    assert axe_violations(page) == []

    # The "Removed" figure opens the item list with exactly those items.
    cell = page.locator('#stages tr[data-stage="removed"] a')
    expect(cell).to_have_text(str(removed))
    cell.click()
    expect(page).to_have_url(re.compile(r"/items/\?.*stage=removed"))
    expect(page.locator("#item-filters")).to_be_visible()
    expect(page.locator("input[type=checkbox][name=items]")).to_have_count(removed)
    page.screenshot(path=SHOTS.format("followed-figure"), full_page=True)

    # The platform's scorecard, and the index sorted by a figure.
    page.go_back()
    page.locator("#platforms tbody a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("platform scorecard")
    page.screenshot(path=SHOTS.format("platform-card"), full_page=True)
    assert axe_violations(page) == []
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecards").click()
    page.get_by_role("link", name="Relapses").click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Relapses")
    page.screenshot(path=SHOTS.format("respondent-index"), full_page=True)
    assert axe_violations(page) == []
    page.get_by_role("navigation", name="Scorecards").get_by_role("link", name="Platforms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform scorecards")
    page.screenshot(path=SHOTS.format("platform-index"), full_page=True)
    assert axe_violations(page) == []
