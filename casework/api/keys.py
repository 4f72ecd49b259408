"""API keys: made and revoked by a rights holder's managers (casework/views_keys.py).

A token is ``dsk_`` and 43 URL-safe characters (256 random bits). It is returned
once by ``create_key`` and never stored: the key keeps its SHA-256 and its first
12 characters (``prefix``), which the keys page shows to tell keys apart.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from casework.api.auth import hash_token
from casework.choices import Role
from casework.confirm import Confirmation
from casework.models import ApiKey, ApiKeyScope

TOKEN_PREFIX = "dsk_"  # noqa: S105 - a fixed marker, not a secret
PREFIX_LENGTH = 12


def create_key(holder, *, name: str, scope: str, by) -> tuple[ApiKey, str]:
    """A new key of ``holder`` and its token (show it once; it cannot be read again)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = token[:PREFIX_LENGTH]
    role = Role.LEGAL if scope == ApiKeyScope.WRITE else Role.VIEWER
    with transaction.atomic():
        user = get_user_model().objects.create(
            username=f"api-key-{prefix[len(TOKEN_PREFIX) :]}",
            first_name="API key",
            last_name=name[:150],
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        holder.members.add(user)
        key = ApiKey.objects.create(
            rights_holder=holder,
            name=name,
            scope=scope,
            prefix=prefix,
            hashed_token=hash_token(token),
            user=user,
            created_by=by,
        )
    return key, token


def revoke_confirmation(key: ApiKey) -> Confirmation:
    """What revoking asks first (casework.confirm): it cannot be undone."""
    return Confirmation(
        f"Revoke API key “{key.name}” ({key.prefix}…)?",
        "Programs that use it are refused from now on, and a revoked key cannot be used "
        "again: make a new key to replace it.",
    )


def revoke_key(key: ApiKey, *, by) -> bool:
    """Revoke ``key`` now (its next request is a 401). False if it already was."""
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        if revoked:
            get_user_model().objects.filter(pk=key.user_id).update(is_active=False)
    key.refresh_from_db()
    return bool(revoked)
