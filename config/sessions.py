"""Sessions in the database, read through the Redis cache (SESSION_ENGINE).

Django's ``cached_db``: every signed-in request reads its session from Redis instead of
PostgreSQL; writes go to both, the database stays the record. One difference: a Redis
that does not answer costs a request the cache's timeout, never the request itself
(like the catalogue's choices). Its cache reads count as misses (the database answers),
and its writes and deletes are logged and skipped, so pages, signing in and signing out
all work during an outage. A session signed out during one keeps its cached copy until
it expires (README: flush those keys after an outage).
"""

import logging

from django.contrib.sessions.backends import cached_db

from casework.catalogue import CACHE_ERRORS

logger = logging.getLogger(__name__)


class _Forgiving:
    """The session cache, with a Redis that does not answer read as a miss and its
    failed writes and deletes logged instead of raised."""

    def __init__(self, cache):
        self._cache = cache

    def _failed(self, what, exc):
        logger.warning("Session cache unavailable (%s): %s", what, exc)

    def get(self, key, default=None):
        try:
            return self._cache.get(key, default)
        except CACHE_ERRORS as exc:
            self._failed("read", exc)
            return default

    def __contains__(self, key):
        try:
            return key in self._cache
        except CACHE_ERRORS as exc:
            self._failed("read", exc)
            return False  # the database says whether the key is taken

    def set(self, key, value, timeout=None):
        try:
            self._cache.set(key, value, timeout)
        except CACHE_ERRORS as exc:
            self._failed("write", exc)

    def delete(self, key):
        try:
            self._cache.delete(key)
        except CACHE_ERRORS as exc:
            self._failed("delete", exc)

    def __getattr__(self, name):  # the async methods, unused under WSGI
        return getattr(self._cache, name)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _Forgiving(self._cache)
