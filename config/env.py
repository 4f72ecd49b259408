"""Strict parsers for settings read from the environment.

django-environ reads the URLs; booleans are parsed here because its ``bool``
treats any unknown word as False, and a typo must never silently decide
whether a site runs in debug mode.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
REDIS_SCHEMES = {"redis", "rediss"}

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False, environ=os.environ) -> bool:
    """Return the boolean in ``environ[name]``; refuse anything but a clear yes or no."""
    raw = environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of true/false, 1/0, yes/no, on/off."
    )


def env_int_range(name: str, *, default: int, low: int, high: int, environ=os.environ) -> int:
    """Return the whole number in ``environ[name]``; refuse anything outside low..high."""
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ImproperlyConfigured(f"{name}={raw!r} must be a whole number from {low} to {high}.")
    return value


def env_list(name: str, default: str = "", environ=os.environ) -> list[str]:
    """Return a comma-separated list, with blanks dropped."""
    return [part.strip() for part in environ.get(name, default).split(",") if part.strip()]


def secret_key(debug: bool, environ=os.environ) -> str:
    """The SECRET_KEY; with DEBUG off a real one is required."""
    key = environ.get("SECRET_KEY", "")
    if key:
        if not debug and (len(key) < 50 or key.startswith("django-insecure")):
            raise ImproperlyConfigured(
                "SECRET_KEY is too weak for DEBUG off: use 50 or more random characters."
            )
        return key
    if debug:
        return "django-insecure-desist-development-key-only-for-debug-mode-0123456789"
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")


def database_url(raw: str) -> str:
    """DATABASE_URL, which must name a PostgreSQL database (the only engine supported)."""
    url = raw.strip()
    if not url:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set: give a PostgreSQL URL such as "
            "postgres://user:password@host:5432/name (`make run` starts an embedded "
            "PostgreSQL and sets it for you)."
        )
    scheme = urlsplit(url).scheme
    if scheme not in POSTGRES_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a PostgreSQL URL (postgres://…), not {scheme or 'no scheme'!r}: "
            "Desist runs on PostgreSQL only."
        )
    return url


def redis_url(raw: str) -> str:
    """REDIS_URL, the Celery broker: a redis:// (or rediss://) URL is required."""
    url = raw.strip()
    if not url:
        raise ImproperlyConfigured(
            "REDIS_URL is not set: give a Redis URL such as redis://host:6379/0 "
            "(`make run` starts an embedded Redis and sets it for you)."
        )
    scheme = urlsplit(url).scheme
    if scheme not in REDIS_SCHEMES:
        raise ImproperlyConfigured(
            f"REDIS_URL must be a redis:// URL, not {scheme or 'no scheme'!r}: the Celery "
            "broker is Redis."
        )
    return url


def site_url(raw: str) -> str:
    """SITE_URL, the address emails link to: an absolute http(s) URL, without a
    trailing slash (links are SITE_URL + an absolute path)."""
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"SITE_URL must be an absolute http(s) URL such as https://desist.example, not {raw!r}."
        )
    return url


def env_networks(name: str, environ=os.environ) -> list:
    """Return a comma-separated list of IP networks ("10.0.0.5", "10.0.0.0/24")."""
    import ipaddress

    networks = []
    for part in env_list(name, environ=environ):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {part!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)."
            ) from None
    return networks


# --- Object storage (config/storage.py) -------------------------------------------

S3_BACKEND = "config.storage.PrivateS3Storage"
QUERY_KEYS = {"endpoint", "public_endpoint", "region", "addressing", "checksum", "expire"}
CHECKSUMS = {"SHA256", "SHA1", "CRC32", "CRC32C", "CRC64NVME"}
MAX_EXPIRE_SECONDS = 60


def storage_from_url(url: str, *, access_key: str = "", secret_key: str = "") -> dict:
    """The ``STORAGES["default"]`` entry for ``STORAGE_URL``; refuses what it cannot use.

    ``s3://bucket[/prefix]`` with query parameters ``endpoint`` (an S3-compatible
    server; AWS when absent), ``public_endpoint`` (the address browsers reach it at,
    for pre-signed URLs, when it differs), ``region``, ``addressing`` (``path`` or
    ``virtual``; ``path`` by default with an endpoint), ``checksum`` (``SHA256``,
    another algorithm, or ``none`` for servers without checksum support) and
    ``expire`` (seconds a pre-signed URL lives, at most 60; default 30).
    """
    parts = urlsplit(url.strip())
    if parts.scheme != "s3":
        raise ImproperlyConfigured(
            f"STORAGE_URL must be an s3:// URL (s3://bucket?endpoint=…), not "
            f"{parts.scheme or 'no scheme'!r}."
        )
    if parts.username or parts.password:
        raise ImproperlyConfigured(
            "STORAGE_URL must not carry keys: set STORAGE_ACCESS_KEY_ID and "
            "STORAGE_SECRET_ACCESS_KEY instead."
        )
    bucket = parts.hostname or ""
    if not bucket:
        raise ImproperlyConfigured("STORAGE_URL names no bucket: s3://bucket?endpoint=…")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - QUERY_KEYS
    if unknown:
        raise ImproperlyConfigured(
            f"STORAGE_URL: unknown parameter(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(QUERY_KEYS))}."
        )
    for key in ("endpoint", "public_endpoint"):
        if key in query and urlsplit(query[key]).scheme not in ("http", "https"):
            raise ImproperlyConfigured(
                f"STORAGE_URL: {key}={query[key]!r} must be an http(s):// address."
            )
    addressing = query.get("addressing", "path" if "endpoint" in query else "auto")
    if addressing not in ("path", "virtual", "auto"):
        raise ImproperlyConfigured(
            f"STORAGE_URL: addressing={addressing!r} must be path or virtual."
        )
    checksum = query.get("checksum", "SHA256").upper()
    if checksum != "NONE" and checksum not in CHECKSUMS:
        raise ImproperlyConfigured(
            f"STORAGE_URL: checksum={query['checksum']!r} must be one of "
            f"{', '.join(sorted(CHECKSUMS))} or none."
        )
    try:
        expire = int(query.get("expire", "30"))
    except ValueError:
        expire = 0
    if not 1 <= expire <= MAX_EXPIRE_SECONDS:
        raise ImproperlyConfigured(
            f"STORAGE_URL: expire={query.get('expire')!r} must be 1 to "
            f"{MAX_EXPIRE_SECONDS} seconds."
        )
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both STORAGE_ACCESS_KEY_ID and STORAGE_SECRET_ACCESS_KEY, or neither "
            "(boto3's own credentials chain then applies)."
        )
    options = {
        "bucket_name": bucket,
        "location": unquote(parts.path).strip("/"),
        "endpoint_url": query.get("endpoint"),
        "public_endpoint_url": query.get("public_endpoint"),
        "region_name": query.get("region"),
        "addressing_style": addressing,
        "signature_version": "s3v4",
        # No ACL header: objects keep the bucket's private default (and buckets with
        # ACLs disabled, AWS's default since 2023, accept the upload).
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": expire,
        # Never replace a stored file: evidence and letters are append-only.
        "file_overwrite": False,
        "object_parameters": {} if checksum == "NONE" else {"ChecksumAlgorithm": checksum},
    }
    if access_key:
        options.update(access_key=access_key, secret_key=secret_key)
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
