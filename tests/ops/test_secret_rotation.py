"""Rotating SECRET_KEY (README, Operations): with the old key in SECRET_KEY_FALLBACKS,
what was signed with it (sessions, reset links) still verifies; without it, it does not."""

import os
import subprocess
import sys
from pathlib import Path

from django.core import signing

ROOT = Path(__file__).resolve().parents[2]
OLD = "old-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
NEW = "new-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-KLMNOPQRST"
VERIFY = (
    "import django, sys; django.setup(); from django.core import signing;"
    "print(signing.loads(sys.argv[1], salt='django.contrib.sessions.SessionStore'))"
)


def verify_with(token, **env):
    return subprocess.run(
        [sys.executable, "-c", VERIFY, token],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_previous_key_in_fallbacks_still_verifies_what_it_signed():
    token = signing.dumps({"user": 7}, key=OLD, salt="django.contrib.sessions.SessionStore")
    kept = verify_with(token, SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=OLD)
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.strip() == "{'user': 7}"
    dropped = verify_with(token, SECRET_KEY=NEW, SECRET_KEY_FALLBACKS="")
    assert dropped.returncode != 0
    assert "BadSignature" in dropped.stderr
