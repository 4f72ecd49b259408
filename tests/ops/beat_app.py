"""The project's Celery app with the real beat schedule on short test periods.

`celery -A tests.ops.beat_app beat` (tests/ops/test_one_beat.py): every periodic task of
settings.CELERY_BEAT_SCHEDULE, every TEST_BEAT_PERIODS seconds in turn, sent to the
TEST_BEAT_QUEUE queue that no worker consumes, so the test can count what arrived.
"""

import os

from django.conf import settings

from config.celery import app

_periods = [float(p) for p in os.environ["TEST_BEAT_PERIODS"].split(",")]
app.conf.beat_schedule = {
    name: {
        **entry,
        "schedule": _periods[n % len(_periods)],
        "options": {"queue": os.environ["TEST_BEAT_QUEUE"]},
    }
    for n, (name, entry) in enumerate(sorted(settings.CELERY_BEAT_SCHEDULE.items()))
}
