"""Sessions in the database, read through the Redis cache (SESSION_ENGINE).

Django's ``cached_db``: every signed-in request reads its session from Redis instead of
PostgreSQL; writes go to both, the database stays the record. One difference: a Redis
that does not answer while a session is read from the database (and cached) costs the
request the cache's timeout, never the request itself, like the catalogue's choices.
"""

from django.contrib.sessions.backends import cached_db, db
from redis.exceptions import RedisError

CACHE_ERRORS = (RedisError, OSError)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            return super().load()
        except CACHE_ERRORS:  # caching what the database had failed: serve it uncached
            return db.SessionStore.load(self)
