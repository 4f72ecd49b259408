"""Forms outside one app's pages, submitted as rendered (django-webtest): signing in and
out, the dashboard's filters; and a guard that every <form> on the app's pages has a
stable, unique id for tests to pick it by."""

import pytest
from django.urls import reverse

from casework.choices import Stage
from tests.factories import PASSWORD, FranchiseFactory, ItemFactory
from tests.webforms import form_ids

LOGIN = reverse("login")

pytestmark = pytest.mark.django_db


def sign_in_form(app, username, password, next_url=None):
    form = app.get(LOGIN + (f"?next={next_url}" if next_url else "")).forms["login"]
    form["username"] = username
    form["password"] = password
    return form


def test_sign_in_through_the_form_goes_to_next(app, legal):
    item_list = reverse("casework:item-list")
    response = sign_in_form(app, legal.username, PASSWORD, next_url=item_list).submit()
    assert response.status_code == 302 and response["Location"] == item_list
    page = response.follow()
    assert "nf-legal" in page.html.select_one(".who").text


def test_a_wrong_password_is_refused_on_the_form(app, legal):
    page = sign_in_form(app, legal.username, "wrong").submit()
    assert page.status_code == 200
    assert "enter a correct username and password" in page.html.select_one("#login").text
    assert "sign-out" not in page.forms


def test_repeated_wrong_passwords_lock_the_account(app, legal, settings):
    # The right password, typed in a sign-in page opened before the failures.
    right = sign_in_form(app, legal.username, PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_form(app, legal.username, "wrong").submit(expect_errors=True)
    response = right.submit(status=429)
    assert "sign-out" not in response.forms
    assert app.get(reverse("casework:item-list")).status_code == 302  # still signed out


def test_sign_out_through_the_header_form(app, legal):
    page = app.get(reverse("casework:item-list"), user=legal)
    response = page.forms["sign-out"].submit()
    assert response["Location"] == LOGIN
    assert app.get(reverse("casework:item-list"))["Location"].startswith(LOGIN)


# --- dashboard filters ----------------------------------------------------------------


@pytest.fixture
def two_franchises(netflix, squid_game):
    bridgerton = FranchiseFactory(rights_holder=netflix, name="Bridgerton")
    ItemFactory.create_batch(2, rights_holder=netflix, franchise=squid_game)
    ItemFactory(rights_holder=netflix, franchise=bridgerton)
    return squid_game, bridgerton


def kpi(page, name):
    return page.html.select_one(f"#kpi-{name}").text.strip()


def test_dashboard_filters_narrow_the_figures(app, manager, two_franchises):
    squid_game, bridgerton = two_franchises
    page = app.get(reverse("dashboard:index"), user=manager)
    assert kpi(page, "items") == "3"
    form = page.forms["dashboard-filters"]
    form["franchise"] = str(bridgerton.pk)
    page = form.submit()
    assert kpi(page, "items") == "1"
    assert page.forms["dashboard-filters"]["franchise"].value == str(bridgerton.pk)
    # The PDF report under the figures carries the same filters.
    assert page.forms["report-create"]["franchise"].value == str(bridgerton.pk)


def test_dashboard_filter_errors_name_the_field(app, manager, two_franchises):
    form = app.get(reverse("dashboard:index"), user=manager).forms["dashboard-filters"]
    form["date_from"] = "2026-03-10"
    form["date_to"] = "2026-03-01"
    page = form.submit()
    errors = page.html.select_one("#dashboard-filters").text
    assert "“To” must not be before “From”." in errors
    assert kpi(page, "items") == "3"  # an invalid range is ignored, not half-applied


# --- every form has a stable id -----------------------------------------------------------


def test_every_form_on_the_pages_has_a_unique_id(app, legal, manager, netflix, squid_game, doll):
    item = ItemFactory(rights_holder=netflix, franchise=squid_game, elements=[doll])
    from casework import stages

    stages.transition(item, Stage.NOTIFIED)
    pages = [
        (LOGIN, None),
        (reverse("casework:item-list"), legal),
        (reverse("casework:item-create"), legal),
        (reverse("casework:item-detail", args=[item.pk]), manager),
        (reverse("imports:start"), legal),
        (reverse("notices:demand-list"), legal),
        (reverse("notices:template-list"), legal),
        (reverse("dashboard:index"), manager),
        (reverse("dashboard:board"), legal),
    ]
    for url, user in pages:
        app.reset()
        page = app.get(url, user=user) if user else app.get(url)
        ids = form_ids(page)
        assert ids and all(ids), (url, ids)
        assert len(ids) == len(set(ids)), (url, ids)
