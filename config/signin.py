"""Sign-in throttling: who the client is, and what a locked-out person is told.

django-axes counts failures per username + client address and per address.
Behind a TLS-terminating proxy every request arrives from the proxy, so the
client address comes from ``X-Forwarded-For``, but only when the request itself
comes from a proxy listed in ``TRUSTED_PROXIES``: anyone else can write that
header. The chain is read from the right, skipping our own proxies, so a
client cannot pick its address by prepending hops. (django-ipware checks the
trusted proxies inside the forwarded chain, not the connecting peer, so a
client that reaches the app directly could still choose its address; these
few lines don't have that hole.)
"""

import ipaddress

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


def _ip(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(ip) -> bool:
    return ip is not None and any(ip in net for net in settings.TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The address of the person signing in (AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(_ip(remote)):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return remote  # a hop we cannot read: trust nothing to its left
        if not _trusted(ip):
            return str(ip)
    return remote


def lockout_response(request, original_response=None, credentials=None):
    """The 429 page (AXES_LOCKOUT_CALLABLE): says when signing in works again."""
    from axes.models import AccessAttempt

    address = client_ip(request)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    last = (
        AccessAttempt.objects.filter(ip_address=address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    cooloff = settings.AXES_COOLOFF_TIME
    lifts_at = (last or timezone.now()) + cooloff
    context = {"username": username, "lifts_at": lifts_at, "cooloff": cooloff}
    return render(request, "registration/locked_out.html", context, status=429)
