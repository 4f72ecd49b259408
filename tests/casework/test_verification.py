"""Verification checks against a real HTTP server on 127.0.0.1 (the only address the
test settings allow): outcomes, redirects to private addresses, timeouts, the
per-host rate limit, the gone-streak and relapse rules, and "check now"."""

import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from casework import verification
from casework.choices import CheckOutcome, EventSource, Stage
from casework.models import InfringingItem, StageEvent, VerificationCheck
from tests.factories import ItemFactory


class Handler(BaseHTTPRequestHandler):
    """Routes: a fixed answer per path; ``state`` lets a test change a path's answer."""

    state: dict = {}
    seen: list = []

    def log_message(self, *args):
        pass

    def _answer(self, with_body):
        self.seen.append((self.command, self.path, self.headers.get("Host")))
        path = self.path.split("?")[0]
        status, headers, body = 200, {}, b"<html>a clip</html>"
        if path in self.state:
            status = self.state[path]
        elif path.startswith("/gone404"):
            status = 404
        elif path.startswith("/gone410"):
            status = 410
        elif path == "/nohead" and self.command == "HEAD":
            status = 405
        elif path == "/removed-page":
            body = b"<html><p>This video has been REMOVED for a copyright claim.</p></html>"
        elif path == "/to-private":
            status, headers = 302, {"Location": "http://10.0.0.1/clip"}
        elif path == "/to-metadata":
            status, headers = 301, {"Location": "http://169.254.169.254/latest/meta-data/"}
        elif path == "/to-ok":
            status, headers = 302, {"Location": "/ok"}
        elif path == "/to-gone":
            status, headers = 307, {"Location": "/gone410"}
        elif path == "/loop":
            status, headers = 302, {"Location": "/loop"}
        elif path == "/slow":
            time.sleep(1.5)
        elif path == "/busy":
            status = 503
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def roomy_rate_limit(settings):
    settings.CHECK_HOST_MAX_PER_WINDOW = 10_000
    settings.CHECK_TIMEOUT_SECONDS = 0.5
    Handler.state.clear()
    Handler.seen.clear()


def item_at(url, stage=Stage.NOTIFIED, holder=None, **holder_fields):
    item = ItemFactory(url=url, **({"rights_holder": holder} if holder else {}))
    InfringingItem.objects.filter(pk=item.pk).update(stage=stage)
    if holder_fields:
        type(item.rights_holder).objects.filter(pk=item.rights_holder_id).update(**holder_fields)
    item.refresh_from_db()
    return item


# --- Addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.8.8",
        "::1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "fe80::1",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",  # noqa: S104
        "::",
        "224.0.0.1",
        "240.0.0.1",
        "fd00::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        # IPv4 addresses that are refused, reached through an IPv6 tunnel or translator.
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::c0a8:101",  # local-use NAT64 of 192.168.1.1
        "::127.0.0.1",  # IPv4-compatible
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "2001:0:7f00:1:8000:63bf:3fff:fdd2",  # Teredo, server 127.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address, settings):
    settings.CHECK_ALLOWED_ADDRESSES = []
    assert verification.address_allowed(address) is False


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "100.128.0.1",
        "2606:4700::1",
        "2002:808:808::1",  # 6to4 of 8.8.8.8
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    ],
)
def test_public_addresses_are_allowed(address, settings):
    settings.CHECK_ALLOWED_ADDRESSES = []
    assert verification.address_allowed(address) is True


def test_allowed_list_opens_one_address_only(settings):
    settings.CHECK_ALLOWED_ADDRESSES = ["127.0.0.1"]
    assert verification.address_allowed("127.0.0.1") is True
    assert verification.address_allowed("127.0.0.2") is False
    assert verification.address_allowed("10.0.0.1") is False
    assert verification.address_allowed("::ffff:127.0.0.1") is True
    # The allow-list names an address, not every tunnel that leads to it.
    assert verification.address_allowed("2002:7f00:1::") is False
    assert verification.address_allowed("64:ff9b::7f00:1") is False


def test_a_name_resolving_to_loopback_is_refused(settings):
    settings.CHECK_ALLOWED_ADDRESSES = []
    with pytest.raises(verification.RefusedAddress):
        verification.resolve_and_vet("localhost", 80)


