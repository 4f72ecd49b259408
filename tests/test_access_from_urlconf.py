"""Who reaches what, generated from the URLconf and the pages: no hand-kept list of URLs.

Netflix's legal staff and manager crawl the demo case (tests/crawl.py) and
collect every page and every form action with a real object id. Then:

* Warner's legal staff ask for each of them: another holder's object is a 404,
  never a 403 that confirms it exists (GET for pages, POST for form actions);
* Netflix's viewer posts to each form action: 403, a viewer changes nothing;
* every id-taking route of the URLconf must have been reached, so a new URL
  cannot escape these checks by not being listed anywhere.
"""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import resolve, reverse
from webtest import Upload

from tests.crawl import crawl, id_routes
from tests.webforms import check

pytestmark = pytest.mark.django_db(transaction=True)

# Posting these reads, it changes no case data: a viewer may do it.
READ_ONLY_POSTS = {"notices:export-create"}
# Respondents and platforms are shared by all rights holders: another holder's member
# who also deals with one gets its scorecard with their own figures (or a 404 if they
# have none), never Netflix's.
SHARED_PAGES = {"scorecards:respondent", "scorecards:platform"}


def _shared(path):
    match = resolve(path)
    return f"{match.namespace}:{match.url_name}" in SHARED_PAGES


def _wait(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _make_every_kind_of_object(client_for, app):
    """Do what people do, so that every kind of page exists: an approved demand with a
    render under way, a response with a file, a ZIP export, an import being previewed
    and a dashboard report, a "Check now" not yet taken; the worker finishes the jobs."""
    from casework.models import CheckRequest, InfringingItem
    from dashboards.models import DashboardReport
    from notices import drafting, responses, workflow
    from notices.models import Demand, ExportJob

    legal, manager = client_for("netflix-legal"), client_for("netflix-manager")
    netflix = Demand.objects.filter(rights_holder__code="NFLX")
    sent = netflix.filter(sent_at__isnull=False).first()
    draft = netflix.filter(status="draft").first()
    workflow.perform(draft, "submit", by=legal.user)
    workflow.perform(draft, "approve", by=manager.user)
    identified = InfringingItem.objects.filter(
        rights_holder=draft.rights_holder, stage="identified"
    )
    drafting.draft_demand(legal.user, list(identified.values_list("pk", flat=True)[:3]))
    responses.record(
        sent,
        by=legal.user,
        received_on=sent.sent_at.date(),
        text="We dispute the claims.",
        uploads=[SimpleUploadedFile("reply.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")],
    )
    starts = ["/"]
    # The export, the import and the report are asked for through their forms as rendered.
    export = app.get(reverse("notices:demand-list"), user=legal.user).forms["export"]
    check(export, "demands", sent.pk)
    starts.append(urlsplit(export.submit().location).path)
    template = app.get(reverse("imports:template"), user=legal.user).body
    upload = app.get(reverse("imports:start"), user=legal.user).forms["import-upload"]
    upload["file"] = Upload("items.csv", template, "text/csv")
    starts.append(urlsplit(upload.submit().location).path)
    app.get(reverse("dashboard:index"), user=manager.user).forms["report-create"].submit()
    # A check asked for that no worker has taken (the row alone, not published) of the
    # item listed first: its page, which the crawl opens, polls the check's progress.
    newest = InfringingItem.objects.filter(rights_holder__code="NFLX").latest("created_at", "pk")
    CheckRequest.objects.create(item=newest, requested_by=manager.user)
    _wait(lambda: ExportJob.objects.filter(status="done").exists(), "the export")
    _wait(lambda: DashboardReport.objects.filter(status="done").exists(), "the report")
    return starts


def signed_in_client(user):
    """A test client signed in as ``user``, who stays at hand as ``client.user``."""
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def reached(celery_worker_real, app):
    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects.in_bulk(
        ["netflix-legal", "netflix-manager", "netflix-viewer", "wb-legal"], field_name="username"
    )

    def client_for(name):
        return signed_in_client(users[name])

    starts = _make_every_kind_of_object(client_for, app)
    pages, posts = set(), set()
    for name in ("netflix-legal", "netflix-manager"):
        found_pages, found_forms = crawl(client_for(name), start=starts)
        pages.update(path for path, _ in found_pages)
        posts.update(action for action, _ in found_forms)
    return pages, posts, client_for


def _takes_id(path):
    return bool(resolve(path).kwargs)


def _derive(route, converters, reached_paths):
    """A concrete path for a route seen only in passing (a progress fragment polled
    while a job runs): the ids of a reached path whose route starts the same way,
    up to the last id, name the same objects."""
    prefix = route[: route.rindex(">") + 1]
    for path in sorted(reached_paths):
        match = resolve(path)
        if match.route.startswith(prefix) and set(converters) <= set(match.kwargs):
            concrete = route
            for name in converters:
                concrete = re.sub(rf"<(?:\w+:)?{name}>", str(match.kwargs[name]), concrete)
            return "/" + concrete
    return None


def _everything(reached):
    """Every id-taking URL: those reached, and one derived for each route not reached."""
    pages, posts, _ = reached
    seen = {resolve(path).route for path in pages | posts}
    derived, missing = set(), []
    for route, converters in id_routes():
        if route in seen:
            continue
        path = _derive(route, converters, pages | posts)
        if path is None:
            missing.append(route)
        else:
            derived.add(path)
    return derived, missing


def test_every_id_taking_route_is_reached(reached):
    derived, missing = _everything(reached)
    assert not missing, f"no page leads to these routes, so nothing checks them: {missing}"
    assert len(derived) <= 3, f"most routes should be reached by the crawl itself: {derived}"


def test_another_holders_objects_are_404_on_every_url(reached):
    pages, posts, client_for = reached
    derived, _ = _everything(reached)
    outsider = client_for("wb-legal")
    wrong = []
    for path in sorted(derived):
        status = outsider.get(path).status_code
        if status not in (404, 405):  # 405: a POST-only URL refuses GET before any lookup
            wrong.append(("GET", path, status))
        status = outsider.post(path).status_code
        if status not in (404, 405):
            wrong.append(("POST", path, status))
    for path in sorted(p for p in pages if _takes_id(p)):
        response = outsider.get(path)
        if _shared(path) and response.status_code in (200, 404):
            if b"NFLX" in response.content or b"Netflix" in response.content:
                wrong.append(("GET", path, "shows Netflix's rows"))
            continue
        if response.status_code != 404:
            wrong.append(("GET", path, response.status_code))
    for path in sorted(p for p in posts if _takes_id(p)):
        status = outsider.post(path).status_code
        if status != 404:
            wrong.append(("POST", path, status))
    assert not wrong, wrong


def test_a_viewer_gets_403_on_every_state_changing_url(reached):
    _, posts, client_for = reached
    viewer = client_for("netflix-viewer")
    wrong = []
    for path in sorted(posts):
        match = resolve(path)
        if f"{match.namespace}:{match.url_name}" in READ_ONLY_POSTS:
            continue
        status = viewer.post(path).status_code
        if status != 403:
            wrong.append((path, status))
    assert not wrong, wrong
    assert len(posts) >= 20 and any(re.search(r"/remedies/\d+/compliance/", p) for p in posts)
