"""Verification checks: is an item's URL still live, gone, or out of bounds?

One check = one fetch of the item's URL and one VerificationCheck row. The fetch:

* resolves the host itself, refuses loopback, private, link-local, carrier-grade
  NAT, multicast, reserved and unspecified addresses (unless the address is in
  ``settings.CHECK_ALLOWED_ADDRESSES``), then connects to *that* vetted address
  (the Host header and TLS SNI still name the host), and checks the peer address
  of the open socket again: a DNS answer that changes between the check and the
  connect (DNS rebinding) cannot steer it elsewhere;
* asks with HEAD, and with GET where HEAD is refused (405, 501) or where the
  rights holder configured removal-page markers (the body must be read);
* follows redirects itself, vetting every hop the same way;
* has a timeout on connect and read, and reads at most ``MAX_BODY_BYTES``;
* is rate limited per host (counted in Redis, shared by every worker).

The rules then apply under the item's row lock: N consecutive "gone" answers
move a notified item to removed; a removed or ceased item answering live goes
back to notified (a relapse, counted by ``casework.stages``).

The standard library's ``http.client`` is used on purpose: pinning the
connection to a vetted IP is a ten-line subclass there, while ``requests`` /
``urllib3`` (not installed here) resolve names inside their pools.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from casework import metrics
from casework.choices import CheckOutcome, EventSource, Stage
from casework.models import CheckRequest, InfringingItem, VerificationCheck

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MAX_BODY_BYTES = 256 * 1024
USER_AGENT = "Desist-verification/1.0 (+takedown verification)"
GONE_STATUSES = {404, 410}
HEAD_REFUSED = {405, 501}
# Answers worth asking again later (the task retries them with backoff).
TRANSIENT_STATUSES = {429, 502, 503, 504}
# Carrier-grade NAT (RFC 6598): not "private" to older Pythons, never public.
CGNAT = ipaddress.ip_network("100.64.0.0/10")


class RefusedAddress(Exception):
    """The URL points at an address a check must never reach."""


class TransientCheckError(Exception):
    """A failure worth retrying later: timeout, connection reset, 429/5xx gateway."""


class HostRateLimited(Exception):
    """Too many checks of this host in the current window; try again later."""


# --- Addresses ---------------------------------------------------------------


# NAT64 prefixes (RFC 6052 and the local-use /48 of RFC 8215): the IPv4 address
# reached is the low 32 bits. Python counts them as reserved IPv6 space.
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _ipv4_inside(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to through NAT64, 6to4 or Teredo."""
    if any(ip in net for net in NAT64_PREFIXES):
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # (server, client)
    return []


def _is_public(ip) -> bool:
    refused = (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (ip.version == 4 and ip in CGNAT)
        or not ip.is_global
    )
    return not refused


def address_allowed(address: str) -> bool:
    """True when ``address`` is a public unicast IP, or listed in CHECK_ALLOWED_ADDRESSES.

    An IPv6 address that tunnels to an IPv4 one (IPv4-mapped, 6to4, Teredo,
    NAT64) is judged by every IPv4 address inside it as well: ``2002:7f00:1::``
    is loopback in disguise.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    allowed = set(settings.CHECK_ALLOWED_ADDRESSES)
    if str(ip) in allowed:
        return True
    if ip.version == 4:
        return _is_public(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is simply that IPv4 address
        return str(ip.ipv4_mapped) in allowed or _is_public(ip.ipv4_mapped)
    inside = _ipv4_inside(ip)
    if inside and not all(_is_public(v4) for v4 in inside):
        # A tunnel or translator to a refused IPv4 address; an allow-listed
        # IPv4 address does not open its tunnelled forms either.
        return False
    if any(ip in net for net in NAT64_PREFIXES):
        return True  # judged by the public IPv4 address it translates to
    return _is_public(ip)


def resolve_and_vet(host: str, port: int) -> str:
    """Resolve ``host`` and return the address to connect to.

    Every address the name resolves to must be allowed: a name that answers
    with one public and one private address is refused as a whole.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TransientCheckError(f"Cannot resolve {host}: {exc}") from exc
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise TransientCheckError(f"{host} resolves to no address.")
    refused = [a for a in addresses if not address_allowed(a)]
    if refused:
        raise RefusedAddress(f"{host} resolves to {', '.join(refused)}, which is not public.")
    return addresses[0]


