"""API bulk create: 1,000 items per request against the data set's existing items,
beside the CSV importer's public entry point (casework.imports.import_csv) on the same
1,000 rows' shape in the same run. Every run uses new URLs and is rolled back."""

from __future__ import annotations

import csv
import io
import json
import time

from tests.bench.registry import Row, rolled_back, scenario

BATCH = 1000


class Rows:
    """Fresh rows of the bench holder on every call (URLs no item has)."""

    def __init__(self, ctx):
        from casework.models import Platform

        self.franchises = list(ctx.holder.franchises.prefetch_related("elements"))
        self.platforms = list(Platform.objects.order_by("pk"))
        self.token = f"{time.time_ns():x}"
        self.calls = 0

    def __call__(self, n=BATCH):
        self.calls += 1
        rows = []
        for i in range(n):
            franchise = self.franchises[i % len(self.franchises)]
            elements = list(franchise.elements.all())
            element = elements[i % len(elements)]
            platform = self.platforms[i % len(self.platforms)]
            rows.append(
                {
                    "franchise": franchise,
                    "element": element,
                    "platform": platform,
                    "url": f"https://bench-api.example/{self.token}/{self.calls}/{i}",
                    "title": f"{franchise.name}: {element.name}, API #{i}",
                    "content_kind": "video" if i % 3 else "image",
                    "conduct": "recreation" if i % 2 else "style",
                    "first_seen": "2026-01-15",
                }
            )
        return rows


def as_json(rows) -> bytes:
    return json.dumps(
        {
            "items": [
                {
                    "franchise": r["franchise"].pk,
                    "platform": r["platform"].pk,
                    "elements": [r["element"].pk],
                    "url": r["url"],
                    "title": r["title"],
                    "content_kind": r["content_kind"],
                    "conduct": r["conduct"],
                    "first_seen": r["first_seen"],
                }
                for r in rows
            ]
        }
    ).encode()


def as_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "url",
            "title",
            "franchise",
            "platform",
            "content_kind",
            "conduct",
            "first_seen",
            "protected_elements",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r["url"],
                r["title"],
                r["franchise"].name,
                r["platform"].name,
                r["content_kind"],
                r["conduct"],
                r["first_seen"],
                r["element"].name,
            ]
        )
    return out.getvalue().encode()


def _rate(ms: float | None) -> str:
    return f"{BATCH / (ms / 1000):,.0f} items/s" if ms else ""


@scenario("api-bulk", "API bulk create, 1,000 items per request", order=35)
def api_bulk(ctx):
    import statistics

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from casework import imports
    from casework.api import bulk, keys

    settings.API_THROTTLE_RATE = "100000/min"
    repeat = max(3, ctx.repeat // 4)
    rows = Rows(ctx)

    def csv_import():
        imports.import_csv(ctx.holder, io.BytesIO(as_csv(rows())), ctx.legal)

    with rolled_back():
        samples, queries = ctx.measure(csv_import, repeat=repeat)
    median = statistics.median(samples)
    yield Row(
        "casework.imports.import_csv, 1,000 rows",
        BATCH,
        samples,
        queries,
        baseline=True,
        note=f"{_rate(median)}; rolled back",
    )

    with rolled_back():
        user = get_user_model().objects.get(pk=ctx.legal.pk)
        samples, queries = ctx.measure(
            lambda: bulk.create_items(user, json.loads(as_json(rows()))["items"]), repeat=repeat
        )
    median = statistics.median(samples)
    yield Row(
        "casework.api.bulk.create_items (no HTTP)",
        BATCH,
        samples,
        queries,
        note=f"{_rate(median)}; rolled back",
    )

    with rolled_back():
        _, token = keys.create_key(ctx.holder, name="bench", scope="write", by=ctx.superuser)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        sent = {"n": 0}

        def post():
            sent["n"] += 1
            response = client.post(
                "/api/v1/items/bulk/",
                as_json(rows()),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"bench-{rows.token}-{sent['n']}",
            )
            assert response.status_code == 200, response.content[:300]
            assert response.json()["created"] == BATCH, response.json()["errors"]

        samples, queries = ctx.measure(post, repeat=repeat)
    median = statistics.median(samples)
    yield Row(
        "POST /api/v1/items/bulk/ (key, Idempotency-Key)",
        BATCH,
        samples,
        queries,
        note=f"{_rate(median)}; rolled back",
    )
