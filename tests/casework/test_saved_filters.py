"""Saved filters of the item list: saved through the list page's form, listed there,
opened by a colleague through their link, refused to an outsider, deleted by their
owner only."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from casework.models import SavedFilter
from tests.factories import ItemFactory

LIST = reverse("casework:item-list")


@pytest.fixture
def items(netflix, squid_game, seedance, warner):
    dolls = ItemFactory.create_batch(
        2, rights_holder=netflix, franchise=squid_game, platform=seedance, title="Doll clip"
    )
    ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance, title="Other")
    ItemFactory(rights_holder=warner, title="Doll clip of Warner's")
    return dolls


def _save(app, user, name, **params):
    page = app.get(LIST, params, user=user)
    form = page.forms["save-filter"]
    form["name"] = name
    return form.submit()


@pytest.mark.django_db
def test_a_saved_filter_is_listed_and_opens_the_same_list_for_a_colleague(
    app, legal, manager, outsider, items
):
    response = _save(
        app, legal, "Squid dolls", q="doll", franchise=items[0].franchise_id, after="xyz"
    )
    saved = SavedFilter.objects.get()
    assert (saved.owner, saved.rights_holder, saved.name) == (
        legal,
        items[0].rights_holder,
        "Squid dolls",
    )
    # The list's own parameters are kept, the paging cursor is not.
    assert parse_qs(saved.query) == {"q": ["doll"], "franchise": [str(items[0].franchise_id)]}
    page = response.follow()
    assert "Saved the filter “Squid dolls”" in page.text
    link = page.html.select_one(".saved-list a")
    assert link.text == "Squid dolls" and link["href"] == saved.get_absolute_url()

    opened = app.get(link["href"], user=manager).follow()
    assert urlsplit(opened.request.url).query == saved.query
    assert {i.pk for i in opened.context["page"]} == {i.pk for i in items}
    assert "2 items" in opened.text
    # A colleague's saved filters are not listed on their own page.
    assert not opened.html.select(".saved-list a")

    app.get(link["href"], user=outsider, status=404)
    # The bare query string shows an outsider none of Netflix's items: the franchise
    # is not one of their choices.
    shown = app.get(f"{LIST}?{saved.query}", user=outsider)
    assert list(shown.context["page"]) == []
    assert "Select a valid choice" in shown.text


@pytest.mark.django_db
def test_only_its_owner_deletes_a_saved_filter(app, legal, manager_client, outsider_client, items):
    _save(app, legal, "Dolls", q="doll")
    saved = SavedFilter.objects.get()
    delete = reverse("casework:saved-filter-delete", args=[saved.pk])
    # The colleague and the outsider have no such form: their requests are made by hand.
    assert manager_client.post(delete).status_code == 403
    assert outsider_client.post(delete).status_code == 404
    page = app.get(LIST, user=legal)
    response = page.forms[f"delete-saved-{saved.pk}"].submit().follow()
    assert "Deleted the saved filter “Dolls”" in response.text
    assert not SavedFilter.objects.exists()


@pytest.mark.django_db
def test_a_viewer_opens_saved_filters_but_saves_none(app, legal, viewer, viewer_client, items):
    _save(app, legal, "Dolls", q="doll")
    page = app.get(SavedFilter.objects.get().get_absolute_url(), user=viewer).follow()
    assert len(page.context["page"]) == 2
    assert "save-filter" not in page.forms
    response = viewer_client.post(reverse("casework:saved-filter-create"), {"name": "Mine"})
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, params, error",
    [
        ("", {"q": "doll"}, "Name of this filter: This field is required."),
        ("Dolls", {}, "Filter: Choose a filter or search before saving it."),
        ("dolls", {"q": "doll"}, "Name of this filter: You already have a saved filter"),
    ],
)
def test_bad_saves_say_which_field_is_wrong(app, legal, items, name, params, error):
    _save(app, legal, "Dolls", q="doll")
    page = _save(app, legal, name, **params).follow()
    assert error in page.text
    assert SavedFilter.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_name_saved_twice_at_once_is_refused_not_an_error(app, legal, items, monkeypatch):
    """Two tabs: both pass the name check, the second INSERT meets the constraint."""
    from casework.saved_filters import SavedFilterForm

    page = app.get(LIST, {"q": "doll"}, user=legal)
    _save(app, legal, "Dolls", q="doll")
    monkeypatch.setattr(SavedFilterForm, "clean_name", lambda form: form.cleaned_data["name"])
    form = page.forms["save-filter"]
    form["name"] = "Dolls"
    response = form.submit().follow()
    assert "You already have a saved filter with it." in response.text
    assert SavedFilter.objects.count() == 1
