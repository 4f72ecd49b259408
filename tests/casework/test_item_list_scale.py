"""The item list and item page at scale: query counts that do not grow with rows, keyset
paging that shows every row exactly once while rows are added, and the cached filter
choices (read once, seen changed at once, and not needed when the cache is down)."""

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.choices import Stage
from casework.models import Evidence, InfringingItem, StageEvent
from casework.urlnorm import normalize_url
from tests.factories import FranchiseFactory, ItemFactory, ProtectedElementFactory

LIST = reverse("casework:item-list")


def _bulk_items(holder, franchise, platform, n, *, title="Clip", at=None):
    """``n`` items in one INSERT (the factory would take a query or three per row)."""
    now = at or timezone.now()
    rows = []
    for i in range(n):
        url = f"https://seedance.example/bulk/{title}/{i}"
        rows.append(
            InfringingItem(
                rights_holder=holder,
                franchise=franchise,
                platform=platform,
                url=url,
                normalized_url=normalize_url(url),
                title=f"{title} {i:04d}",
                content_kind="video",
                conduct="recreation",
                first_seen=dt.date(2026, 2, 14),
            )
        )
    items = InfringingItem.objects.bulk_create(rows)
    # One timestamp for all: the pager must order ties by id.
    InfringingItem.objects.filter(pk__in=[i.pk for i in items]).update(created_at=now)
    return items


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["clip", ""], ids=["searched", "not-searched"])
def test_list_queries_stay_fixed_from_10_to_1000_rows(
    legal_client, netflix, squid_game, seedance, q
):
    params = {
        "size": 200,
        "stage": [Stage.IDENTIFIED],
        "franchise": squid_game.pk,
        "platform": seedance.pk,
        "q": q,
    }
    counts = {}
    for n in (10, 1000):
        InfringingItem.objects.all().delete()
        _bulk_items(netflix, squid_game, seedance, n)
        legal_client.get(LIST, params)  # the filter choices are read once, then cached
        response, sql = _queries(legal_client, LIST, params)
        assert len(response.context["page"]) == min(n, 200)
        assert response.content.decode().count('name="items"') == min(n, 200)
        counts[n] = len(sql)
        assert not [q for q in sql if 'FROM "casework_protectedelement"' in q]
    assert counts[10] == counts[1000]
    # session, user, holder ids, the count, the page, the saved filters, role groups,
    # holders (the header): nothing per row.
    assert counts[10] <= 8


@pytest.mark.django_db
def test_detail_queries_stay_fixed_from_10_to_1000_rows(legal_client, legal, netflix):
    def count(n):
        item = ItemFactory(rights_holder=netflix)
        item.elements.set(ProtectedElementFactory.create_batch(3, franchise=item.franchise))
        digest = hashlib.sha256(b"x").hexdigest()
        Evidence.objects.bulk_create(
            Evidence(
                item=item,
                file=f"evidence/s{i}.png",
                original_name=f"shot-{i}.png",
                content_type="image/png",
                size=1,
                sha256=digest,
                captured_by=legal,
            )
            for i in range(n)
        )
        StageEvent.objects.bulk_create(
            StageEvent(
                item=item, to_stage=Stage.IDENTIFIED, at=item.created_at, by=legal, source="manual"
            )
            for _ in range(n)
        )
        response, sql = _queries(legal_client, item.get_absolute_url(), {})
        html = response.content.decode()
        assert html.count("shot-") == n
        return len(sql)

    assert count(10) == count(1000)


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["-logged", "logged", "title", "-title"])
def test_paging_shows_every_row_once_while_rows_are_added(
    legal_client, netflix, squid_game, seedance, monkeypatch, sort
):
    from casework import views

    monkeypatch.setattr(views, "PAGE_SIZES", (4,))
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    at = timezone.now() - dt.timedelta(days=1)
    original = {i.pk for i in _bulk_items(netflix, squid_game, seedance, 13, title="M", at=at)}
    seen, added, params = [], set(), {"sort": sort}
    for turn in range(20):
        page = legal_client.get(LIST, params).context["page"]
        seen += [i.pk for i in page]
        # Between page loads others log items: newer, older, and with titles on both
        # sides of every page (A… before M…, Z… after).
        for title in ("A", "Z"):
            stamp = at + dt.timedelta(hours=1 if title == "A" else -1)
            added |= {
                i.pk
                for i in _bulk_items(
                    netflix, squid_game, seedance, 1, title=f"{title}{turn}", at=stamp
                )
            }
        if not page.has_next:
            break
        params = {"sort": sort, "after": page.next_cursor}
    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert original <= set(seen), "a row was skipped"
    assert set(seen) <= original | added


@pytest.mark.django_db
def test_filter_choices_are_cached_and_a_change_is_seen_at_once(legal_client, netflix):
    FranchiseFactory(rights_holder=netflix, name="Bridgerton")
    legal_client.get(LIST)
    response, sql = _queries(legal_client, LIST, {})
    assert not [q for q in sql if 'FROM "casework_franchise"' in q]
    assert "Bridgerton" in response.content.decode()

    FranchiseFactory(rights_holder=netflix, name="Wednesday")
    response, sql = _queries(legal_client, LIST, {})
    assert [q for q in sql if 'FROM "casework_franchise"' in q]
    html = response.content.decode()
    assert '<option value="' in html and ">Wednesday</option>" in html

    franchise = netflix.franchises.get(name="Wednesday")
    franchise.name = "Wednesday <S2>"
    franchise.save()
    html = legal_client.get(LIST).content.decode()
    assert ">Wednesday &lt;S2&gt;</option>" in html


@pytest.mark.django_db
def test_list_works_without_the_cache(legal_client, netflix, cache_down):
    FranchiseFactory(rights_holder=netflix, name="Bridgerton")
    response = legal_client.get(LIST)
    assert response.status_code == 200
    assert ">Bridgerton</option>" in response.content.decode()


@pytest.mark.django_db
def test_keyset_condition_is_an_index_condition(legal, netflix, squid_game, seedance):
    """EXPLAIN of a deep page: the row-value comparison sits in the index scan's
    condition (item_holder_new), not in a filter that discards rows."""
    from casework.paging import encode_cursor, paginate

    items = _bulk_items(netflix, squid_game, seedance, 30)
    middle = sorted(items, key=lambda i: i.pk)[15]
    middle.refresh_from_db()
    qs = InfringingItem.objects.for_user(legal).select_related("franchise")
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        with CaptureQueriesContext(connection) as captured:
            paginate(
                qs,
                sort="-created_at",
                size=5,
                after=encode_cursor(middle.created_at, middle.pk),
            )
        cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "item_holder_new" in plan
    assert "Index Cond: ((rights_holder_id = " in plan and "ROW(created_at, id) <" in plan
    # No filter discards rows by the keyset (another filter, e.g. a join's, may come and
    # go with the planner's statistics).
    filters = [line for line in plan.splitlines() if "Filter" in line]
    assert not [line for line in filters if "created_at" in line], plan
