# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""In Chromium: a letter asked for while the workers cannot be reached says so, and the
page finishes by itself once Redis is back (the sweeper re-sends, a worker renders)."""

import re
import threading

import pytest
from django.db import connection
from playwright.sync_api import expect

from casework.choices import Stage
from casework.models import InfringingItem
from notices.models import Letter
from tests.browser.conftest import sign_in
from tests.casework.test_verification import server  # noqa: F401
from tests.factories import ItemFactory
from tests.notices.conftest import bytedance, draft, items, template  # noqa: F401
from tests.test_broker_outage import WAITING, broker, recover  # noqa: F401

SHOTS = "/work/shots"


@pytest.mark.django_db(transaction=True)
def test_a_letter_asked_for_while_the_broker_is_down_renders_when_it_is_back(
    page, broker, legal, draft
):
    sign_in(page, legal.username)
    page.goto(f"/demands/{draft.pk}/")
    page.get_by_role("button", name=re.compile("Render a new draft")).click()
    waiting = page.locator("[data-waiting-for-worker]")
    expect(waiting).to_contain_text(WAITING)
    expect(waiting).to_contain_text("the render starts as soon as they are")
    page.locator("#letters").screenshot(path=f"{SHOTS}/i14-broker-letter-waiting.png")

    page.get_by_role("button", name=re.compile("Render a new draft")).click()  # again
    expect(page.locator("[data-letter-status]")).to_have_count(1)

    # Redis comes back: the sweeper re-sends, a worker renders; the panel updates itself.
    done = threading.Event()

    def bring_back():
        try:
            recover(broker, lambda: done.is_set() or _ready(draft))
        finally:
            connection.close()  # this thread's own connection

    worker = threading.Thread(target=bring_back)
    worker.start()
    try:
        expect(page.get_by_role("link", name="Download PDF")).to_be_visible(timeout=60_000)
    finally:
        done.set()
        worker.join(60)
    expect(page.locator("[data-waiting-for-worker]")).to_have_count(0)
    page.locator("#letters").screenshot(path=f"{SHOTS}/i14-broker-letter-ready.png")
    assert Letter.objects.filter(demand=draft).count() == 1


def _ready(demand):
    return Letter.objects.filter(demand=demand, status="ready").exists()


@pytest.mark.django_db(transaction=True)
def test_check_now_while_the_broker_is_down_says_it_waits(page, broker, manager, netflix, server):
    item = ItemFactory(rights_holder=netflix, url=f"{server}/gone410-browser")
    InfringingItem.objects.filter(pk=item.pk).update(stage=Stage.NOTIFIED)
    sign_in(page, manager.username)
    page.goto(f"/items/{item.pk}/")
    page.get_by_role("button", name="Check now").click()
    expect(page.locator("[data-waiting-for-worker]")).to_contain_text(
        "the check starts as soon as they are"
    )
    page.locator("#checks").screenshot(path=f"{SHOTS}/i14-broker-check-waiting.png")
