"""URL normalisation: two URLs that name the same content normalise to one string.

Used for the unique-URL-per-rights-holder rule, so it must be stable: changing
it means re-normalising stored items.
"""

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "si",
    "ref",
    "ref_src",
    "_ga",
    "_gl",
    "yclid",
    "spm",
    "share_source",
    "share_medium",
    "is_from_webapp",
    "sender_device",
}


class InvalidURL(ValueError):
    pass


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def normalize_url(url: str) -> str:
    """Return the canonical form of an http(s) URL.

    Lower-cases scheme and host, converts the host to IDNA, drops default
    ports, user info, fragments, tracking parameters and a trailing slash,
    sorts the remaining query parameters and normalises percent-encoding.
    """
    raw = (url or "").strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"{raw!r} is not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL(f"{raw!r} is not an http or https URL.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidURL(f"{raw!r} has no host.")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidURL(f"{raw!r} has an invalid host name.") from exc
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"

    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~")
    while "//" in path:
        path = path.replace("//", "/")
    path = path.rstrip("/") or "/"

    params = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query = urlencode(sorted(params), quote_via=quote)
    return urlunsplit((scheme, netloc, path, query, ""))
