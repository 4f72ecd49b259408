"""Item scenarios: one holder's items in a stage (ORM vs raw SQL), and the item list page
with three filters and a search (beside the Django admin changelist)."""

from __future__ import annotations

import re
import statistics
from html import unescape

from tests.bench.registry import Row, scenario

PAGE = 50
ADMIN_PAGE = 100  # ModelAdmin.list_per_page
DEEP = 50_000  # rows down for the deep-page variant


@scenario("list-stage", "list one holder's items in a stage", order=10)
def list_stage(ctx):
    from django.db import connection

    from casework.models import InfringingItem

    holder, stage = ctx.holder, ctx.stage
    sql = (
        "SELECT i.*, f.*, p.* FROM casework_infringingitem i "
        "JOIN casework_franchise f ON f.id = i.franchise_id "
        "JOIN casework_platform p ON p.id = i.platform_id "
        "WHERE i.rights_holder_id = %s AND i.stage = %s "
        "ORDER BY i.created_at DESC, i.id DESC LIMIT %s OFFSET %s"
    )

    def raw(offset=0):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, [holder.pk, stage, PAGE, offset])
                return cursor.fetchall()

        return run

    def orm(qs, offset=0):
        def run():
            rows = list(qs.select_related("franchise", "platform")[offset : offset + PAGE])
            for item in rows:  # what a template would touch
                item.franchise.name, item.platform.name  # noqa: B018
            return rows

        return run

    in_stage = InfringingItem.objects.filter(rights_holder=holder, stage=stage)
    total = in_stage.count()
    note = f"{total:,} {stage} items of {holder.code}"
    samples, queries = ctx.measure(raw())
    yield Row("raw SQL, first page", PAGE, samples, queries, baseline=True, note=note)
    samples, queries = ctx.measure(orm(in_stage))
    yield Row("ORM select_related, first page", PAGE, samples, queries)
    scoped = InfringingItem.objects.for_user(ctx.legal).filter(stage=stage)
    samples, queries = ctx.measure(orm(scoped))
    yield Row("ORM for_user(legal) + select_related", PAGE, samples, queries)
    try:
        from casework.paging import paginate
    except ImportError:
        paginate = None
    if paginate is not None:
        # Exactly what the item list runs: keyset page of size + 1 rows, newest first.
        def page():
            rows = paginate(
                scoped.select_related("franchise", "platform"), sort="-created_at", size=PAGE
            )
            for item in rows:
                item.franchise.name, item.platform.name  # noqa: B018
            return rows

        samples, queries = ctx.measure(page)
        yield Row("ORM as /items/ runs it (for_user, paginate)", PAGE, samples, queries)
    deep = min(5_000, max(0, total - PAGE))
    samples, queries = ctx.measure(raw(deep))
    yield Row(f"raw SQL, OFFSET {deep:,}", PAGE, samples, queries, note="deep page by offset")
    samples, queries = ctx.measure(orm(in_stage, deep))
    yield Row(f"ORM select_related, OFFSET {deep:,}", PAGE, samples, queries)


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _get(client, url):
    def run():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    return run


