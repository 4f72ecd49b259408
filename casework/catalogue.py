"""The catalogue a user filters by, read once and cached: holders, franchises, elements,
platforms and respondents as (id, label) choices.

The item list shows these dropdowns on every page; reading and rendering them was
most of the page's Python time. They change seldom, so they are cached per set of
rights holders (everyone who sees the same holders sees the same choices) under a
catalogue *version*: saving or deleting any catalogue row stores a new version, and
every cached entry of an older version is ignored from then on. The version is
bumped when the row is saved and again when its transaction commits, so a reader
that cached the old rows between the two cannot keep them.

Cache trouble (Redis down) costs speed, never the page: the choices are then read
from the database.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from redis.exceptions import RedisError

from casework.models import (
    Franchise,
    Platform,
    ProtectedElement,
    Respondent,
    RightsHolder,
    member_holder_ids,
)

log = logging.getLogger(__name__)

VERSION_KEY = "catalogue:version"
# A safety net only: a change is seen at once through the version.
TIMEOUT = 3600
# What a cache that cannot be reached raises (the Redis cache; LocMem never fails).
CACHE_ERRORS = (RedisError, OSError)
CATALOGUE_MODELS = (RightsHolder, Franchise, ProtectedElement, Platform, Respondent)


def _scope_key(user) -> str:
    if user.is_superuser:
        return "all"
    return ",".join(str(pk) for pk in sorted(member_holder_ids(user))) or "none"


def read(user) -> dict[str, list[tuple[int, str]]]:
    """The choices ``user`` may filter by, scoped like ``for_user``: one cache round trip."""
    key = f"catalogue:choices:{_scope_key(user)}"
    try:
        found = cache.get_many([VERSION_KEY, key])
    except CACHE_ERRORS:
        log.warning("catalogue cache unavailable; reading the choices from the database")
        return load(user)
    version, entry = found.get(VERSION_KEY), found.get(key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    choices = load(user)
    try:
        if version is None:
            version = _new_version(add_only=True)
        cache.set(key, (version, choices), TIMEOUT)
    except CACHE_ERRORS:
        log.warning("catalogue cache unavailable; choices not cached")
    return choices


def load(user) -> dict[str, list[tuple[int, str]]]:
    """The choices straight from the database (four queries)."""
    elements = (
        ProtectedElement.objects.for_user(user)
        .order_by("franchise__name", "name")
        .values_list("pk", "franchise__name", "name")
    )
    return {
        "rights_holder": list(RightsHolder.objects.for_user(user).values_list("pk", "name")),
        "franchise": list(Franchise.objects.for_user(user).values_list("pk", "name")),
        "element": [(pk, f"{franchise} — {name}") for pk, franchise, name in elements],
        "platform": list(Platform.objects.values_list("pk", "name")),
        "respondent": list(Respondent.objects.values_list("pk", "name")),
    }


def _new_version(add_only: bool = False) -> str:
    version = uuid.uuid4().hex
    if add_only:
        # Two first readers at once: one version wins, both use it.
        cache.add(VERSION_KEY, version, None)
        return cache.get(VERSION_KEY) or version
    cache.set(VERSION_KEY, version, None)
    return version


def changed(**kwargs) -> None:
    """A catalogue row was saved or deleted: every cached choice list is stale."""
    try:
        _new_version()
    except CACHE_ERRORS:
        log.warning("catalogue cache unavailable; version not bumped")
    transaction.on_commit(_bump_quietly, robust=True)


def _bump_quietly() -> None:
    try:
        _new_version()
    except CACHE_ERRORS:
        log.warning("catalogue cache unavailable; version not bumped")


def connect() -> None:
    """Called once from ``CaseworkConfig.ready``."""
    for model in CATALOGUE_MODELS:
        post_save.connect(changed, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        post_delete.connect(
            changed, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}"
        )