def test_connection_goes_to_the_vetted_ip_whatever_the_name(server):
    """The socket is opened to the pinned address; the Host header keeps the name."""
    port = int(server.rsplit(":", 1)[1])
    conn = verification.PinnedHTTPConnection("clips.example.invalid", port, "127.0.0.1", 2)
    conn.request("GET", "/ok")
    assert conn.getresponse().status == 200
    conn.close()
    assert Handler.seen[-1] == ("GET", "/ok", f"clips.example.invalid:{port}")


def test_pinned_connection_refuses_a_private_peer(settings, server):
    settings.CHECK_ALLOWED_ADDRESSES = []
    port = int(server.rsplit(":", 1)[1])
    conn = verification.PinnedHTTPConnection("clips.example.invalid", port, "127.0.0.1", 2)
    with pytest.raises(verification.RefusedAddress):
        conn.request("GET", "/ok")
    assert Handler.seen == []


# --- Fetch outcomes ----------------------------------------------------------------


def test_200_is_live(server):
    seen = verification.fetch(f"{server}/ok")
    assert (seen.outcome, seen.http_status, seen.method) == (CheckOutcome.LIVE, 200, "HEAD")
    assert seen.final_url == f"{server}/ok"


@pytest.mark.parametrize("path,status", [("/gone404", 404), ("/gone410", 410)])
def test_404_and_410_are_gone(server, path, status):
    seen = verification.fetch(f"{server}{path}")
    assert (seen.outcome, seen.http_status) == (CheckOutcome.GONE, status)


def test_head_refused_falls_back_to_get(server):
    seen = verification.fetch(f"{server}/nohead")
    assert (seen.outcome, seen.http_status, seen.method) == (CheckOutcome.LIVE, 200, "GET")
    assert [s[0] for s in Handler.seen] == ["HEAD", "GET"]


def test_removal_page_marker_means_gone(server):
    seen = verification.fetch(f"{server}/removed-page", markers=["has been removed"])
    assert (seen.outcome, seen.http_status, seen.method) == (CheckOutcome.GONE, 200, "GET")
    assert verification.fetch(f"{server}/ok", markers=["has been removed"]).outcome == "live"


@pytest.mark.parametrize("path", ["/to-private", "/to-metadata"])
def test_redirect_to_a_private_address_is_refused(server, path):
    seen = verification.fetch(f"{server}{path}")
    assert seen.outcome == CheckOutcome.REFUSED
    assert "not public" in seen.detail
    assert len(seen.hops) == 2


def test_redirects_are_followed_and_vetted_hop_by_hop(server):
    seen = verification.fetch(f"{server}/to-ok")
    assert (seen.outcome, seen.final_url) == (CheckOutcome.LIVE, f"{server}/ok")
    gone = verification.fetch(f"{server}/to-gone")
    assert (gone.outcome, gone.http_status, gone.final_url) == ("gone", 410, f"{server}/gone410")


def test_redirect_loop_is_an_error(server):
    seen = verification.fetch(f"{server}/loop")
    assert seen.outcome == CheckOutcome.ERROR
    assert "redirects" in seen.detail


def test_non_http_schemes_are_refused():
    assert verification.fetch("file:///etc/passwd").outcome == CheckOutcome.REFUSED
    assert verification.fetch("ftp://127.0.0.1/x").outcome == CheckOutcome.REFUSED


def test_timeout_raises_transient_error(server):
    with pytest.raises(verification.TransientCheckError, match="Timed out"):
        verification.fetch(f"{server}/slow", timeout=0.3)


def test_gateway_error_is_transient(server):
    with pytest.raises(verification.TransientCheckError, match="503"):
        verification.fetch(f"{server}/busy")


# --- Rate limit --------------------------------------------------------------------


def test_rate_limit_per_host_in_redis(settings):
    assert settings.REDIS_URL, "the suite runs against real Redis"
    settings.CHECK_HOST_MAX_PER_WINDOW = 2
    host, other = f"{uuid.uuid4().hex}.example", f"{uuid.uuid4().hex}.example"
    now = 1_000_000.0
    verification.take_host_slot(host, now)
    verification.take_host_slot(host, now + 1)
    with pytest.raises(verification.HostRateLimited):
        verification.take_host_slot(host, now + 2)
    verification.take_host_slot(other, now + 2)  # another host has its own budget
    verification.take_host_slot(host, now + settings.CHECK_HOST_WINDOW_SECONDS)  # next window


