"""axe-core on every page of the app, in every role, with zero violations of any impact.

Netflix's legal staff, manager and viewer, and Warner's legal staff, each sign in through
the real form in a browser context of their own and open every page they can reach: one
URL per route, listed by crawling the demo case with a Django test client
(tests/crawl.py), a demand page per status and an item page per stage, and the pages
only a form or a typed address leads to (a demand drafted from selected items, forms
showing their errors, an import's preview, flash messages, 403 and 404). Someone not
signed in sees the sign-in page, an expired form, the 500 page and the lockout (429).
axe-core (axe-playwright-python) checks each page as shown.

The URLconf is the list of what must be checked: a route that no role opened fails the
test unless ROUTES_NOT_OPENED names it with the reason, so a page added later is swept
without anyone listing it.
"""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLResolver, get_resolver, resolve, reverse
from playwright.sync_api import expect

from casework.models import InfringingItem
from notices import workflow
from notices.models import Demand
from tests.browser.conftest import sign_in
from tests.crawl import crawl
from tests.factories import PASSWORD
from tests.test_access_from_urlconf import _make_every_kind_of_object, _wait, signed_in_client

# The app's URLconf plus a view that fails, for the 500 page.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.error_urls"),
]

ROLES = ("netflix-legal", "netflix-manager", "netflix-viewer", "wb-legal")

# Whole URL namespaces that are not the app's HTML pages.
NAMESPACES_NOT_OPENED = {
    "admin": "Django's own admin site, not the app's pages",
    "api": "the JSON API: no HTML",
}
# Routes no role opens in the sweep, each with the reason. Everything else must be opened.
ROUTES_NOT_OPENED = {
    "logout": "POST only: ends the session",
    "healthz": "plain-text probe for the load balancer",
    "readyz": "plain-text probe for the load balancer",
    "metrics": "Prometheus text format",
    "api-schema": "OpenAPI document (YAML)",
    # axe finds nested-interactive, heading-order, region and colour contrast in the markup
    # Swagger UI's script builds; only a patched Swagger UI could change that.
    "api-docs": "Swagger UI (drf-spectacular-sidecar) draws the page: not our markup",
    "casework:item-export": "CSV download",
    "casework:item-bulk-stage": "POST: its pages (a missing note, a partial move) are checked "
    "with axe in test_confirm_actions.py",
    "casework:element-options": "htmx fragment of the item form, checked inside it",
    "casework:item-transition": "POST: its question page (no JavaScript) is checked with axe "
    "in test_confirm_actions.py",
    "casework:evidence-add": "POST only: redirects to the item",
    "casework:item-check": "POST only: redirects to the item",
    "casework:item-check-progress": "htmx fragment of the item page, checked inside it",
    "casework:saved-filter-create": "POST only: redirects to the item list",
    "casework:saved-filter-delete": "POST only: redirects to the item list",
    "casework:evidence-download": "file download",
    "imports:template": "CSV download",
    "imports:confirm": "POST only: redirects to the import",
    "imports:progress": "htmx fragment of the import page, checked inside it",
    "notices:demand-edit": "POST only: redirects to the demand",
    "notices:demand-remove-item": "POST only: redirects to the demand",
    "notices:remedy-add": "POST only: redirects to the demand",
    "notices:remedy-edit": "POST only: redirects to the demand",
    "notices:remedy-remove": "POST only: redirects to the demand",
    "notices:remedy-compliance": "POST only: redirects to the demand",
    "notices:demand-action": "POST: asks first on a page without JavaScript (test_demand_forms), "
    "then redirects to the demand",
    "notices:demand-send": "POST: asks first on a page without JavaScript (test_demand_forms), "
    "then redirects to the demand",
    "notices:letter-request": "POST only: redirects to the demand",
    "notices:letter-panel": "htmx fragment of the demand page, checked inside it",
    "notices:letter-view": "the PDF (or its HTML preview) framed in the demand page",
    "notices:waiting-count": "htmx fragment of the navigation, checked inside every page",
    "notices:demand-return": "POST only: redirects to the demand",
    "notices:letter-download": "PDF download",
    "notices:demand-lumen": "JSON download",
    "notices:response-file-download": "file download",
    "notices:export-create": "POST only: redirects to the export",
    "notices:export-download": "ZIP download",
    "dashboard:csv": "CSV download",
    "dashboard:reports": "htmx fragment of the dashboard, checked inside it",
    "dashboard:report-create": "POST only: redirects to the dashboard",
    "dashboard:report-download": "PDF download",
}

