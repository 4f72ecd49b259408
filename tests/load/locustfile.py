"""Load test (Locust): legal staff browsing, filtering and logging items through the
real forms, managers on the dashboard, and an API client bulk-ingesting items.

Run by ``make loadtest`` (scripts/loadtest.sh), which prepares the database and users,
starts gunicorn and two Celery workers on 127.0.0.1, and prints the figures. Every
request goes to LOADTEST_HOST, which must be a 127.0.0.1 address.

Pages are read as a browser gets them (tests/load/pageforms.py): a form is submitted
with the fields and CSRF token it rendered, and choices come from its own options.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import uuid
from urllib.parse import urlsplit

import requests
from locust import HttpUser, between, events, task
from locust.exception import StopUser

from tests.load.pageforms import option_values, parse

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "")
# First seen yesterday: never in the future, whatever the holder's zone (the server's
# today is already tomorrow in Los Angeles between 00:00 and 08:00 UTC).
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()
API_KEY = os.environ.get("LOADTEST_API_KEY", "")
BULK_URL = "/api/v1/items/bulk/"
FILTER_WORDS = ("doll", "squid", "ballroom", "stranger", "demon", "red light")


@events.test_start.add_listener
def _only_localhost(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"The load test runs against 127.0.0.1 only, not {host!r}.")


class Browser(HttpUser):
    """A person signed in through the login form."""

    abstract = True
    username = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login (form)")
        forms, _ = parse(page.text)
        data = forms["login"].data(username=self.username, password=PASSWORD)
        with self.client.post(
            "/accounts/login/", data=data, name="login (submit)", catch_response=True
        ) as answer:
            if "/accounts/login/" in answer.url:
                answer.failure("sign-in refused")
                raise StopUser()

    def form(self, url, form_id, name):
        page = self.client.get(url, name=name)
        forms, links = parse(page.text)
        return forms.get(form_id), links


class LegalStaff(Browser):
    """Browses the item list, filters it, opens items and logs new ones."""

    weight = 6
    wait_time = between(1, 3)
    username = "load-legal"

    @task(4)
    def browse(self):
        page = self.client.get("/items/", name="items: list")
        _, links = parse(page.text)
        items = [h for h in links if h.startswith("/items/") and h.rstrip("/")[7:].isdigit()]
        if items:
            self.client.get(random.choice(items), name="items: detail")

    @task(3)
    def filter(self):
        form, _ = self.form("/items/", "item-filters", "items: list")
        data = form.data(q=random.choice(FILTER_WORDS))
        if random.random() < 0.5 and form.options.get("franchise"):
            data["franchise"] = random.choice(form.options["franchise"])
        if random.random() < 0.5:
            data["stage"] = random.choice(["identified", "notified", "removed"])
        self.client.get("/items/", params=data, name="items: filter")

    @task(1)
    def log_item(self):
        form, _ = self.form("/items/new/", "item", "items: log (form)")
        franchise = random.choice(form.options["franchise"])
        # The franchise select asks for its elements (htmx), as the page does.
        options = self.client.get(
            "/items/element-options/", params={"franchise": franchise}, name="items: elements"
        )
        elements = option_values(options.text)
        data = form.data(
            franchise=franchise,
            platform=random.choice(form.options["platform"]),
            url=f"https://seedance.example/load/{uuid.uuid4().hex}",
            title="Load test: Young-hee doll recreation",
            description="Logged by the load test.",
            content_kind=random.choice(form.options["content_kind"]),
            conduct=random.choice(form.options["conduct"]),
            theory=random.choice(form.options["theory"]),
            first_seen=YESTERDAY,
        )
        data["elements"] = random.sample(elements, min(2, len(elements)))
        with self.client.post(
            "/items/new/", data=data, name="items: log (submit)", catch_response=True
        ) as answer:
            if "/items/new/" in answer.url:
                answer.failure("the form came back with errors")


class Manager(Browser):
    """Watches the dashboard and the demand status board, and asks for PDF reports."""

    weight = 2
    wait_time = between(2, 5)
    username = "load-manager"

    @task(3)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")

    @task(1)
    def pdf_report(self):
        """Ask for the dashboard as PDF (the reports queue's work), then poll its panel."""
        form, _ = self.form("/dashboard/", "report-create", "dashboard")
        self.client.post("/dashboard/reports/new/", data=form.data(), name="dashboard: report")
        self.client.get("/dashboard/reports/", name="dashboard: reports panel")

    @task(1)
    def board(self):
        self.client.get("/dashboard/board/", name="dashboard: board")

    @task(1)
    def demands(self):
        self.client.get("/demands/", name="demands: list")


_api = {"checked": False, "available": False}


class ApiClient(HttpUser):
    """A vendor feed: batches of 50 items through POST /api/v1/items/bulk/ with a Bearer
    key. Skipped, with a note, when this build has no such endpoint."""

    weight = 1
    wait_time = between(2, 4)

    def on_start(self):
        if not _api["checked"]:
            _api["checked"] = True
            probe = requests.post(self.host + BULK_URL, json={}, timeout=10)
            if probe.status_code == 404:
                print(f"load test: {BULK_URL} answers 404 (no REST API here): API user skipped")
            elif not API_KEY:
                print("load test: no LOADTEST_API_KEY: API user skipped")
            else:
                _api["available"] = True
        if not _api["available"]:
            raise StopUser()
        catalogue = self.client.get(
            "/api/v1/franchises/", headers=self.auth(), name="api: catalogue"
        )
        platforms = self.client.get(
            "/api/v1/platforms/", headers=self.auth(), name="api: catalogue"
        )
        self.franchises = [f["id"] for f in _results(catalogue)]
        self.platforms = [p["id"] for p in _results(platforms)]
        if not self.franchises or not self.platforms:
            raise StopUser()

    def auth(self):
        return {"Authorization": f"Bearer {API_KEY}"}

    @task
    def bulk_ingest(self):
        rows = [
            {
                "franchise": random.choice(self.franchises),
                "platform": random.choice(self.platforms),
                "url": f"https://reseller.example/v/{uuid.uuid4().hex}",
                "title": "Feed item: style imitation",
                "content_kind": "video",
                "conduct": "style",
                "first_seen": YESTERDAY,
            }
            for _ in range(50)
        ]
        headers = {**self.auth(), "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post(
            BULK_URL,
            json={"items": rows},
            headers=headers,
            name="api: bulk 50",
            catch_response=True,
        ) as answer:
            if answer.status_code == 200 and any(
                r.get("status") == "error" for r in answer.json().get("results", [])
            ):
                answer.failure("rows refused: " + str(answer.json())[:200])


def _results(response):
    body = response.json() if response.ok else []
    return body.get("results", body) if isinstance(body, dict) else body