@pytest.mark.django_db
def test_rate_limited_check_records_nothing(settings, server):
    settings.CHECK_HOST_MAX_PER_WINDOW = 0
    item = item_at(f"{server}/ok")
    with pytest.raises(verification.HostRateLimited):
        verification.check_item(item.pk)
    assert not VerificationCheck.objects.exists()
    assert Handler.seen == []


# --- Checks and rules --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,outcome,status",
    [
        ("/ok", "live", 200),
        ("/gone404", "gone", 404),
        ("/gone410", "gone", 410),
        ("/to-private", "refused", None),
        ("/to-metadata", "refused", None),
    ],
)
def test_every_check_is_recorded(server, path, outcome, status):
    item = item_at(f"{server}{path}")
    check = verification.check_item(item.pk)
    row = VerificationCheck.objects.get()
    assert row == check
    assert (row.item, row.outcome, row.http_status) == (item, outcome, status)
    assert row.final_url and row.elapsed_ms is not None and row.checked_at
    item.refresh_from_db()
    assert item.last_checked_at == row.checked_at


@pytest.mark.django_db
def test_timeout_is_retried_then_recorded_as_error(server):
    item = item_at(f"{server}/slow")
    with pytest.raises(verification.TransientCheckError):
        verification.check_item(item.pk, final_attempt=False)
    assert not VerificationCheck.objects.exists()
    check = verification.check_item(item.pk, final_attempt=True)
    assert (check.outcome, check.http_status) == (CheckOutcome.ERROR, None)
    assert "Timed out" in check.detail


@pytest.mark.django_db
def test_n_consecutive_gone_moves_notified_to_removed(server):
    item = item_at(f"{server}/gone404-a", gone_after_checks=3)
    verification.check_item(item.pk, force=True)
    verification.check_item(item.pk, force=True)
    item.refresh_from_db()
    assert (item.stage, item.gone_streak) == (Stage.NOTIFIED, 2)
    Handler.state["/gone404-a"] = 200  # live in between: the streak starts again
    verification.check_item(item.pk, force=True)
    Handler.state.pop("/gone404-a")
    item.refresh_from_db()
    assert item.gone_streak == 0
    for _ in range(2):
        verification.check_item(item.pk, force=True)
    item.refresh_from_db()
    assert item.stage == Stage.NOTIFIED
    third = verification.check_item(item.pk, force=True)
    item.refresh_from_db()
    assert item.stage == Stage.REMOVED
    event = StageEvent.objects.get(item=item)
    assert (event.from_stage, event.to_stage, event.source, event.verification) == (
        Stage.NOTIFIED,
        Stage.REMOVED,
        EventSource.CHECK,
        third,
    )


@pytest.mark.django_db
def test_errors_neither_count_nor_break_the_streak(server):
    item = item_at(f"{server}/gone410-b", gone_after_checks=2)
    verification.check_item(item.pk, force=True)
    verification.record(
        item.pk, verification.FetchResult(outcome=CheckOutcome.ERROR, detail="reset")
    )
    item.refresh_from_db()
    assert (item.stage, item.gone_streak) == (Stage.NOTIFIED, 1)
    verification.check_item(item.pk, force=True)
    item.refresh_from_db()
    assert item.stage == Stage.REMOVED


@pytest.mark.django_db
@pytest.mark.parametrize("stage", [Stage.REMOVED, Stage.CEASED])
def test_relapse_live_again_goes_back_to_notified(server, stage):
    item = item_at(f"{server}/ok", stage=stage)
    check = verification.check_item(item.pk)
    item.refresh_from_db()
    assert (item.stage, item.relapse_count) == (Stage.NOTIFIED, 1)
    event = StageEvent.objects.get(item=item)
    assert (event.from_stage, event.source, event.verification) == (stage, "check", check)


@pytest.mark.django_db
def test_gone_removed_item_stays_removed(server):
    item = item_at(f"{server}/gone404", stage=Stage.REMOVED)
    verification.check_item(item.pk)
    item.refresh_from_db()
    assert (item.stage, item.relapse_count) == (Stage.REMOVED, 0)
    assert not StageEvent.objects.exists()


