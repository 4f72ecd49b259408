"""The catalogue in the app (forms as rendered): managers write, legal staff and viewers
read and get 403 on the write pages, another holder's rows are 404; every save audited."""

import datetime as dt

import pytest
from django.urls import reverse

from casework.choices import ElementKind
from casework.models import Franchise, ProtectedElement, RightsHolder
from tests.factories import FranchiseFactory, ProtectedElementFactory
from tests.webforms import messages

CATALOGUE = reverse("casework:catalogue")
NEW_FRANCHISE = reverse("casework:franchise-create")
NEW_ELEMENT = reverse("casework:element-create")

pytestmark = pytest.mark.django_db


def test_a_manager_adds_a_franchise_with_its_registration_and_an_element(app, manager, netflix):
    page = app.get(CATALOGUE, user=manager)
    assert page.html.select_one("nav a[aria-current=page]").get_text() == "Catalogue"
    form = page.click("New franchise").forms["catalogue-form"]
    assert form["rights_holder"].value == str(netflix.pk)
    form["name"] = "Wednesday"
    form["registration_number"] = "PA 2-345-678"
    form["registration_office"] = "U.S. Copyright Office"
    form["registration_date"] = "2022-11-23"
    page = form.submit().follow()
    wednesday = Franchise.objects.get(name="Wednesday")
    assert (wednesday.rights_holder, wednesday.registration_date) == (
        netflix,
        dt.date(2022, 11, 23),
    )
    assert "PA 2-345-678 · U.S. Copyright Office · 2022-11-23" in page.text

    form = page.click(href=f"franchise={wednesday.pk}").forms["catalogue-form"]
    assert form["franchise"].value == str(wednesday.pk)
    form["name"] = "Nevermore Academy uniform"
    form["kind"] = ElementKind.COSTUME
    form["description"] = "Black-and-purple striped blazer"
    page = form.submit().follow()
    element = ProtectedElement.objects.get(name="Nevermore Academy uniform")
    assert element.franchise == wednesday and element.kind == ElementKind.COSTUME
    assert "Saved new protected element: Nevermore Academy uniform." in messages(page)
    assert element.history.get().history_user == manager


def test_an_edit_is_audited_and_shown_on_its_page(app, manager, squid_game):
    form = app.get(reverse("casework:franchise-edit", args=[squid_game.pk]), user=manager).forms[
        "catalogue-form"
    ]
    assert form.html.select_one("#id_rights_holder").has_attr("disabled")
    form["registration_number"] = "PA 9-999-999"
    form.submit().follow()
    page = app.get(reverse("casework:franchise-edit", args=[squid_game.pk]), user=manager)
    changes = " ".join(page.html.select_one("#record-changes").get_text(" ").split())
    assert "nf-manager Changed Registration number: — → PA 9-999-999" in changes


def test_a_duplicate_name_is_refused_on_the_form(app, manager, netflix, squid_game):
    form = app.get(NEW_FRANCHISE, user=manager).forms["catalogue-form"]
    form["name"] = "Squid Game"
    page = form.submit()
    assert "already has a franchise of that name" in page.text
    assert Franchise.objects.count() == 1


def test_the_signatory_is_edited_by_a_manager_and_required(app, manager, netflix):
    url = reverse("casework:signatory-edit", args=[netflix.pk])
    form = app.get(url, user=manager).forms["catalogue-form"]
    form["signatory_name"] = ""
    page = form.submit()
    assert page.html.select_one("#id_signatory_name_error")
    form = page.forms["catalogue-form"]
    form["signatory_name"] = "Jordan Avery"
    form["signatory_title"] = "Director, Content Protection"
    form.submit().follow()
    netflix.refresh_from_db()
    assert netflix.signatory_name == "Jordan Avery"
    assert netflix.history.latest().history_user == manager


@pytest.mark.parametrize("role", ["legal", "viewer"])
def test_legal_staff_and_viewers_read_the_catalogue_but_get_403_on_writes(
    request, app, role, netflix, doll
):
    user = request.getfixturevalue(role)
    page = app.get(CATALOGUE, user=user)
    assert "Young-hee doll" in page.text and "Squid Game" in page.text
    assert not page.html.select(f"a[href='{NEW_FRANCHISE}']")
    assert not page.html.select("nav a[href='/catalogue/']")
    for url in (
        NEW_FRANCHISE,
        NEW_ELEMENT,
        reverse("casework:franchise-edit", args=[doll.franchise_id]),
        reverse("casework:element-edit", args=[doll.pk]),
        reverse("casework:signatory-edit", args=[netflix.pk]),
    ):
        app.get(url, user=user, status=403)


def test_another_holders_rows_are_404_and_not_offered(app, outsider, manager, warner, doll):
    theirs = FranchiseFactory(rights_holder=warner, name="Superman")
    ProtectedElementFactory(franchise=theirs, name="S shield")
    for url in (
        reverse("casework:franchise-edit", args=[theirs.pk]),
        reverse("casework:element-edit", args=[theirs.elements.get().pk]),
        reverse("casework:signatory-edit", args=[warner.pk]),
    ):
        app.get(url, user=manager, status=404)
    page = app.get(CATALOGUE, user=manager)
    assert "Superman" not in page.text and "Warner" not in page.text
    form = app.get(NEW_ELEMENT, user=manager).forms["catalogue-form"]
    assert str(theirs.pk) not in [v for v, *_ in form["franchise"].options]
    form["franchise"].force_value(str(theirs.pk))
    form["name"] = "Cape"
    form["kind"] = ElementKind.COSTUME
    form.submit()
    assert not ProtectedElement.objects.filter(name="Cape").exists()
    assert RightsHolder.objects.get(pk=warner.pk).franchises.count() == 1
