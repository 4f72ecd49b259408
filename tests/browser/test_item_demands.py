"""Legal staff open an item in Chromium: the demands covering it and the stage event
its sent demand caused both link to the demand (casework reaches notices only through
the reverse relation and the generic link)."""

import pytest
from django.utils import timezone

from casework import stages
from casework.choices import EventSource, Stage
from notices.choices import DemandStatus
from notices.models import Demand
from tests.browser.conftest import sign_in
from tests.factories import ItemFactory

pytestmark = pytest.mark.browser


def test_item_page_links_its_demand(page, live_server, netflix, legal):
    item = ItemFactory(rights_holder=netflix, title="Young-hee doll clip")
    demand = Demand.objects.create(
        rights_holder=netflix,
        respondent=item.platform.respondent,
        reference="NFLX-2026-0042",
        year=2026,
        number=42,
        status=DemandStatus.SENT,
        sent_on=netflix.today(),
        sent_at=timezone.now(),
        prepared_by=legal,
    )
    demand.items.add(item)
    stages.transition(
        item.pk, Stage.NOTIFIED, source=EventSource.DEMAND, demand=demand, reason="Sent."
    )
    sign_in(page, legal.username)
    page.goto(f"{live_server.url}/items/{item.pk}/")
    links = page.get_by_role("link", name="NFLX-2026-0042")
    assert links.count() == 2
    page.locator("main").screenshot(path="/work/shots/i9-split-item-demands.png")
    links.first.click()
    page.wait_for_url(f"**/demands/{demand.pk}/")