@pytest.mark.django_db
def test_identified_and_dismissed_items_are_not_checked(server):
    for stage in (Stage.IDENTIFIED, Stage.DISMISSED):
        assert verification.check_item(item_at(f"{server}/ok?{stage}", stage=stage).pk) is None
    assert not VerificationCheck.objects.exists()


@pytest.mark.django_db
def test_a_redelivered_check_does_nothing_twice(server):
    item = item_at(f"{server}/ok")
    assert verification.check_item(item.pk) is not None
    assert verification.check_item(item.pk) is None
    assert VerificationCheck.objects.count() == 1


@pytest.mark.django_db
def test_due_items_picks_notified_and_removed_not_checked_recently(settings):
    from django.utils import timezone

    now = timezone.now()
    old = now - timezone.timedelta(minutes=settings.CHECK_INTERVAL_MINUTES + 1)
    never = item_at("https://a.example/1")
    stale = item_at("https://a.example/2", stage=Stage.REMOVED)
    fresh = item_at("https://a.example/3")
    item_at("https://a.example/4", stage=Stage.IDENTIFIED)
    item_at("https://a.example/5", stage=Stage.DISMISSED)
    ceased_recent = item_at("https://a.example/6", stage=Stage.CEASED)
    InfringingItem.objects.filter(pk__in=[stale.pk, ceased_recent.pk]).update(last_checked_at=old)
    InfringingItem.objects.filter(pk=fresh.pk).update(last_checked_at=now)
    assert verification.due_items(now) == [never.pk, stale.pk]


# --- The task on a real worker, and "check now" -------------------------------------


def wait_for(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_manager_runs_a_check_now_on_the_worker(celery_worker_real, server, manager_client):
    from casework.models import RightsHolder

    netflix = RightsHolder.objects.get(code="NFLX")
    item = ItemFactory(rights_holder=netflix, url=f"{server}/gone410-now")
    InfringingItem.objects.filter(pk=item.pk).update(stage=Stage.NOTIFIED)
    response = manager_client.post(reverse("dashboard:check-item", args=[item.pk]))
    assert response.status_code == 302
    assert wait_for(lambda: VerificationCheck.objects.filter(item=item).exists())
    check = VerificationCheck.objects.get(item=item)
    assert (check.outcome, check.http_status, check.requested_by.username) == (
        "gone",
        410,
        "nf-manager",
    )


@pytest.mark.django_db
def test_check_now_is_for_managers_of_the_item_only(
    legal_client, outsider_client, manager_client, netflix
):
    item = ItemFactory(rights_holder=netflix)
    url = reverse("dashboard:check-item", args=[item.pk])
    assert legal_client.post(url).status_code == 403
    assert outsider_client.post(url).status_code in (403, 404)
    assert manager_client.get(url).status_code == 405
    assert not VerificationCheck.objects.exists()


@pytest.mark.django_db
def test_outsider_manager_gets_404_for_another_holders_item(warner, netflix):
    from django.test import Client

    from casework.choices import Role
    from tests.factories import UserFactory

    wb_manager = UserFactory(username="wb-manager", role=Role.MANAGER, holders=[warner])
    client = Client()
    client.force_login(wb_manager)
    item = ItemFactory(rights_holder=netflix)
    assert client.post(reverse("dashboard:check-item", args=[item.pk])).status_code == 404


@pytest.mark.django_db
def test_item_page_lists_checks_and_offers_check_now_to_managers(
    manager_client, viewer_client, netflix, server
):
    item = item_at(f"{server}/gone404-fragment", holder=netflix)
    verification.check_item(item.pk)
    html = manager_client.get(reverse("casework:item-detail", args=[item.pk])).content.decode()
    assert "Verification checks" in html
    assert "Gone" in html and "404" in html and f"{server}/gone404-fragment" in html
    assert reverse("dashboard:check-item", args=[item.pk]) in html
    viewer_html = viewer_client.get(
        reverse("casework:item-detail", args=[item.pk])
    ).content.decode()
    assert "Check now" not in viewer_html and "404" in viewer_html
