"""Workers that survive poison and keep their own limits.

A real `celery worker` process on the real Redis broker: malformed messages
pushed straight into its queue are logged and dropped, and the next real task
(a letter render) still runs. Messages carry no time limits, so the worker's
own configuration decides them.
"""

import json

import pytest
import redis
from django.conf import settings

from notices import drafting, rendering
from notices.choices import LetterStatus
from tests.notices.test_worker_kill import kill_group, start_worker, status_of, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

POISON = [
    b"\xff\xfe not even utf-8",
    b"{this is not json",
    b'"a bare string"',
    b'{"body": "no envelope"}',
]


def test_malformed_messages_are_dropped_and_the_worker_keeps_working(legal, items, tmp_path):
    from config.celery import app

    app.control.purge()
    broker = redis.Redis.from_url(settings.REDIS_URL)
    for raw in POISON:
        broker.lpush("default", raw)  # a queue every worker without -Q reads
    demand = drafting.draft_demand(legal, [i.pk for i in items])

    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path)
    try:
        letter = rendering.request_render(demand, by=legal)

        def rendered():
            assert worker.poll() is None, "the worker stopped:\n" + log_path.read_text()[-2000:]
            return (s := status_of(letter.pk))[0] == LetterStatus.READY and s

        status, _ = wait_for(
            rendered,
            120,
            "the worker to render after the poison",
            log_path,
        )
        # The poison waits on the default queue, the render on the letters queue: the
        # worker may render first, so wait for it to have read every poisoned message.
        wait_for(
            lambda: log_path.read_text().count("Dropped a malformed message") >= len(POISON),
            60,
            "the worker to drop every malformed message",
            log_path,
        )
        assert worker.poll() is None, "the worker is still running"
    finally:
        kill_group(worker)
    log = log_path.read_text()
    assert log.count("Dropped a malformed message") == len(POISON)
    assert "Unrecoverable error" not in log
    assert status == LetterStatus.READY


def test_published_messages_leave_time_limits_to_the_worker(legal, items):
    """The publisher's limits (240/300 s here) are not stamped on the message."""
    from config.celery import app

    app.control.purge()
    demand = drafting.draft_demand(legal, [i.pk for i in items])
    rendering.request_render(demand, by=legal)
    broker = redis.Redis.from_url(settings.REDIS_URL)
    raw = broker.lindex("letters", 0)  # its queue (settings.CELERY_TASK_ROUTES)
    assert raw, "the render task was published"
    headers = json.loads(raw)["headers"]
    assert headers["task"].endswith("render_letter")
    assert headers["timelimit"] == [None, None]
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT  # the worker's default
    app.control.purge()
