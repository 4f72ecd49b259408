"""The `make run` path end to end: scripts/run.sh on the embedded defaults (a SQLite file
and the filesystem broker, no servers), then sign in over HTTP, list items, and have the
worker it started render a letter."""

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


@pytest.fixture
def running_app(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MEDIA_ROOT", "EMAIL_URL")
        and not k.startswith(("SECURE_", "STATIC_"))
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    port = free_port()
    env.update({"DESIST_VAR_DIR": str(tmp_path), "PORT": str(port)})
    env.pop("DEBUG", None)  # run.sh turns DEBUG on by default, as `make run` does
    log = open(tmp_path / "run.log", "w+")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        ["scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def up():
            if proc.poll() is not None:
                log.seek(0)
                raise AssertionError(f"run.sh exited:\n{log.read()[-3000:]}")
            try:
                return urllib.request.urlopen(base + "/healthz", timeout=2).status == 200
            except OSError:
                return False

        wait_for(up, 180, "the web app")
        yield base, env, tmp_path, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_make_run_serves_the_demo_case_and_renders_a_letter(running_app):
    base, env, var_dir, log = running_app
    log.seek(0)
    banner = log.read()
    assert f"running at {base}/" in banner
    assert "netflix-legal" in banner and "desist-demo" in banner
    assert (var_dir / "desist.sqlite3").exists(), "the default database is a SQLite file"
    assert (var_dir / "broker" / "queue").is_dir(), "the default broker is the filesystem"

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
    # must pick it up from the filesystem broker and render the PDF.
    shell = (
        "from notices.models import Demand; from notices.rendering import request_render; "
        "d = Demand.objects.get(rights_holder__code='NFLX', status='draft'); "
        "print(request_render(d).pk)"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", shell],
        cwd=ROOT,
        env={**env, "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    letter_id = int(out.stdout.strip().splitlines()[-1])
    status_script = (
        f"from notices.models import Letter; l = Letter.objects.get(pk={letter_id}); "
        "print(l.status, l.pages or 0, l.sha256, l.error)"
    )

    def rendered():
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", status_script],
            cwd=ROOT,
            env={**env, "DEBUG": "true"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        return line if line.startswith(("ready", "failed")) else None

    status, pages, sha256, *error = wait_for(rendered, 180, "the letter render").split(" ")
    assert status == "ready", f"render failed: {' '.join(error)}"
    assert int(pages) >= 2
    assert len(sha256) == 64
