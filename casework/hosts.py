"""Does an item's URL belong to the platform it is logged under?

A platform may list the hosts its items are served from (``Platform.hosts``);
an item whose URL is on none of them is probably logged under the wrong
platform. That is a warning, not a refusal: the person logging it may keep the
platform by giving a reason, which is recorded on the item's timeline.
"""

from urllib.parse import urlsplit


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().strip(".")


def matches(host: str, allowed: str) -> bool:
    """``allowed`` covers itself and its subdomains: tiktok.com covers www.tiktok.com."""
    return host == allowed or host.endswith("." + allowed)


def mismatch(platform, url: str) -> str:
    """Why ``url`` does not look like ``platform``'s, or "" when it does (or cannot tell)."""
    allowed = platform.host_list
    host = host_of(url)
    if not allowed or not host or any(matches(host, a) for a in allowed):
        return ""
    return (
        f"The URL's host {host} is not one of {platform.name}'s hosts "
        f"({', '.join(allowed)}). Choose the platform that serves it, or keep "
        f"{platform.name} and say why below."
    )
