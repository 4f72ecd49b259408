"""The Redis transport, made to survive a malformed message.

kombu decodes each message it pops from a Redis list before Celery sees it; a
message that is not JSON (or not a kombu envelope) raises out of the worker's
event loop and stops the whole worker ("Unrecoverable error: JSONDecodeError").
This channel logs such a message and drops it instead: it was never delivered,
so it is neither acknowledged nor redelivered, and the next message is read as
usual. Selected with ``CELERY_BROKER_TRANSPORT`` in settings.
"""

import logging
from queue import Empty

from kombu.transport import redis

logger = logging.getLogger(__name__)


class Channel(redis.Channel):
    def _brpop_read(self, **options):
        try:
            return super()._brpop_read(**options)
        except (ValueError, KeyError, TypeError) as exc:  # JSON, UTF-8, envelope shape
            logger.error("Dropped a malformed message from the broker: %r", exc)
            raise Empty() from None


class Transport(redis.Transport):
    Channel = Channel