@scenario("item-list", "item list page, 3 filters + search", order=20)
def item_list(ctx):
    from urllib.parse import urlencode

    from django.urls import reverse

    filters = {
        "stage": ctx.stage,
        "franchise": ctx.franchise.pk,
        "platform": ctx.platform.pk,
        "q": ctx.q,
        "size": ADMIN_PAGE,  # the admin's page size, so both pages show as many rows
    }
    admin_filters = {
        "stage__exact": ctx.stage,
        "franchise__id__exact": ctx.franchise.pk,
        "platform__id__exact": ctx.platform.pk,
        "q": ctx.q,
    }
    note = (
        f"stage={ctx.stage}, franchise={ctx.franchise.name}, "
        f"platform={ctx.platform.name}, q={ctx.q!r}"
    )
    from casework import search
    from casework.models import InfringingItem

    matching = search.matching(
        InfringingItem.objects.filter(
            rights_holder=ctx.holder,
            stage=ctx.stage,
            franchise=ctx.franchise,
            platform=ctx.platform,
        ),
        ctx.q,
    ).count()
    note = f"{note}; {matching:,} match"
    admin = _client(ctx.superuser)
    from django.test.utils import override_settings

    # The honest baseline: the admin set up for this list (tests/bench/admin_baseline.py).
    with override_settings(ROOT_URLCONF="tests.bench.admin_baseline"):
        configured_url = (
            reverse("admin:casework_infringingitem_changelist", current_app="bench_admin")
            + "?"
            + urlencode(admin_filters)
        )
        samples, queries = ctx.measure(_get(admin, configured_url))
        shown = admin.get(configured_url).content.decode().count('class="action-select"')
    yield Row(
        "admin changelist, configured for this list (superuser)",
        ADMIN_PAGE,
        samples,
        queries,
        baseline=True,
        note=f"{note}; {shown} rows shown",
    )
    admin_url = reverse("admin:casework_infringingitem_changelist") + "?" + urlencode(admin_filters)
    samples, queries = ctx.measure(_get(admin, admin_url))
    yield Row(
        "admin changelist as shipped (date hierarchy, scoped filters)",
        ADMIN_PAGE,
        samples,
        queries,
    )

    legal = _client(ctx.legal)
    list_url = reverse("casework:item-list") + "?" + urlencode(filters)
    # The first page a user's holders see reads the filter choices (five queries more)
    # and caches them; every later page of anyone with the same holders does not.
    legal.get(list_url)
    samples, queries = ctx.measure(_get(legal, list_url))
    shown = legal.get(list_url).content.decode().count('name="items"')
    yield Row("/items/ (legal staff)", ADMIN_PAGE, samples, queries, note=f"{shown} rows shown")

    # The next page, through the list's own "next" link, if it has one: a search is
    # ranked by relevance, so its next page is an OFFSET page (casework/search.py).
    next_url = _next_link(legal, list_url)
    if next_url:
        samples, queries = ctx.measure(_get(legal, next_url))
        yield Row("/items/ next page (ranked, OFFSET link)", ADMIN_PAGE, samples, queries)
    else:
        yield Row("/items/ next page", ADMIN_PAGE, note="n/a: one page of results")

    # The same search sorted by a column: the matches paged by keyset, not ranked.
    sorted_url = f"{list_url}&sort=-logged"
    samples, queries = ctx.measure(_get(legal, sorted_url))
    yield Row("/items/ same search, sorted by logged (keyset)", ADMIN_PAGE, samples, queries)

    unfiltered = reverse("casework:item-list")
    samples, queries = ctx.measure(_get(legal, unfiltered))
    first_page = statistics.median(samples) if samples else None
    yield Row("/items/ unfiltered (legal staff)", PAGE, samples, queries)

    # A page deep in the unfiltered list: the cursor of the row DEEP rows down (found
    # once with OFFSET, not timed), then the page after it as the list's link asks it.
    deep = min(DEEP, max(0, ctx.items - PAGE - 1))
    row = (
        InfringingItem.objects.for_user(ctx.legal)
        .order_by("-created_at", "-id")
        .values_list("created_at", "id")[deep : deep + 1]
    )
    if row:
        from casework.paging import encode_cursor

        deep_url = f"{unfiltered}?{urlencode({'after': encode_cursor(*row[0])})}"
        samples, queries = ctx.measure(_get(legal, deep_url))
        ratio = statistics.median(samples) / first_page if first_page else 0
        yield Row(
            f"/items/ unfiltered, {deep:,} rows deep (keyset)",
            PAGE,
            samples,
            queries,
            note=f"{ratio:.2f}× the first page",
        )


def _next_link(client, url):
    """The page's rel="next" link, made absolute, or None."""
    html = client.get(url).content.decode()
    match = re.search(r'<a rel="next"[^>]* href="([^"]+)"', html)
    if not match:
        return None
    href = unescape(match.group(1))
    return href if href.startswith("/") else url.split("?", 1)[0] + href
