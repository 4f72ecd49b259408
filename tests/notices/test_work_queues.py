"""A queue per kind of work: routing is declared once in settings (CELERY_TASK_ROUTES),
every task lands on its kind's queue, a worker without -Q takes every queue, and a real
worker process started on the letters queue alone renders letters and runs no checks."""

import json
from pathlib import Path

import pytest
import redis
from django.conf import settings

from casework import jobs
from config.celery import app as celery_app
from notices import rendering
from notices.choices import LetterStatus
from tests.notices.test_worker_kill import kill_group, start_worker, status_of, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]

# Every task the app sends, and the queue its kind of work runs on.
EXPECTED = {
    "notices.tasks.render_letter": "letters",
    "casework.tasks.checks.check_item": "checks",
    "casework.tasks.checks.run_check_request": "checks",
    "casework.tasks.checks.check_due_items": "checks",
    "casework.tasks.imports.run_import": "imports-exports",
    "notices.tasks.build_export_zip": "imports-exports",
    "casework.tasks.variants.group_evidence": "imports-exports",
    "casework.tasks.variants.group_pending": "imports-exports",
    "casework.tasks.rollups.compact_rollups": "default",
    "dashboards.tasks.render_dashboard_report": "reports",
    "casework.tasks.jobs.sweep_jobs": "default",
    "casework.tasks.checks.sweep_quiet_periods": "default",
    "notices.tasks.sweep_deadlines": "default",
    "notices.tasks.send_reminders": "default",
    "notices.tasks.notify_demand_event": "default",
    "notices.tasks.send_unsent_notifications": "default",
}


def broker():
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def queued_tasks(client, queue):
    """The task names waiting in one queue (kombu's Redis list of that name)."""
    return [json.loads(raw)["headers"]["task"] for raw in client.lrange(queue, 0, -1)]


def test_every_task_is_routed_to_the_queue_of_its_kind():
    celery_app.loader.import_default_modules()
    ours = {n for n in celery_app.tasks if n.split(".")[0] in {"casework", "notices", "dashboards"}}
    assert ours == set(EXPECTED), "a new task: add it to EXPECTED (and to a route if not default)"
    assert set(settings.WORK_QUEUES) == set(EXPECTED.values())
    client = broker()
    celery_app.control.purge()
    # Celery's old default queue: other tests' own Celery apps (the beat test's) may
    # leave messages there; this test must add none.
    old_default = client.llen("celery")
    for name in EXPECTED:
        assert jobs.publish(name, [0])  # through the path every job uses
    for queue in settings.WORK_QUEUES:
        expected = sorted(n for n, q in EXPECTED.items() if q == queue)
        assert sorted(queued_tasks(client, queue)) == expected, queue
    assert client.llen("celery") == old_default  # nothing on Celery's old default queue
    celery_app.control.purge()


def test_a_worker_without_q_consumes_every_queue():
    # `make run` and the test workers (tests/conftest.py) start workers without -Q: a
    # worker selects queues only when given -Q, otherwise it consumes every declared one.
    consumed = celery_app.amqp.queues.consume_from
    assert sorted(consumed) == sorted(settings.WORK_QUEUES)
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    assert "-Q " + ",".join(settings.WORK_QUEUES) in run_sh


def start_worker_on(queues, log_path):
    return start_worker(log_path, queues=queues, pool="solo")


def test_a_worker_on_the_letters_queue_renders_letters_and_runs_no_checks(
    legal, draft, items, tmp_path
):
    client = broker()
    celery_app.control.purge()
    log_path = tmp_path / "worker.log"
    worker = start_worker_on(["letters"], log_path)
    try:
        letter = rendering.request_render(draft, by=legal)
        assert jobs.publish("casework.tasks.checks.check_item", [items[0].pk])
        wait_for(
            lambda: status_of(letter.pk)[0] in (LetterStatus.READY, LetterStatus.FAILED),
            120,
            "the letters worker to render",
            log_path,
        )
    finally:
        kill_group(worker)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY, letter.error
    # The check is still waiting on its own queue, untouched.
    assert queued_tasks(client, "checks") == ["casework.tasks.checks.check_item"]
    log = log_path.read_text()
    assert "Task notices.tasks.render_letter[" in log  # received ...
    assert "Task casework.tasks.checks" not in log
    assert not items[0].checks.exists()
    celery_app.control.purge()
