"""Items through the API: bulk create with idempotent retries and per-row answers, the
list's filters, paging and query counts, evidence, transitions, throttling, limits."""

import hashlib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from casework.models import Evidence, InfringingItem, StageEvent
from tests.api.conftest import item_row

pytestmark = pytest.mark.django_db


def bulk(api, rows, key="batch-1"):
    return api.post("/api/v1/items/bulk/", {"items": rows}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_bulk_create_answers_each_row(api, catalogue, item):
    doll, red_light = catalogue["elements"]
    rows = [
        item_row(catalogue, 1, elements=[doll.pk, red_light.pk]),
        item_row(catalogue, 2, url=item.url + "?utm_source=feed"),  # already logged
        item_row(catalogue, 3, url="https://seedance.example/share/api-1#again"),  # repeat of 1
        item_row(catalogue, 4, content_kind="hologram", first_seen="someday"),
        item_row(catalogue, 5, platform=999999),
        item_row(catalogue, 6, url="not a url"),
    ]
    response = bulk(api, rows)
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["duplicates"], body["errors"]) == (1, 2, 3)
    results = body["results"]
    new = InfringingItem.objects.get(pk=results[0]["id"])
    assert results[0]["status"] == "created" and set(new.elements.all()) == {doll, red_light}
    assert results[1] == {"index": 1, "status": "duplicate", "id": item.pk}
    assert results[2] == {"index": 2, "status": "duplicate", "id": new.pk}
    assert results[3]["status"] == "error"
    assert {e["field"] for e in results[3]["errors"]} == {"content_kind", "first_seen"}
    assert results[4]["errors"] == [{"field": "platform", "reason": "No platform 999999."}]
    assert [e["field"] for e in results[5]["errors"]] == ["url"]
    assert InfringingItem.objects.count() == 2
    event = StageEvent.objects.get(item=new)
    assert (event.to_stage, event.source) == ("identified", "import")
    assert "API key" in event.reason and new.logged_by.api_key.name == "Vobile feed"
    assert new.rights_holder_id == catalogue["franchise"].rights_holder_id


def test_the_same_idempotency_key_twice_creates_nothing_new(api, catalogue):
    rows = [item_row(catalogue, n) for n in range(5)]
    first = bulk(api, rows, key="feed-2026-11-25T10")
    assert first.json()["created"] == 5
    again = bulk(api, rows, key="feed-2026-11-25T10")
    assert again.status_code == 200
    assert again.json() == first.json()  # the first answer, ids included
    assert again["Idempotent-Replayed"] == "true"
    assert InfringingItem.objects.count() == 5
    # A new key for the same rows: every row is now a duplicate of the items made.
    third = bulk(api, rows, key="feed-2026-11-25T11").json()
    assert (third["created"], third["duplicates"]) == (0, 5)
    assert [r["id"] for r in third["results"]] == [r["id"] for r in first.json()["results"]]
    # The key reused for other data is refused, and creates nothing.
    other = bulk(api, [item_row(catalogue, 99)], key="feed-2026-11-25T10")
    assert other.status_code == 422
    assert InfringingItem.objects.count() == 5


