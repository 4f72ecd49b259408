"""The request id travels from the request that enqueues a task into the worker's JSON
log lines of that task (config/requestid.py): a real worker process, a real form."""

import json

import pytest
from django.urls import reverse

from config.celery import app as celery_app
from notices.choices import LetterStatus
from notices.models import Letter
from tests.notices.test_work_queues import start_worker_on
from tests.notices.test_worker_kill import kill_group, status_of, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_request_id_reaches_the_log_lines_of_the_task_it_enqueued(
    app, legal, draft, tmp_path, monkeypatch
):
    monkeypatch.setenv("LOG_FORMAT", "json")  # the worker process's environment
    celery_app.control.purge()
    log_path = tmp_path / "worker.log"
    worker = start_worker_on(["letters"], log_path)
    try:
        page = app.get(reverse("notices:demand-detail", args=[draft.pk]), user=legal)
        answer = page.forms["letter-request"].submit(headers={"X-Request-ID": "req-4f2a-test"})
        assert answer.headers["X-Request-ID"] == "req-4f2a-test"
        letter = Letter.objects.get(demand=draft)
        wait_for(
            lambda: status_of(letter.pk)[0] in (LetterStatus.READY, LetterStatus.FAILED),
            120,
            "the worker to render",
            log_path,
        )
    finally:
        kill_group(worker)
    lines = []
    for raw in log_path.read_text().splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            continue  # the worker's start-up banner is plain text
    ours = [line for line in lines if line.get("request_id") == "req-4f2a-test"]
    assert any(f"Letter {letter.pk} rendered" in line["message"] for line in ours), lines[-10:]
    assert all(line["level"] and line["logger"] for line in ours)
