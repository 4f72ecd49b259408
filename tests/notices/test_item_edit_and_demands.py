"""Item edits and demands: what a sent demand freezes, and the completeness check's link
to the edit page of an item without protected elements (forms as rendered)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import InfringingItem
from notices import drafting
from notices.models import Demand
from tests.factories import ItemFactory
from tests.webforms import check

pytestmark = pytest.mark.django_db


def edit_url(item):
    return reverse("casework:item-edit", args=[item.pk])


def test_an_item_in_a_sent_demand_keeps_what_the_letter_said(app, legal, draft, items):
    Demand.objects.filter(pk=draft.pk).update(status="sent", sent_at=timezone.now())
    item = items[0]
    page = app.get(edit_url(item), user=legal)
    note = page.html.select_one("#locked-note").get_text(" ")
    assert draft.reference in note and "franchise, protected elements, platform, url" in note
    form = page.forms["item-edit"]
    for name in ("franchise", "platform", "url"):
        assert page.html.select_one(f"#id_{name}").has_attr("disabled"), name
    # A value forged into a locked field is ignored; the open fields are saved.
    form["url"].force_value("https://elsewhere.example/x")
    form["title"] = "Corrected title"
    form.submit().follow()
    item.refresh_from_db()
    assert item.title == "Corrected title"
    assert item.url == "https://seedance.example/share/doll-1"


def test_an_item_without_elements_is_linked_to_its_edit_page_from_the_demand(
    app, legal, netflix, items, seedance
):
    bare = ItemFactory(
        rights_holder=netflix,
        franchise=items[0].franchise,
        platform=seedance,
        url="https://seedance.example/share/no-elements",
    )
    assert not bare.elements.exists()
    demand = drafting.draft_demand(legal, [items[0].pk, bare.pk])
    page = app.get(demand.get_absolute_url(), user=legal)
    gap = page.html.select_one("ul.gaps a")
    assert gap.get_text() == bare.reference and gap["href"] == edit_url(bare)

    # Follow the link, name an element, and the gap is gone.
    form = page.click(bare.reference, href=edit_url(bare)).forms["item-edit"]
    check(form, "elements", items[0].elements.first().pk)
    form.submit().follow()
    assert InfringingItem.objects.get(pk=bare.pk).elements.exists()
    page = app.get(demand.get_absolute_url(), user=legal)
    assert not page.html.select("ul.gaps a")
