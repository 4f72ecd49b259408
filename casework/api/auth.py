"""Who calls the API, what they may do, and how often.

A request carries ``Authorization: Bearer <key>`` (monitoring vendors) or the
signed-in session (the browser, CSRF enforced on writes by DRF). A key acts as its
own service user (see ``casework.models.ApiKey``), so the scoping and role rules of
the pages apply unchanged: ``for_user`` narrows every queryset to the key's holder,
``access.can_edit`` is false for a read key.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions, throttling

from casework import access
from casework.models import ApiKey

# last_used_at is written at most once a minute per key: a busy feed does not turn
# every read into a write.
TOUCH_EVERY = dt.timedelta(seconds=60)


def hash_token(token: str) -> str:
    """SHA-256 of a token: keys are 256-bit random, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>``; ``request.auth`` is the ApiKey."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: send 'Authorization: Bearer <key>'."
            )
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.") from exc
        key = (
            ApiKey.objects.select_related("user")
            .filter(hashed_token=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if key is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        now = timezone.now()
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
        ).update(last_used_at=now)
        return key.user, key

    def authenticate_header(self, request):
        # Makes an unauthenticated request a 401 with WWW-Authenticate, not a 403.
        return 'Bearer realm="api"'


class HolderAccess(permissions.BasePermission):
    """Signed in (key or session) to read; a write key, legal staff or a manager to change."""

    message = "This API key (or user) may only read: a write key is needed to change data."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return access.can_edit(user)


class KeyRateThrottle(throttling.SimpleRateThrottle):
    """API_THROTTLE_RATE requests per key (or per signed-in user, or per address when
    anonymous), counted in Redis through Django's cache, so all web processes share it."""

    scope = "api"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return f"throttle:api:{ident}"
