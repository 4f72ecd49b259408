"""Throughput: gunicorn (gunicorn.conf.py) on 127.0.0.1 against the bench database, driven
by a small threaded HTTP client with a signed-in session: requests per second, p50 and
p95 of /items/, /dashboard/ and /healthz (the ceiling: one SELECT 1) at concurrency 8
and 16.

The driver runs on the same two cores as the server, so the figures are a floor of
what the server does with a client elsewhere. ``BENCH_GUNICORN_ARGS`` adds gunicorn
options (``"--workers 2 --threads 1"``) to compare settings; ``BENCH_THROUGHPUT_SECONDS``
sets how long each level runs (default 8).
"""

from __future__ import annotations

import http.client
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.bench.registry import Row, scenario

ROOT = Path(__file__).resolve().parents[3]
LEVELS = (8, 16)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_cookie(user) -> str:
    """A signed-in session for ``user``, as the login view would store it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()  # in the database; the server's engine caches it on first read
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _manager(ctx):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from casework.choices import Role

    user, created = get_user_model().objects.get_or_create(
        username="bench-manager", defaults={"email": "bench-manager@desist.example"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.MANAGER.value)[0])
    ctx.holder.members.add(user)
    return user


def _start(port: int):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "STATIC_MANIFEST": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    args = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", str(ROOT / "gunicorn.conf.py")]
    args += shlex.split(os.environ.get("BENCH_GUNICORN_ARGS", ""))
    # Its log (one JSON line per request) goes to a file: a pipe nobody reads fills up
    # after a few hundred requests and then every worker blocks on writing to it.
    log = ROOT / "var" / "bench-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-500:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def drive(port: int, path: str, cookie: str, concurrency: int, seconds: float, warmup=2.0):
    """``concurrency`` threads asking for ``path`` for ``seconds`` (after ``warmup``
    seconds: every worker thread compiles its templates on its first requests):
    (latencies in ms, requests per second, non-200 answers)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic()
    warm_until, stop_at = start + warmup, start + warmup + seconds
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while True:
            began = time.monotonic()
            if began >= stop_at:
                break
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            ended = time.monotonic()
            if began >= warm_until:
                mine.append((ended - began) * 1000)
                bad += not ok
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, len(latencies) / seconds, errors[0]


@scenario("throughput", "requests per second under gunicorn (gunicorn.conf.py)", order=90)
def throughput(ctx):
    seconds = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", 3 if ctx.quick else 8))
    legal = _session_cookie(ctx.legal)
    manager = _session_cookie(_manager(ctx))
    port = _free_port()
    proc = _start(port)
    extra = os.environ.get("BENCH_GUNICORN_ARGS", "")
    try:
        for path, cookie, who in (
            ("/healthz", legal, "ceiling: SELECT 1"),
            ("/items/", legal, "legal staff, unfiltered"),
            ("/dashboard/", manager, "manager"),
        ):
            for level in LEVELS:
                samples, rate, errors = drive(port, path, cookie, level, seconds)
                note = f"{rate:,.0f} req/s; {who}"
                if errors:
                    note += f"; {errors} non-200"
                if extra:
                    note += f"; gunicorn {extra}"
                yield Row(
                    f"{path} at concurrency {level}",
                    len(samples),
                    samples,
                    baseline=(path == "/healthz" and level == LEVELS[0]),
                    note=note,
                )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