class _PinnedMixin:
    """Connect to a vetted IP, whatever the name resolves to now; check the peer."""

    pinned_ip: str

    def _open_pinned(self):
        sock = socket.create_connection((self.pinned_ip, self.port), self.timeout)
        peer = sock.getpeername()[0]
        if not address_allowed(peer):
            sock.close()
            raise RefusedAddress(f"Connected to {peer}, which is not public.")
        return sock


class PinnedHTTPConnection(_PinnedMixin, http.client.HTTPConnection):
    def __init__(self, host, port, pinned_ip, timeout):
        super().__init__(host, port, timeout=timeout)
        self.pinned_ip = pinned_ip

    def connect(self):
        self.sock = self._open_pinned()


class PinnedHTTPSConnection(_PinnedMixin, http.client.HTTPSConnection):
    def __init__(self, host, port, pinned_ip, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.pinned_ip = pinned_ip

    def connect(self):
        sock = self._open_pinned()
        # SNI and certificate checks name the host, not the IP we pinned.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


# --- Rate limit ----------------------------------------------------------------


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)


def take_host_slot(host: str, now: float | None = None) -> None:
    """Count one check against ``host``'s budget; raise HostRateLimited when spent.

    A fixed window of ``CHECK_HOST_WINDOW_SECONDS`` allows
    ``CHECK_HOST_MAX_PER_WINDOW`` checks per host, counted in Redis so every
    worker shares the budget.
    """
    limit = settings.CHECK_HOST_MAX_PER_WINDOW
    window = settings.CHECK_HOST_WINDOW_SECONDS
    now = time.time() if now is None else now
    slot = int(now // window)
    host = host.lower()
    key = f"desist:check-rate:{host}:{slot}"
    pipe = _redis().pipeline()
    pipe.incr(key)
    pipe.expire(key, window * 2)
    count = pipe.execute()[0]
    if count > limit:
        raise HostRateLimited(f"More than {limit} checks of {host} in {window} s.")


# --- Fetch ---------------------------------------------------------------------


@dataclass
class FetchResult:
    """What one check saw, before any rule is applied."""

    outcome: str
    method: str = "HEAD"
    http_status: int | None = None
    final_url: str = ""
    detail: str = ""
    elapsed_ms: int = 0
    hops: list[str] = field(default_factory=list)


def _request(url: str, method: str, timeout: float, read_body: bool):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedAddress(f"Only http and https URLs are checked, not {parts.scheme}:.")
    if not parts.hostname:
        raise RefusedAddress("The URL has no host.")
    if parts.username or parts.password:
        raise RefusedAddress("URLs with credentials are not checked.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ip = resolve_and_vet(parts.hostname, port)
    cls = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    conn = cls(parts.hostname, port, ip, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request(
            method,
            path,
            headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"},
        )
        response = conn.getresponse()
        body = response.read(MAX_BODY_BYTES) if read_body and method == "GET" else b""
        return response.status, response.getheader("Location"), body
    finally:
        conn.close()


def _markers_of(holder) -> list[str]:
    return [
        line.strip().lower() for line in holder.removal_page_markers.splitlines() if line.strip()
    ]


def fetch(url: str, markers: list[str] | None = None, timeout: float | None = None):
    """Fetch ``url`` safely and classify the answer. Never raises for a refused
    address (that is an outcome); raises TransientCheckError for timeouts and
    connection failures so the caller can retry."""
    timeout = settings.CHECK_TIMEOUT_SECONDS if timeout is None else timeout
    markers = markers or []
    started = time.monotonic()
    current = url
    hops = [url]
    method = "GET" if markers else "HEAD"

    def result(outcome, status=None, detail=""):
        return FetchResult(
            outcome=outcome,
            method=method,
            http_status=status,
            final_url=current,
            detail=detail,
            elapsed_ms=int((time.monotonic() - started) * 1000),
            hops=hops,
        )

    try:
        for _hop in range(MAX_REDIRECTS + 1):
            status, location, body = _request(current, method, timeout, bool(markers))
            if method == "HEAD" and status in HEAD_REFUSED:
                method = "GET"
                status, location, body = _request(current, method, timeout, bool(markers))
            if status in (301, 302, 303, 307, 308):
                if not location:
                    return result(CheckOutcome.ERROR, status, "Redirect without a Location.")
                current = urljoin(current, location)
                hops.append(current)
                if status == 303:
                    method = "GET" if markers else "HEAD"
                continue
            if status in GONE_STATUSES:
                return result(CheckOutcome.GONE, status, f"HTTP {status}")
            if 200 <= status < 300:
                text = body.decode("utf-8", errors="replace").lower()
                for marker in markers:
                    if marker in text:
                        return result(CheckOutcome.GONE, status, f"Removal page: “{marker}”")
                return result(CheckOutcome.LIVE, status, f"HTTP {status}")
            if status in TRANSIENT_STATUSES:
                raise TransientCheckError(f"HTTP {status} from {current}")
            return result(CheckOutcome.ERROR, status, f"HTTP {status}")
        return result(CheckOutcome.ERROR, None, f"More than {MAX_REDIRECTS} redirects.")
    except RefusedAddress as exc:
        return result(CheckOutcome.REFUSED, None, str(exc))
    except TransientCheckError:
        raise
    except TimeoutError as exc:
        raise TransientCheckError(f"Timed out after {timeout:g} s: {current}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise TransientCheckError(f"{type(exc).__name__}: {exc}") from exc


# --- Rules -----------------------------------------------------------------------


def check_item(item_id, *, requested_by=None, final_attempt=True, force=False):
    """Check one item's URL, record the check and apply the rights holder's rules.

    Returns the VerificationCheck, or None when the item is gone, not in a
    checked stage, or was checked moments ago (a redelivered task).

    A transient failure raises TransientCheckError so the task retries with
    backoff; on the ``final_attempt`` it is recorded as an ``error`` check.
    HostRateLimited is raised before anything is fetched or recorded.
    """
    item = InfringingItem.objects.select_related("rights_holder").filter(pk=item_id).first()
    if item is None or item.stage in (Stage.IDENTIFIED, Stage.DISMISSED):
        return None
    recent = timezone.now() - timezone.timedelta(seconds=settings.CHECK_DEDUPE_SECONDS)
    if not force and item.last_checked_at and item.last_checked_at > recent:
        return None
    host = urlsplit(item.url).hostname or ""
    take_host_slot(host)
    try:
        seen = fetch(item.url, markers=_markers_of(item.rights_holder))
    except TransientCheckError as exc:
        if not final_attempt:
            raise
        seen = FetchResult(
            outcome=CheckOutcome.ERROR, method="HEAD", final_url=item.url, detail=str(exc)
        )
    return record(item.pk, seen, requested_by=requested_by)


def record(item_id, seen: FetchResult, *, requested_by=None, at=None):
    """Store one check and apply the rules, under the item's row lock."""
    from casework.stages import TransitionError, transition

    at = at or timezone.now()
    with transaction.atomic():
        item = (
            InfringingItem.objects.select_for_update(of=("self",))
            .select_related("rights_holder")
            .get(pk=item_id)
        )
        check = VerificationCheck.objects.create(
            item=item,
            checked_at=at,
            method=seen.method,
            http_status=seen.http_status,
            outcome=seen.outcome,
            final_url=seen.final_url[:2000],
            detail=seen.detail,
            elapsed_ms=seen.elapsed_ms,
            requested_by=requested_by,
        )
        transaction.on_commit(lambda: metrics.observe_check(seen.outcome, seen.elapsed_ms))
        streak = item.gone_streak
        if seen.outcome == CheckOutcome.GONE:
            streak += 1
        elif seen.outcome == CheckOutcome.LIVE:
            streak = 0
        # refused / error say nothing about the page: the streak stands.
        InfringingItem.objects.filter(pk=item.pk).update(gone_streak=streak, last_checked_at=at)
        try:
            if (
                seen.outcome == CheckOutcome.GONE
                and item.stage == Stage.NOTIFIED
                and streak >= max(1, item.rights_holder.gone_after_checks)
            ):
                transition(
                    item.pk,
                    Stage.REMOVED,
                    source=EventSource.CHECK,
                    verification=check,
                    reason=f"{streak} consecutive checks found it gone ({seen.detail}).",
                    at=at,
                )
            elif seen.outcome == CheckOutcome.LIVE and item.stage in (
                Stage.REMOVED,
                Stage.CEASED,
            ):
                transition(
                    item.pk,
                    Stage.NOTIFIED,
                    source=EventSource.CHECK,
                    verification=check,
                    reason=f"Found live again ({seen.detail}): relapse.",
                    at=at,
                )
        except TransitionError:  # pragma: no cover - the lock makes this unreachable
            logger.exception("Check %s could not move item %s", check.pk, item.pk)
    return check


def request_check(item, *, by=None) -> bool:
    """Queue a "check now" of ``item`` (a CheckRequest job, published on commit).

    Returns False, queuing nothing, when an unfinished request of the item exists
    (a repeated click): the item's row lock orders two clicks, and the partial
    unique constraint holds the rule in the database too.
    """
    with transaction.atomic():
        InfringingItem.objects.select_for_update().filter(pk=item.pk).first()
        if CheckRequest.objects.filter(
            item=item, status__in=[CheckRequest.QUEUED, CheckRequest.RUNNING]
        ).exists():
            return False
        CheckRequest.objects.create(item=item, requested_by=by).enqueue()
    return True


def _due(now):
    """Items whose next check is due: notified and removed items not checked within
    CHECK_INTERVAL_MINUTES, ceased ones within CHECK_CEASED_INTERVAL_HOURS, and not
    already enqueued (their ``next_check_at`` still ahead)."""
    often = now - timezone.timedelta(minutes=settings.CHECK_INTERVAL_MINUTES)
    seldom = now - timezone.timedelta(hours=settings.CHECK_CEASED_INTERVAL_HOURS)
    return InfringingItem.objects.filter(
        (
            Q(stage__in=[Stage.NOTIFIED, Stage.REMOVED])
            & (Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=often))
        )
        | (
            Q(stage=Stage.CEASED)
            & (Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=seldom))
        ),
        Q(next_check_at__isnull=True) | Q(next_check_at__lte=now),
    ).order_by(F("last_checked_at").asc(nulls_first=True), "id")


def due_items(now=None, limit=None) -> list[int]:
    """Ids of items whose next check is due (read only; see ``claim_due_items``)."""
    now = now or timezone.now()
    return list(_due(now).values_list("id", flat=True)[: limit or settings.CHECK_BATCH_SIZE])


def claim_due_items(now=None, limit=None) -> list[int]:
    """Claim a batch of due items for checking: lock them (skipping rows another run
    holds), and move their ``next_check_at`` forward by CHECK_INTERVAL_MINUTES in the
    same transaction. An item claimed here is not due again until then, even when its
    check waits for the per-host limit; once checked, ``last_checked_at`` decides."""
    now = now or timezone.now()
    limit = limit or settings.CHECK_BATCH_SIZE
    with transaction.atomic():
        ids = list(
            _due(now).select_for_update(skip_locked=True).values_list("id", flat=True)[:limit]
        )
        InfringingItem.objects.filter(pk__in=ids).update(
            next_check_at=now + timezone.timedelta(minutes=settings.CHECK_INTERVAL_MINUTES)
        )
    return ids
