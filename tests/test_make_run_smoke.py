"""The `make run` path end to end: scripts/run.sh with no DATABASE_URL / REDIS_URL starts
an embedded PostgreSQL 18 and Redis (pip packages) with their data in its var folder;
then sign in over HTTP, list items, and have the worker it started render a letter.
Stopping run.sh stops both servers; a second run finds the data again."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class RunSh:
    """One `make run` (scripts/run.sh) in its own process group, on its own var folder."""

    def __init__(self, var_dir: Path):
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MEDIA_ROOT", "EMAIL_URL")
            and not k.startswith(("SECURE_", "STATIC_"))
            and k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")  # run.sh turns DEBUG on
        }
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env.update({"DESIST_VAR_DIR": str(var_dir), "PORT": str(self.port)})
        self.log = open(var_dir / f"run-{self.port}.log", "w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            ["scripts/run.sh"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._up, 240, "the web app")
        banner = self.output()
        # The URLs run.sh exported for its own processes, for this test's shell commands.
        self.env["DATABASE_URL"] = re.search(r"Database:\s+(postgres://\S+)", banner).group(1)
        self.env["REDIS_URL"] = re.search(r"Broker:\s+(redis://\S+)", banner).group(1)
        self.env["DEBUG"] = "true"

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def _up(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"run.sh exited:\n{self.output()[-3000:]}")
        try:
            return urllib.request.urlopen(self.base + "/healthz", timeout=2).status == 200
        except OSError:
            return False

    def shell(self, code: str) -> str:
        """The last line printed by ``manage.py shell -c code`` against run.sh's servers."""
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""

    def stop(self, sig=signal.SIGINT) -> int:
        """Stop it as Ctrl-C in the terminal does: the signal to the whole process group."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.final_output = self.output()
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def var_dir(tmp_path):
    yield tmp_path
    # Whatever happened, leave no server behind.
    subprocess.run(
        [sys.executable, "scripts/devservers.py", "stop", "--pg-dir", str(tmp_path / "pg"),
         "--redis-dir", str(tmp_path / "redis")],
        cwd=ROOT, capture_output=True, timeout=120,
    )  # fmt: skip


def server_pids(var_dir: Path) -> tuple[int, int]:
    pg = int((var_dir / "pg" / "postmaster.pid").read_text().split()[0])
    redis = int((var_dir / "redis" / "redis.pid").read_text().strip())
    return pg, redis


def test_make_run_serves_the_demo_case_and_renders_a_letter(var_dir):
    app = RunSh(var_dir)
    try:
        letter_id = _check_first_run(app)
        pg_pid, redis_pid = server_pids(var_dir)
        assert pid_alive(pg_pid) and pid_alive(redis_pid)
    finally:
        app.stop(signal.SIGINT)
    assert "stopped the embedded PostgreSQL and Redis" in app.final_output
    # Ctrl-C stopped both servers: no process left, the data kept.
    wait_for(lambda: not pid_alive(pg_pid) and not pid_alive(redis_pid), 30, "servers to stop")
    assert not (var_dir / "pg" / "postmaster.pid").exists()
    assert (var_dir / "pg" / "PG_VERSION").read_text().strip() == "18"

    # A second run reuses the data: the letter rendered above is still there.
    again = RunSh(var_dir)
    try:
        kept = (
            f"from notices.models import Letter as L; print(L.objects.get(pk={letter_id}).status)"
        )
        assert again.shell(kept) == "ready"
    finally:
        again.stop(signal.SIGTERM)


def _check_first_run(app: RunSh) -> int:
    """Sign in, list items, render a letter through the worker; returns the letter's id."""
    base = app.base
    banner = app.output()
    assert f"running at {base}/" in banner
    assert "netflix-legal" in banner and "desist-demo" in banner
    assert "embedded PostgreSQL" in banner and "embedded Redis" in banner
    assert (
        app.shell("from django.db import connection; print(connection.pg_version // 10000)") == "18"
    )

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode(
        {"username": "netflix-legal", "password": "desist-demo", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=form, headers={"Referer": base}
    )
    signed_in = opener.open(request)
    assert "/accounts/login/" not in signed_in.url

    items_page = opener.open(base + "/items/").read().decode()
    assert "Red Light, Green Light full set recreation" in items_page
    assert "Superman" not in items_page  # Warner's items are not Netflix's to see

    # Ask for a letter of the demo draft the way the app does; the worker run.sh started
    # must pick it up from the embedded Redis and render the PDF.
    shell = (
        "from notices.models import Demand; from notices.rendering import request_render; "
        "d = Demand.objects.get(rights_holder__code='NFLX', status='draft'); "
        "print(request_render(d).pk)"
    )
    letter_id = int(app.shell(shell))
    status_script = (
        f"from notices.models import Letter; l = Letter.objects.get(pk={letter_id}); "
        "print(l.status, l.pages or 0, l.sha256, l.error)"
    )

    def rendered():
        line = app.shell(status_script)
        return line if line.startswith(("ready", "failed")) else None

    status, pages, sha256, *error = wait_for(rendered, 180, "the letter render").split(" ")
    assert status == "ready", f"render failed: {' '.join(error)}"
    assert int(pages) >= 2
    assert len(sha256) == 64
    return letter_id
