"""Lockout behind a reverse proxy: attackers cannot lock a real user out.

A small reverse proxy started by the test forwards to the live server and
appends the connecting client's address to X-Forwarded-For, as nginx's
``proxy_add_x_forwarded_for`` does. Clients connect from different loopback
addresses (127.0.0.2, 127.0.0.3, ...), so the app sees different people.
"""

import http.client
import http.server
import re
import threading
from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


class _Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True


def _proxy_handler(upstream_host, upstream_port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            prior = self.headers.get("X-Forwarded-For")
            client = self.client_address[0]
            headers["X-Forwarded-For"] = f"{prior}, {client}" if prior else client
            conn = http.client.HTTPConnection(upstream_host, upstream_port, timeout=10)
            conn.request(self.command, self.path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = _forward

    return Handler


@pytest.fixture
def proxy(live_server):
    upstream = urlsplit(live_server.url)
    server = _Proxy(("127.0.0.1", 0), _proxy_handler(upstream.hostname, upstream.port))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


class Person:
    """A browser-like client at its own loopback address, with a cookie jar."""

    def __init__(self, port, source, extra_headers=None):
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}
        self.extra = extra_headers or {}

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(self.source, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        headers.update(self.extra)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/accounts/login/"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text

    def sign_in(self, username, password):
        """Fill in the sign-in form as the page renders it, and submit it."""
        status, page = self.request("GET", "/accounts/login/")
        assert status == 200
        form = re.search(r"<form[^>]*>(.*?)</form>", page, re.S).group(1)
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
        assert {"username", "password"} <= set(re.findall(r'name="([^"]+)"', form))
        fields.update(username=username, password=password)
        from urllib.parse import urlencode

        return self.request("POST", "/accounts/login/", urlencode(fields))


def _lock_out(person, username, limit):
    for _ in range(limit):
        status, _ = person.sign_in(username, "not-the-password")
        assert status in (200, 429)


def test_attacker_behind_the_proxy_cannot_lock_out_the_real_user(proxy, manager, settings):
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    attacker = Person(proxy, "127.0.0.2")
    _lock_out(attacker, manager.username, settings.AXES_FAILURE_LIMIT)

    status, page = attacker.sign_in(manager.username, PASSWORD)
    assert status == 429, "the attacker's own address is locked"
    assert "You can try again after" in page and "<time datetime=" in page

    real = Person(proxy, "127.0.0.3")
    status, _ = real.sign_in(manager.username, PASSWORD)
    assert status == 302, "the real manager at another address still signs in"

    from axes.models import AccessAttempt

    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert addresses == {"127.0.0.2"}, "failures are counted against the client, not the proxy"


def test_without_a_trusted_proxy_everyone_behind_it_shares_one_address(proxy, manager, settings):
    """The control: with no TRUSTED_PROXIES, the proxy's address is all the app sees."""
    settings.TRUSTED_PROXIES = []
    _lock_out(Person(proxy, "127.0.0.2"), manager.username, settings.AXES_FAILURE_LIMIT)
    status, _ = Person(proxy, "127.0.0.3").sign_in(manager.username, PASSWORD)
    assert status == 429


def test_forwarded_header_from_an_untrusted_peer_is_ignored(live_server, manager, settings):
    """A client talking to the app directly cannot choose its address with the header."""
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    port = urlsplit(live_server.url).port
    for n in range(settings.AXES_FAILURE_LIMIT):
        spoofer = Person(port, "127.0.0.4", {"X-Forwarded-For": f"198.51.100.{n}"})
        spoofer.sign_in(manager.username, "not-the-password")
    spoofer = Person(port, "127.0.0.4", {"X-Forwarded-For": "198.51.100.99"})
    status, _ = spoofer.sign_in(manager.username, PASSWORD)
    assert status == 429


def test_a_locked_address_is_locked_for_every_username(proxy, manager, legal, settings):
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    attacker = Person(proxy, "127.0.0.2")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attacker.sign_in(f"guess-{n}", "not-the-password")
    status, _ = attacker.sign_in(legal.username, PASSWORD)
    assert status == 429, "credential stuffing over many usernames is stopped per address"
    status, _ = Person(proxy, "127.0.0.3").sign_in(legal.username, PASSWORD)
    assert status == 302
