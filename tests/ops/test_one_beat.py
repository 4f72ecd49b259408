"""One beat: two `celery beat` processes started by mistake send each periodic task once
per period, and when the one holding the Redis lock dies the other takes over.

Real beat processes (celery-redbeat, settings CELERY_BEAT_SCHEDULER) on the real Redis,
with the real schedule on short periods (tests/ops/beat_app.py) sent to a queue of the
test's own, whose messages are counted.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PERIODS = (3.0, 4.0, 6.0)
LOCK_TIMEOUT = 6
RUN_SECONDS = 24


def start_beat(env, log_path):
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "tests.ops.beat_app", "beat"]
        + ["--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    return process


def stop(process, sig=signal.SIGKILL):
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(timeout=30)
    process.log.close()


def sent(client, queue) -> Counter:
    return Counter(json.loads(m)["headers"]["task"] for m in client.lrange(queue, 0, -1))


def wait_for(predicate, timeout, what, logs):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    tails = "\n".join(f"--- {p}\n{p.read_text()[-3000:]}" for p in logs)
    raise AssertionError(f"Timed out waiting for {what}.\n{tails}")


def test_two_beats_send_each_periodic_task_once_per_period(tmp_path):
    client = redis.Redis.from_url(settings.REDIS_URL)
    run = uuid.uuid4().hex[:8]
    queue = f"beat-test-{run}"
    prefix = f"test-beat-{run}:"
    env = {
        **os.environ,
        "TEST_BEAT_PERIODS": ",".join(str(p) for p in PERIODS),
        "TEST_BEAT_QUEUE": queue,
        "BEAT_KEY_PREFIX": prefix,
        "BEAT_LOCK_TIMEOUT": str(LOCK_TIMEOUT),
        "BEAT_MAX_LOOP_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    logs = [tmp_path / "beat-a.log", tmp_path / "beat-b.log"]
    beats = [start_beat(env, log) for log in logs]
    try:
        wait_for(lambda: client.exists(prefix + ":lock"), 60, "a beat to take the lock", logs)
        holders = wait_for(
            lambda: [n for n, log in enumerate(logs) if "Acquired lock" in log.read_text()],
            10,
            "the lock holder's log",
            logs,
        )
        assert len(holders) == 1
        active = holders[0]
        standby = 1 - active
        started = time.monotonic()
        time.sleep(RUN_SECONDS)
        counts = sent(client, queue)
        elapsed = time.monotonic() - started
        assert all(b.poll() is None for b in beats), "both beats keep running"
        assert "Acquired lock" not in logs[standby].read_text(), "the second beat only waits"

        schedule = sorted(settings.CELERY_BEAT_SCHEDULE)
        for n, name in enumerate(schedule):
            task = settings.CELERY_BEAT_SCHEDULE[name]["task"]
            period = PERIODS[n % len(PERIODS)]
            periods = elapsed / period
            # Once per period (the first run comes at once); two beats would send ~2x, over
            # the bound even for the longest period (4 periods in 24 s). The lower bound
            # allows a loaded machine's late ticks.
            assert periods / 2 <= counts[task] <= periods + 2, (name, counts[task], periods)
        assert set(counts) == {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}

        # The lock holder dies: the other beat takes over once its lock expires.
        stop(beats[active])
        before = sum(sent(client, queue).values())
        wait_for(
            lambda: "Acquired lock" in logs[standby].read_text(),
            LOCK_TIMEOUT + 10,
            "the second beat to take over",
            logs,
        )
        wait_for(
            lambda: sum(sent(client, queue).values()) > before,
            max(PERIODS) + 5,
            "the second beat to send",
            logs,
        )
    finally:
        for beat in beats:
            if not beat.log.closed:
                stop(beat)
        client.delete(queue, *client.keys(prefix + "*"))