IMPORT_CSV = "\n".join(
    [
        "url,title,franchise,platform,first_seen,content_kind,conduct",
        "https://seedance.example/share/sweep-new,Doll remake,Squid Game,Seedance 2.0,"
        "2026-02-10,video,recreation",
        "not a url,Broken row,Squid Game,Seedance 2.0,2026-02-11,video,recreation",
    ]
)


def _view_names(resolver=None, prefix=""):
    """Every route of the URLconf by the name resolve() gives it ("notices:demand-detail")."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _view_names(entry, namespace)
        else:
            yield prefix + (entry.name or entry.lookup_str)


def _view_name(url):
    return resolve(urlsplit(url).path).view_name


def _not_opened(name):
    return name in ROUTES_NOT_OPENED or name.split(":")[0] in NAMESPACES_NOT_OPENED


class Sweep:
    """What axe-core found (page, rule, impact, targets) and which routes were opened."""

    def __init__(self):
        self.found, self.opened = [], set()

    def check(self, page, label, asked=None):
        """Run axe-core on the page as shown; ``asked`` is the URL opened when the page
        shown is where it redirected."""
        self.opened.update(_view_name(url) for url in (asked, page.url) if url)
        for violation in Axe().run(page).response["violations"]:
            targets = [node["target"] for node in violation["nodes"]]
            self.found.append(f"{label}: {violation['id']} ({violation['impact']}) at {targets}")


def _seed(client_for, app):
    """Everything people do to the demo case (tests/test_access_from_urlconf), plus a
    demand under review; the worker groups the demo's items as variants."""
    starts = _make_every_kind_of_object(client_for, app)
    legal = client_for("netflix-legal").user
    draft = Demand.objects.filter(rights_holder__code="NFLX", status="draft").first()
    workflow.perform(draft, "submit", by=legal)
    _wait(
        lambda: InfringingItem.objects.filter(variant_group__isnull=False).exists(),
        "the variant groups",
    )
    return starts


def _plan(client, starts):
    """One URL per route this user's crawl reached, but for those not opened."""
    pages, _ = crawl(client, start=starts, per_route=1)
    plan = {}
    for path, _ in pages:
        name = _view_name(path)
        if name not in plan and not _not_opened(name):
            plan[name] = path
    return list(plan.values())


def _selected_items():
    """What the item list's "Draft demand" and "Add to demand" buttons send: two items."""
    identified = InfringingItem.objects.filter(rights_holder__code="NFLX", stage="identified")
    return "&".join(f"items={pk}" for pk in identified.values_list("pk", flat=True)[:2])


def _one_of_each(queryset, field):
    """The first object of each value of ``field`` (a demand per status, an item per stage)."""
    return list(queryset.order_by(field, "pk").distinct(field))


def _typed_pages(role):
    """Pages the crawl's one URL per route leaves out, and pages no link leads to, as
    this role opens them by address: (url, status)."""
    netflix = Demand.objects.filter(rights_holder__code="NFLX")
    if role == "wb-legal":
        return [(netflix.first().get_absolute_url(), 404)]
    # A demand page shows other forms in each status to those who write or approve.
    pages = []
    if role != "netflix-viewer":
        pages += [(demand.get_absolute_url(), 200) for demand in _one_of_each(netflix, "status")]
    if role == "netflix-legal":
        items = InfringingItem.objects.filter(rights_holder__code="NFLX")
        pages += [(item.get_absolute_url(), 200) for item in _one_of_each(items, "stage")]
        unsent = netflix.filter(sent_at__isnull=True).first()
        pages += [
            (f"{reverse('notices:demand-create')}?{_selected_items()}", 200),
            (f"{reverse('notices:demand-add-items')}?{_selected_items()}", 200),
            # An unsent demand has no Lumen notice: back on the demand with an error message.
            (reverse("notices:demand-lumen", args=[unsent.pk]), 200),
        ]
    if role == "netflix-viewer":
        pages.append((reverse("imports:start"), 403))
    return pages


