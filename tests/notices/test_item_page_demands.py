"""The item page (casework) shows the demands covering the item and links the stage
event a sent demand caused, without casework importing notices: the demands come
through the reverse relation ``item.demands``, the event's demand through its
generic link."""

import pytest
from django.urls import reverse

from casework.choices import EventSource
from casework.models import StageEvent
from notices.choices import DemandStatus
from tests.notices.conftest import advance

pytestmark = pytest.mark.django_db


def test_item_page_lists_its_demands_and_links_the_sending_event(
    draft, items, legal, manager, legal_client, outsider_client
):
    sent = advance(draft, DemandStatus.SENT, legal=legal, manager=manager)
    event = StageEvent.objects.get(item=items[0], source=EventSource.DEMAND)
    assert event.demand == sent  # the generic link resolves to the demand
    url = reverse("casework:item-detail", args=[items[0].pk])
    html = legal_client.get(url).content.decode()
    link = f'href="{reverse("notices:demand-detail", args=[sent.pk])}"'
    assert html.count(link) >= 2  # the demands list and the stage event
    assert f"{link}>{sent.reference}</a>" in html
    assert outsider_client.get(url).status_code == 404
