"""Roles and rights-holder membership: who may do what.

Roles are Django groups (Legal staff, Manager, Viewer); membership in rights
holders is ``RightsHolder.members``. Data scoping itself lives in
``ScopedQuerySet.for_user``.
"""

from collections import namedtuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from casework.choices import Role

# What the page header shows of a holder (``user_holders``): its name.
HolderName = namedtuple("HolderName", "pk name")


def remember_membership(user, groups, holder_ids, holder_names) -> None:
    """Keep the user's group names and rights holders (ids and names, by name) on the
    user object, read with it (casework.backends): the functions here and
    ``member_holder_ids`` then ask nothing more for this request."""
    user._desist_groups = set(groups)
    user._desist_holder_ids = list(holder_ids)
    pairs = zip(holder_ids, holder_names, strict=True)
    user._desist_holder_names = [HolderName(pk, name) for pk, name in pairs]


def _group_names(user) -> set[str]:
    if not hasattr(user, "_desist_groups"):
        user._desist_groups = set(user.groups.values_list("name", flat=True))
    return user._desist_groups


def role_of(user) -> str:
    if user.is_superuser:
        return "Administrator"
    names = _group_names(user)
    for role in (Role.MANAGER, Role.LEGAL, Role.VIEWER):
        if role.value in names:
            return role.label
    return ""


def holders_of(user):
    if not hasattr(user, "_desist_holders"):
        from casework.models import RightsHolder

        user._desist_holders = list(RightsHolder.objects.for_user(user))
    return user._desist_holders


def holder_names(user) -> list[HolderName]:
    """The rights holders the page header names, by name: all of them for a superuser."""
    if user.is_superuser or not hasattr(user, "_desist_holder_names"):
        return [HolderName(h.pk, h.name) for h in holders_of(user)]
    return user._desist_holder_names


def colleagues_of(user):
    """The users who share a rights holder with ``user`` (and ``user``): all for a superuser."""
    from casework.models import RightsHolder, member_holder_ids

    users = get_user_model()._default_manager.all()
    if user.is_superuser:
        return users
    shared = RightsHolder.members.through.objects.filter(
        user_id=OuterRef("pk"), rightsholder_id__in=member_holder_ids(user)
    )
    return users.filter(Exists(shared) | Q(pk=user.pk))


def can_edit(user) -> bool:
    """Legal staff and managers change data; viewers only read."""
    return user.is_superuser or bool(_group_names(user) & {Role.LEGAL.value, Role.MANAGER.value})


def is_manager(user) -> bool:
    return user.is_superuser or Role.MANAGER.value in _group_names(user)


def require_edit(user):
    if not can_edit(user):
        raise PermissionDenied("Viewers cannot change anything.")


def require_manager(user):
    if not is_manager(user):
        raise PermissionDenied("Only a manager can do this.")


def get_for(user, queryset, action: str = "view", **lookup):
    """The one row ``user`` may ``action`` ("view", "change" or "manage").

    The row's scope is checked first and then the action, always both and in
    that order: another rights holder's row is a 404 (nothing confirms it
    exists), a row the user sees but may not change is a 403.
    """
    obj = get_object_or_404(queryset.for_user(user), **lookup)
    if action == "manage":
        require_manager(user)
    elif action == "change":
        require_edit(user)
    elif action != "view":
        raise ValueError(f"Unknown action {action!r}")
    return obj


def ensure_groups():
    """Create the role groups (idempotent)."""
    return [Group.objects.get_or_create(name=role.value)[0] for role in Role]
