"""The Django admin covers every model, loads for a superuser, and scopes staff."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from casework.models import InfringingItem
from notices.demo import load_demo
from tests.factories import UserFactory

# Every model of the apps; the history rows django-simple-history keeps are shown
# through their object's "History" page in the admin, not as models of their own.
MODELS = [
    m
    for app in ("casework", "notices", "dashboards")
    for m in apps.get_app_config(app).get_models()
    if not m.__name__.startswith("Historical")
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_in_the_admin(model):
    assert admin.site.is_registered(model)


@pytest.mark.django_db
def test_every_changelist_and_change_page_loads_with_the_demo_case(client):
    load_demo()
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    for model in MODELS:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        first = model.objects.order_by("pk").first()
        if first is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change


@pytest.mark.django_db
def test_staff_see_only_their_rights_holders_items_in_the_admin(client):
    from django.contrib.auth.models import Permission

    load_demo()
    staff = UserFactory(username="wb-staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_infringingitem"))
    from casework.models import RightsHolder

    RightsHolder.objects.get(code="WBEI").members.add(staff)
    client.force_login(staff)
    page = client.get(reverse("admin:casework_infringingitem_changelist")).content.decode()
    assert "Superman flight scene recreation" in page
    assert "Young-hee" not in page
    netflix_item = InfringingItem.objects.filter(rights_holder__code="NFLX").first()
    change = reverse("admin:casework_infringingitem_change", args=[netflix_item.pk])
    assert client.get(change).status_code in (302, 404)
