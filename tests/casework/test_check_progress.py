""" "Check now" says where the check is: queued, retrying after a temporary failure, and
how it ended; the item page polls a fragment that answers 204 while nothing changed."""

import re

import pytest
from django.urls import reverse

from casework import verification
from casework.choices import CheckOutcome, Stage
from casework.models import CheckRequest, InfringingItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(item):
    InfringingItem.objects.filter(pk=item.pk).update(stage=Stage.NOTIFIED)
    item.refresh_from_db()
    return item


def progress_of(page):
    return " ".join(page.html.select_one("#check-progress").text.split())


def test_a_retrying_check_says_so_instead_of_not_checked_yet(app, manager, notified):
    request = CheckRequest.objects.create(item=notified, requested_by=manager)
    attempt = CheckRequest.claim(request.pk)
    CheckRequest.release(request.pk, attempt, "Attempt 1: HTTP 503 from https://x.example/")

    page = app.get(notified.get_absolute_url(), user=manager)
    assert progress_of(page).startswith("Retrying after a temporary failure")
    assert "Attempt 1: HTTP 503 from https://x.example/" in progress_of(page)
    assert "Not checked yet" not in page.text
    assert "No check has finished yet" in page.html.select_one("#check-table").text
    poll = page.html.select_one("#check-progress")["hx-get"]
    assert poll.startswith(reverse("casework:item-check-progress", args=[notified.pk]))


def test_the_polled_fragment_answers_204_until_the_check_ends_then_its_result(
    app, manager, notified
):
    page = app.get(notified.get_absolute_url(), user=manager)
    assert "Not checked yet." in page.html.select_one("#check-table").text
    assert "Check queued" in page.forms["check-now"].submit().follow().text

    page = app.get(notified.get_absolute_url(), user=manager)
    assert "Check queued" in progress_of(page)
    poll = page.html.select_one("#check-progress")["hx-get"]
    assert app.get(poll, user=manager).status_code == 204

    request = CheckRequest.objects.get(item=notified)
    attempt = CheckRequest.claim(request.pk)
    running = app.get(poll, user=manager)
    assert "Checking the URL now (attempt 1 of 5)" in progress_of(running)

    seen = verification.FetchResult(outcome=CheckOutcome.GONE, http_status=410, detail="HTTP 410")
    check = verification.record(notified.pk, seen, requested_by=manager)
    CheckRequest.finish(request.pk, attempt, result=check)
    done = app.get(running.html.select_one("#check-progress")["hx-get"], user=manager)
    assert re.search(
        r"Check finished at \d\d:\d\d: Gone · HTTP 410\. The item is notified\.", progress_of(done)
    )
    assert not done.html.select_one("#check-progress").has_attr("hx-get")  # polling stops
    table = done.html.select_one("#check-table[hx-swap-oob]")  # the table, refreshed
    assert "Gone" in table.text and "Not checked yet" not in table.text
    assert "current streak 1" in table.text


def test_another_holders_check_progress_is_404(client, outsider, notified):
    client.force_login(outsider)
    url = reverse("casework:item-check-progress", args=[notified.pk])
    assert client.get(url).status_code == 404
