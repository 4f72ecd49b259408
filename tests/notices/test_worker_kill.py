"""A worker process killed with SIGKILL mid-render: the render is finished by the
restarted worker, with exactly one ready version (late ack + lease on the row).

The worker runs as a real `celery -A config worker --pool=prefork` process on the
real Redis broker, with a short visibility timeout so Redis redelivers the
unacknowledged message, and a short lease (JOB_LEASE_SECONDS) so the
redelivered task may take over the dead worker's claim.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from notices import drafting, rendering
from notices.choices import LetterStatus
from notices.models import Demand, Letter

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 5
LEASE = 3


def worker_env():
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY),
        JOB_LEASE_SECONDS=str(LEASE),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_worker(log_path, *, queues=(), pool="prefork", env=None):
    """A real ``celery worker`` in its own process group, logging to ``log_path``:
    every queue unless ``queues`` names some; ``env`` defaults to ``worker_env()``."""
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
    args = [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker"]
    if queues:
        args += ["-Q", ",".join(queues)]
    args += [f"--pool={pool}", *(["-c", "1"] if pool == "prefork" else [])]
    args += ["--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "info"]
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env or worker_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL reaches the pool child too
    )
    process.log = log
    return process


def drop_queued_messages():
    """Drop every queued message, and every one a killed worker left unacknowledged:
    Redis hands those back once the visibility timeout has passed (5 s for these
    workers), so a leftover of an earlier test could keep a one-process worker busy
    (or waiting on a table the test holds locked)."""
    from config.celery import app

    app.control.purge()
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.client.delete(channel.unacked_key, channel.unacked_index_key)


def kill_group(process):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.log.close()


def wait_for(predicate, timeout, what, log_path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(
        f"Timed out waiting for {what}. Worker log:\n{log_path.read_text()[-4000:]}"
    )


def status_of(letter_id):
    connection.close()  # a fresh read each time
    return Letter.objects.values_list("status", "attempts").get(pk=letter_id)


def test_sigkill_mid_render_then_restart_finishes_with_one_version(legal, items, tmp_path):
    from config.celery import app

    app.control.purge()  # leftovers of other tests must not keep the worker busy
    demand = drafting.draft_demand(legal, [i.pk for i in items])
    # A long letter, so the render is still running when the worker is killed.
    Demand.objects.filter(pk=demand.pk).update(
        paragraphs="\n\n".join(
            f"Paragraph {n}: the outputs reproduce protected expression of the works. " * 6
            for n in range(600)
        )
    )
    log_path = tmp_path / "worker.log"
    first = start_worker(log_path)
    try:
        letter = rendering.request_render(demand, by=legal)
        wait_for(
            lambda: status_of(letter.pk)[0] == LetterStatus.RENDERING,
            120,
            "the first worker to start rendering",
            log_path,
        )
        killed_at = time.monotonic()
    finally:
        kill_group(first)
    assert status_of(letter.pk) == (LetterStatus.RENDERING, 1)  # killed mid-render

    # Redis gives the unacknowledged message back once the visibility timeout has
    # passed; the restarted worker restores it when it starts polling.
    time.sleep(max(0.0, VISIBILITY + 1 - (time.monotonic() - killed_at)))
    second = start_worker(log_path)
    try:
        status, attempts = wait_for(
            lambda: (
                (s := status_of(letter.pk))[0] in (LetterStatus.READY, LetterStatus.FAILED) and s
            ),
            240,
            "the restarted worker to finish the render",
            log_path,
        )
    finally:
        kill_group(second)
    letter.refresh_from_db()
    assert status == LetterStatus.READY, letter.error
    assert attempts == 2
    assert Letter.objects.filter(demand=demand).count() == 1
    assert Letter.objects.filter(demand=demand, status=LetterStatus.READY).count() == 1
    assert letter.pages > 20 and letter.sha256
    print(f"long letter: {letter.pages} pages in {letter.render_ms} ms")
