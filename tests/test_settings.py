"""Settings parsing: strict booleans, a required secret key, PostgreSQL and Redis only."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_url, env_bool, env_list, redis_url, secret_key


@pytest.mark.parametrize("raw", ["true", "True", "1", "yes", "on", " ON "])
def test_debug_true_words(raw):
    assert env_bool("DEBUG", environ={"DEBUG": raw}) is True


@pytest.mark.parametrize("raw", ["false", "0", "no", "off", ""])
def test_debug_false_words(raw):
    assert env_bool("DEBUG", default=True, environ={"DEBUG": raw}) is False


@pytest.mark.parametrize("raw", ["ture", "2", "enabled", "y e s"])
def test_a_bad_debug_value_is_refused(raw):
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", environ={"DEBUG": raw})


def test_missing_debug_means_off():
    assert env_bool("DEBUG", environ={}) is False


def test_secret_key_required_when_debug_off():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        secret_key(False, environ={})


def test_weak_secret_key_refused_when_debug_off():
    with pytest.raises(ImproperlyConfigured, match="too weak"):
        secret_key(False, environ={"SECRET_KEY": "short"})


def test_debug_gets_a_development_key():
    assert secret_key(True, environ={}).startswith("django-insecure")


def test_env_list_drops_blanks():
    assert env_list("H", environ={"H": "a.example, ,b.example,"}) == ["a.example", "b.example"]


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:p@db.example:5432/desist",
        "postgresql://u:p@db.example/desist",
        "pgsql://u@localhost/desist",
    ],
)
def test_postgresql_database_urls_are_accepted(url):
    assert database_url(f" {url} ") == url


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///var/desist.sqlite3",
        "mysql://u:p@db.example/desist",
        "var/desist.sqlite3",
    ],
)
def test_a_database_other_than_postgresql_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL only"):
        database_url(url)


def test_a_missing_database_url_is_refused_with_a_hint():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is not set.*make run"):
        database_url("")


def test_redis_urls():
    assert redis_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL is not set"):
        redis_url("  ")
    with pytest.raises(ImproperlyConfigured, match="not 'filesystem'"):
        redis_url("filesystem://")


def _django_check(env_overrides, *args, environ=None):
    env = {
        k: v
        for k, v in (os.environ if environ is None else environ).items()
        if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
        and not k.startswith("SECURE_")
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_process_refuses_to_start_with_bad_debug():
    result = _django_check({"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_process_refuses_to_start_on_sqlite():
    result = _django_check({"DEBUG": "true", "DATABASE_URL": "sqlite:///var/desist.sqlite3"})
    assert result.returncode != 0
    assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr
    assert "'sqlite'" in result.stderr


def test_process_refuses_to_start_without_a_database_or_a_broker():
    no_database = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = _django_check({"DEBUG": "true"}, environ=no_database)
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
    no_broker = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    result = _django_check({"DEBUG": "true"}, environ=no_broker)
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr


def test_migrations_are_checked_without_a_broker():
    """Comparing models with migrations needs a database URL and a key, not Redis."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG")}
    env["SECRET_KEY"] = "test-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_process_refuses_to_start_without_secret_key():
    result = _django_check({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = _django_check(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x7!kq2-production-like-secret-key-0123456789abcdefghijklmnopqrstuv",
            "ALLOWED_HOSTS": "desist.example",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
