"""Strict parsers for settings read from the environment.

django-environ reads the URLs; booleans are parsed here because its ``bool``
treats any unknown word as False, and a typo must never silently decide
whether a site runs in debug mode.
"""

import os

from django.core.exceptions import ImproperlyConfigured

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
