"""The admin, for a staff member who is not a superuser, names no other rights holder.

Every registered model's list, add and change page is opened by Netflix staff
holding every view/add/change permission; nothing of Warner's (its name, its
franchise, its people) may appear in lists, filters or dropdowns.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from casework.choices import Role
from tests.factories import FranchiseFactory, ItemFactory, UserFactory

pytestmark = pytest.mark.django_db

OTHERS = ["Warner", "Superman", "wb-legal", "wb-secret-colleague"]


@pytest.fixture
def staff(netflix, warner, legal):
    FranchiseFactory(rights_holder=warner, name="Superman")
    ItemFactory(rights_holder=warner)
    ItemFactory(rights_holder=netflix)
    UserFactory(username="wb-legal", role=Role.LEGAL, holders=[warner])
    UserFactory(username="wb-secret-colleague", role=Role.MANAGER, holders=[warner])
    user = UserFactory(username="nf-staff", is_staff=True, holders=[netflix])
    user.user_permissions.add(*Permission.objects.filter(codename__regex=r"^(view|add|change)_"))
    return user


def _admin_pages():
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        for page in ("changelist", "add"):
            try:
                yield model, model_admin, page, reverse(f"admin:{info[0]}_{info[1]}_{page}")
            except NoReverseMatch:
                continue


def test_every_admin_page_names_only_the_staffs_rights_holders(client, staff):
    client.force_login(staff)
    opened = 0
    for model, model_admin, page, url in _admin_pages():
        response = client.get(url)
        if response.status_code == 403:
            continue  # no add permission for this model (append-only rows)
        assert response.status_code == 200, url
        body = response.content.decode()
        for other in OTHERS:
            assert other not in body, f"{other} shown on {url}"
        opened += 1
        first = model_admin.get_queryset(_request(staff)).first()
        if page == "changelist" and first is not None:
            info = (model._meta.app_label, model._meta.model_name)
            change = reverse(f"admin:{info[0]}_{info[1]}_change", args=[first.pk])
            body = client.get(change).content.decode()
            for other in OTHERS:
                assert other not in body, f"{other} shown on {change}"
    assert opened >= 20


def test_the_user_list_shows_only_colleagues(client, staff, legal):
    client.force_login(staff)
    body = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert legal.username in body and "nf-staff" in body
    assert "wb-legal" not in body and "wb-secret-colleague" not in body
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.get(username="wb-legal")
    response = client.get(reverse("admin:auth_user_change", args=[outsider.pk]))
    assert response.status_code in (302, 404)
    assert "wb-legal" not in client.get(response.get("Location", "/admin/")).content.decode()


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request