def _submit_forms(page, sweep):
    """Legal staff send forms as a person would; axe checks the pages they answer with."""
    page.goto(reverse("casework:item-create"))
    page.get_by_role("button", name="Log item").click()  # empty: the errors
    page.wait_for_load_state()
    sweep.check(page, "item form with errors")
    # A blank reply passes the browser's check, not the server's.
    sent = Demand.objects.filter(rights_holder__code="NFLX", sent_at__isnull=False).first()
    page.goto(reverse("notices:response-add", args=[sent.pk]))
    page.get_by_label("Reply").fill("   ")
    page.get_by_role("button", name="Record response").click()
    page.wait_for_load_state()
    sweep.check(page, "response form with errors")
    # A demand drafted from selected items: the demand page with a success message.
    page.goto(f"{reverse('notices:demand-create')}?{_selected_items()}")
    page.get_by_role("button", name="Draft demand").click()
    page.get_by_role("status").wait_for()
    sweep.check(page, "demand page with a success message")
    # An import uploaded through its form: the preview with a new row and an error row.
    page.goto(reverse("imports:start"))
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "items.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode()}]
    )
    page.locator("form#import-upload button[type=submit]").click()
    page.wait_for_url("**/import/*/")
    sweep.check(page, f"import preview {page.url}")


def _sweep_role(context, role, starts, client, sweep):
    """Sign in as ``role`` through the form and check every page the role reaches."""
    page = context.new_page()
    sign_in(page, role)
    # The export and the import were made by Netflix's legal staff: only theirs to start from.
    plan = _plan(client, starts if role == "netflix-legal" else ["/"])
    # Mostly 200 from the crawl; a link to a page the role may not use answers 403.
    shown = set()
    for url, expected in [(url, None) for url in plan] + _typed_pages(role):
        if url in shown:
            continue
        status = page.goto(url).status
        assert expected in (None, status), (role, url, status)
        where = urlsplit(page.url)
        where = where.path + (f"?{where.query}" if where.query else "")
        if expected is None and where in shown:  # "/" shows the item list, checked already
            sweep.opened.add(_view_name(url))
            continue
        shown.add(where)
        sweep.check(page, f"{role} {url} ({status})", asked=url)
    if role == "netflix-legal":
        _submit_forms(page, sweep)


def _signed_out(page, sweep, settings):
    """Someone not signed in: the sign-in page, a form sent after its cookie expired, a
    view that fails (500), then wrong passwords until signing in is paused (429). Last,
    since the lockout covers the address every context signs in from."""
    page.goto(reverse("login"))
    sweep.check(page, "sign-in page")
    page.get_by_label("Username").fill("wb-legal")
    page.get_by_label("Password").fill(PASSWORD)
    page.context.clear_cookies()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    sweep.check(page, "expired form (403)")
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False  # django-webtest (the seeding) turned it on
    assert page.goto("/boom/").status == 500
    sweep.check(page, "server error (500)")
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto(reverse("login"))
        page.get_by_label("Username").fill("wb-legal")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if attempt == 0:
            sweep.check(page, "sign-in page with a wrong password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing in is paused")
    sweep.check(page, "lockout page (429)")


def test_every_page_in_every_role_has_no_axe_violations(
    browser, live_server, app, celery_worker_real, settings
):
    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects.in_bulk(ROLES, field_name="username")
    for user in users.values():
        user.set_password(PASSWORD)  # demo users have none unless DEBUG is on
        user.save(update_fields=["password"])

    def client_for(name):
        return signed_in_client(users[name])

    starts = _seed(client_for, app)
    sweep = Sweep()
    for role in (*ROLES, None):  # None: someone not signed in
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        try:
            if role:
                _sweep_role(context, role, starts, client_for(role), sweep)
            else:
                _signed_out(context.new_page(), sweep, settings)
        finally:
            context.close()

    routes = set(_view_names())
    missing = sorted(n for n in routes if n not in sweep.opened and not _not_opened(n))
    stale = sorted(set(ROUTES_NOT_OPENED) - routes)
    assert not sweep.found, "axe-core violations:\n" + "\n".join(sweep.found)
    assert not missing, f"routes no role opened and not in ROUTES_NOT_OPENED: {missing}"
    assert not stale, f"ROUTES_NOT_OPENED names routes that no longer exist: {stale}"
