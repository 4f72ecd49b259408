"""Strict parsers for settings read from the environment.

django-environ reads the URLs; booleans are parsed here because its ``bool``
treats any unknown word as False, and a typo must never silently decide
whether a site runs in debug mode.
"""

import os
from urllib.parse import urlsplit

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
