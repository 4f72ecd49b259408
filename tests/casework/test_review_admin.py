"""Admin pages for staff who are not superusers name no other rights holder."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import FranchiseFactory, ItemFactory, UserFactory


def test_admin_filters_and_choices_name_only_the_staffs_rights_holders(client, netflix, warner):
    FranchiseFactory(rights_holder=warner, name="Superman")
    ItemFactory(rights_holder=warner)
    ItemFactory(rights_holder=netflix)
    staff = UserFactory(username="nf-staff", is_staff=True, holders=[netflix])
    codenames = [
        "view_infringingitem",
        "view_franchise",
        "add_franchise",
        "view_protectedelement",
        "add_protectedelement",
        "view_demand",
        "add_holderclosureday",
        "view_holderclosureday",
    ]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff)
    pages = [
        "admin:casework_infringingitem_changelist",
        "admin:casework_franchise_changelist",
        "admin:casework_franchise_add",
        "admin:casework_protectedelement_add",
        "admin:notices_demand_changelist",
        # Template versions are read-only in the admin; closure days pick a rights holder.
        "admin:notices_holderclosureday_add",
    ]
    for name in pages:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "Warner" not in body, name
        assert "Superman" not in body, name
