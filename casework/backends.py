"""Sign-in backend: Django's ModelBackend, reading the user's roles and rights holders
with the user.

Every signed-in request loads its user; the header (role, holders), ``for_user`` and the
role checks then asked for the user's groups, holder ids and holders: three more
queries on every page. Here they come back as arrays in the user's own row, read
fresh on every request (a changed role or membership counts at the next request).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from casework import access
from casework.models import RightsHolder


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager
        holders = RightsHolder.objects.filter(members=OuterRef("pk")).order_by("name", "pk")
        try:
            user = users.annotate(
                role_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name")),
                holder_ids=ArraySubquery(holders.values("pk")),
                holder_names=ArraySubquery(holders.values("name")),
            ).get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        access.remember_membership(user, user.role_names, user.holder_ids, user.holder_names)
        return user
