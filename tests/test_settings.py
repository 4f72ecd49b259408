"""Settings parsing: strict booleans, a required secret key, PostgreSQL and Redis only."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_url, env_bool, env_list, redis_url, secret_key, site_url


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
            "SITE_URL": "https://desist.example",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_emails_would_link_to_localhost():
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
    assert result.returncode != 0
    assert "desist.W001" in result.stderr and "SITE_URL" in result.stderr


# --- STORAGE_URL (config/env.py storage_from_url, config/storage.py) ----------------------


def test_storage_url_gives_a_private_s3_storage_with_checksums_and_short_urls():
    from config.env import storage_from_url

    entry = storage_from_url(
        "s3://desist/media?endpoint=http://seaweedfs:8333&public_endpoint=http://localhost:8333"
        "&region=us-east-1",
        access_key="key",
        secret_key="secret",
    )
    options = entry["OPTIONS"]
    assert entry["BACKEND"] == "config.storage.PrivateS3Storage"
    assert options["bucket_name"] == "desist" and options["location"] == "media"
    assert options["endpoint_url"] == "http://seaweedfs:8333"
    assert options["public_endpoint_url"] == "http://localhost:8333"
    assert options["addressing_style"] == "path"
    assert options["default_acl"] is None
    assert options["object_parameters"] == {"ChecksumAlgorithm": "SHA256"}
    assert options["querystring_auth"] is True and options["querystring_expire"] == 30
    assert options["file_overwrite"] is False
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")


def test_storage_url_without_keys_leaves_them_to_boto3_and_can_drop_checksums():
    from config.env import storage_from_url

    options = storage_from_url("s3://desist?checksum=none&expire=60")["OPTIONS"]
    assert "access_key" not in options
    assert options["object_parameters"] == {}
    assert options["querystring_expire"] == 60
    assert options["addressing_style"] == "auto"  # AWS itself: virtual-hosted when it can


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://desist", "must be an s3:// URL"),
        ("s3://key:secret@desist", "must not carry keys"),
        ("s3://?endpoint=http://s3:8333", "names no bucket"),
        ("s3://desist?endpont=http://s3:8333", "unknown parameter"),
        ("s3://desist?endpoint=s3:8333", "endpoint='s3:8333' must be an http"),
        ("s3://desist?expire=3600", "1 to 60 seconds"),
        ("s3://desist?expire=soon", "1 to 60"),
        ("s3://desist?checksum=md5", "checksum='md5'"),
        ("s3://desist?addressing=sideways", "path or virtual"),
    ],
)
def test_a_bad_storage_url_is_refused_naming_the_part(url, message):
    from config.env import storage_from_url

    with pytest.raises(ImproperlyConfigured, match=message):
        storage_from_url(url)


def test_storage_keys_come_in_pairs():
    from config.env import storage_from_url

    with pytest.raises(ImproperlyConfigured, match="both STORAGE_ACCESS_KEY_ID"):
        storage_from_url("s3://desist", access_key="key")


def test_presigned_urls_are_signed_for_the_public_address():
    from config.storage import PrivateS3Storage

    storage = PrivateS3Storage(
        bucket_name="desist",
        endpoint_url="http://seaweedfs:8333",
        public_endpoint_url="http://localhost:8333",
        region_name="us-east-1",
        addressing_style="path",
        signature_version="s3v4",
        access_key="key",
        secret_key="secret",
        querystring_expire=30,
    )
    url = storage.url("letters/1/NFLX-v1.pdf")
    assert url.startswith("http://localhost:8333/desist/letters/1/NFLX-v1.pdf?")
    assert "X-Amz-Expires=30" in url and "X-Amz-Signature=" in url


def test_site_url_is_an_absolute_http_url_without_a_trailing_slash():
    assert site_url(" https://desist.example/ ") == "https://desist.example"
    assert site_url("http://localhost:8000") == "http://localhost:8000"
    for bad in ("desist.example", "ftp://desist.example", "https://", "https://d.example/?a=1"):
        with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
            site_url(bad)
