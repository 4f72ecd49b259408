"""Admin edits are recorded (django-simple-history) and shown on the object."""

import pytest
from django.urls import reverse

from tests.factories import ItemFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(netflix):
    return UserFactory(username="root", is_staff=True, is_superuser=True, holders=[netflix])


def test_an_admin_edit_of_an_item_shows_on_its_page_and_in_its_admin_history(
    app, admin_user, legal, netflix
):
    item = ItemFactory(rights_holder=netflix, title="Doll clip", logged_by=legal)
    change = reverse("admin:casework_infringingitem_change", args=[item.pk])
    form = app.get(change, user=admin_user).forms["infringingitem_form"]
    form["title"] = "Young-hee doll clip (corrected)"
    form.submit("_save").follow()

    page = app.get(item.get_absolute_url(), user=legal)
    changes = page.html.find(id="changes-h").find_parent("section").get_text(" ", strip=True)
    assert "root" in changes
    assert "Changed Title: Doll clip → Young-hee doll clip (corrected)" in changes

    history = app.get(
        reverse("admin:casework_infringingitem_history", args=[item.pk]), user=admin_user
    )
    assert "Young-hee doll clip (corrected)" in history.text or "Changed" in history.text
    assert item.history.count() == 2
    assert item.history.first().history_user == admin_user


def test_who_may_see_a_rights_holder_is_recorded_when_members_change(app, admin_user, netflix):
    newcomer = UserFactory(username="new-paralegal")
    change = reverse("admin:casework_rightsholder_change", args=[netflix.pk])
    form = app.get(change, user=admin_user).forms["rightsholder_form"]
    form["members"].force_value([str(u.pk) for u in netflix.members.all()] + [str(newcomer.pk)])
    form.submit("_save").follow()
    latest = netflix.history.first()
    assert latest.history_user == admin_user
    assert newcomer.pk in {m.user_id for m in latest.members.all()}
