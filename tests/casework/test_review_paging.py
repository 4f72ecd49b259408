"""A well-formed cursor with a value of the wrong type, or an id out of range, is
ignored like any other garbage cursor (first page), never a server error."""

import pytest
from django.urls import reverse

from casework.paging import encode_cursor
from tests.factories import ItemFactory

LIST = reverse("casework:item-list")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sort,value,pk",
    [
        ("-logged", "not-a-date", 1),
        ("first_seen", "2026-99-99", 1),
        ("title", "Clip", 2**70),
        ("-logged", "2026-01-01T00:00:00+00:00", -(2**70)),
    ],
)
def test_cursor_of_the_wrong_type_shows_the_first_page(legal_client, netflix, sort, value, pk):
    item = ItemFactory(rights_holder=netflix)
    for key in ("after", "before"):
        response = legal_client.get(LIST, {"sort": sort, key: encode_cursor(value, pk)})
        assert response.status_code == 200
        assert [i.pk for i in response.context["page"]] == [item.pk]