def test_bulk_needs_its_header_and_at_most_1000_rows(api, catalogue, settings):
    response = api.post("/api/v1/items/bulk/", {"items": [item_row(catalogue)]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    response = bulk(api, [item_row(catalogue, n) for n in range(1001)], key="too-many")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items"
    assert not InfringingItem.objects.exists()
    # Nothing was stored under the refused key: corrected, the same key works.
    assert bulk(api, [item_row(catalogue)], key="too-many").json()["created"] == 1


def test_single_create_and_its_duplicate(api, catalogue):
    response = api.post("/api/v1/items/", item_row(catalogue), format="json")
    assert response.status_code == 201
    assert response.json()["reference"] == f"NFLX-I{response.json()['id']}"
    again = api.post("/api/v1/items/", item_row(catalogue), format="json")
    assert again.status_code == 409
    assert again.json()["existing_id"] == response.json()["id"]


def test_the_list_takes_the_pages_filters_and_cursor(api, catalogue, item):
    bulk(api, [item_row(catalogue, n, title=f"Clip {n}") for n in range(5)])
    api.post(f"/api/v1/items/{item.pk}/transitions/", {"target": "dismissed", "reason": "ok"})
    assert [r["id"] for r in api.get("/api/v1/items/?stage=dismissed").json()["results"]] == [
        item.pk
    ]
    assert len(api.get("/api/v1/items/?q=Clip").json()["results"]) == 5
    first = api.get("/api/v1/items/?size=2&sort=title").json()
    assert [r["title"] for r in first["results"]] == ["Clip 0", "Clip 1"]
    second = api.get(first["next"]).json()
    assert [r["title"] for r in second["results"]] == ["Clip 2", "Clip 3"]
    back = api.get(second["previous"]).json()
    assert [r["title"] for r in back["results"]] == ["Clip 0", "Clip 1"]
    bad = api.get("/api/v1/items/?size=0")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "size"


def test_list_queries_do_not_grow_with_the_page(api, catalogue):
    counts = {}
    made = 0
    api.get("/api/v1/items/?size=1")  # the filter choices are read once, then cached
    for rows in (10, 1000):
        bulk(api, [item_row(catalogue, n) for n in range(made, rows)], key=f"fill-{rows}")
        made = rows
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/api/v1/items/?size={rows}")
        assert len(response.json()["results"]) == rows
        counts[rows] = len(queries)
    assert counts[10] == counts[1000] <= 6, counts


def _png(colour="red"):
    data = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(data, "PNG")
    return data.getvalue()


def test_evidence_upload_is_hashed_and_checked_like_the_pages(api, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = _png()
    response = api.post(
        f"/api/v1/items/{item.pk}/evidence/",
        {"file": SimpleUploadedFile("frame.png", png, "image/png"), "note": "frame 12"},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["sha256"] == hashlib.sha256(png).hexdigest()
    stored = Evidence.objects.get(item=item)
    assert (stored.size, stored.note) == (len(png), "frame 12")
    assert api.get(f"/api/v1/items/{item.pk}/evidence/").json()[0]["id"] == stored.pk
    liar = SimpleUploadedFile("frame.png", b"GIF89a not a png at all", "image/png")
    response = api.post(f"/api/v1/items/{item.pk}/evidence/", {"file": liar}, format="multipart")
    assert response.status_code == 400
    assert "its contents are not" in response.json()["detail"]
    assert Evidence.objects.count() == 1


def test_transitions_follow_the_stage_machine(api, item):
    response = api.post(f"/api/v1/items/{item.pk}/transitions/", {"target": "removed"})
    assert response.status_code == 409
    assert "cannot move to removed" in response.json()["detail"]
    response = api.post(f"/api/v1/items/{item.pk}/transitions/", {"target": "notified"})
    assert response.status_code == 201 and response.json()["to_stage"] == "notified"
    history = api.get(f"/api/v1/items/{item.pk}/transitions/").json()
    assert [e["to_stage"] for e in history][-1] == "notified"
    item.refresh_from_db()
    assert item.stage == "notified"


def test_a_key_over_its_rate_gets_429_with_retry_after(api, reader, item, settings):
    settings.API_THROTTLE_RATE = "3/min"
    assert [api.get("/api/v1/items/").status_code for _ in range(3)] == [200] * 3
    response = api.get("/api/v1/items/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/problem+json"
    assert reader.get("/api/v1/items/").status_code == 200  # another key counts apart


def test_an_oversized_body_is_413(api, catalogue, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    rows = [item_row(catalogue, n, description="x" * 500) for n in range(30)]
    response = bulk(api, rows)
    assert response.status_code == 413
    assert "at most 10,000 bytes" in response.json()["detail"]
    assert not InfringingItem.objects.exists()
