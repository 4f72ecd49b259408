"""The docker-compose processes without Docker: gunicorn, a Celery worker and beat on
PostgreSQL and Redis with production settings (DEBUG off, manifest static files)."""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from notices.choices import LetterStatus
from notices.models import Demand, Letter
from notices.rendering import request_render
from tests.test_make_run_smoke import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def stack(transactional_db, tmp_path, settings):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "p9#stack-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "desist.example,127.0.0.1",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "STATIC_MANIFEST": "true",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_COOKIES": "true",
        "JOB_SWEEP_SECONDS": "1",
        "DESIST_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    commands = {
        "web": [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        "worker": [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
        ],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            f"--schedule={tmp_path / 'beat-schedule'}",
        ],
    }
    procs, logs = {}, {}
    for name, command in commands.items():
        logs[name] = tmp_path / f"{name}.log"
        procs[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=open(logs[name], "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:

        def healthy():
            req = urllib.request.Request(
                base + "/healthz", headers={"Host": "desist.example", "X-Forwarded-Proto": "https"}
            )
            try:
                return urllib.request.urlopen(req, timeout=2).status == 200
            except OSError:
                return False

        wait_for(healthy, 60, "gunicorn")
        yield base, procs, logs
    finally:
        for proc in procs.values():
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def test_production_processes_serve_render_and_schedule(stack):
    from notices.demo import load_demo

    base, procs, logs = stack
    load_demo()
    opener = urllib.request.build_opener(NoRedirect)

    # Plain http is redirected to https; the health check is exempt.
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(
            urllib.request.Request(base + "/accounts/login/", headers={"Host": "desist.example"})
        )
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"].startswith("https://desist.example/")

    # Behind the TLS proxy: hashed static files, strict headers.
    page = opener.open(
        urllib.request.Request(
            base + "/accounts/login/",
            headers={"Host": "desist.example", "X-Forwarded-Proto": "https"},
        )
    )
    html = page.read().decode()
    assert "Content-Security-Policy" in page.headers
    assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    css = next(
        part
        for part in html.split('"')
        if part.startswith("/static/css/app.") and part.endswith(".css")
    )
    assert css != "/static/css/app.css", "production serves hashed static names"
    static = opener.open(
        urllib.request.Request(
            base + css, headers={"Host": "desist.example", "X-Forwarded-Proto": "https"}
        )
    )
    assert static.status == 200

    # The worker renders a letter from Redis.
    letter = request_render(Demand.objects.get(rights_holder__code="NFLX", status="draft"))

    def ready():
        letter.refresh_from_db()
        assert letter.status != LetterStatus.FAILED, letter.error
        return letter.status == LetterStatus.READY

    wait_for(ready, 120, "the worker to render the letter")
    assert Letter.objects.get(pk=letter.pk).pages >= 2

    # Beat sends the job sweeper (every second here) and the worker runs it.
    wait_for(lambda: "casework.tasks.jobs.sweep_jobs" in logs["beat"].read_text(), 60, "beat")
    wait_for(
        lambda: "casework.tasks.jobs.sweep_jobs" in logs["worker"].read_text(),
        60,
        "the worker to run the sweeper beat sent",
    )
    assert all(proc.poll() is None for proc in procs.values())
