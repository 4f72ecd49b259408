"""Which index of the items table does each query use? (``python -m tests.bench.item_indexes``)

Runs the pages and jobs that read the items table against a bench database (1M items)
through Django's test client and the app's own functions, captures every SQL statement
that touches it, and prints each index of the table with its size and the queries
whose plan (EXPLAIN, no ANALYZE) names it. An index no query names is a candidate to
drop. Read-only: nothing is written (the import's classification runs rolled back).
Needs the environment of ``tests.bench.run`` (DATABASE_URL of a bench database).
"""

from __future__ import annotations

import io
import re
import sys
from collections import defaultdict


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["SECURE_COOKIES"] = "false"
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("EMAIL_URL", "memorymail://")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from casework import imports, verification
    from casework.models import InfringingItem, RightsHolder

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    table = InfringingItem._meta.db_table
    top = (
        InfringingItem.objects.values("rights_holder")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    holder = RightsHolder.objects.get(pk=top["rights_holder"])
    other = RightsHolder.objects.exclude(pk=holder.pk).order_by("pk").first()
    User = get_user_model()
    legal = User.objects.get(username="bench-legal")
    admin = User.objects.get(username="bench-admin")
    manager = User.objects.filter(username="bench-manager").first()
    franchise = holder.franchises.annotate(n=Count("items")).order_by("-n").first()
    element = franchise.elements.first()
    platform = InfringingItem.objects.filter(rights_holder=holder).first().platform
    demand = holder.demands.first() if hasattr(holder, "demands") else None

    statements: list[tuple[str, str]] = []

    def capture(label, fn):
        with CaptureQueriesContext(connection) as ctx:
            try:
                with transaction.atomic():
                    fn()
            except Exception as exc:  # noqa: BLE001 (a report: say what could not run)
                print(f"-- {label}: failed ({type(exc).__name__}: {exc})", file=sys.stderr)
        for q in ctx.captured_queries:
            sql = q["sql"]
            if f'"{table}"' in sql and not sql.lstrip().upper().startswith(
                ("SAVEPOINT", "RELEASE")
            ):
                statements.append((label, sql))

    def page(user, url, label):
        client = Client()
        client.force_login(user)

        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        capture(label, get)

    items = reverse("casework:item-list")
    page(legal, items, "list: default (newest first)")
    page(legal, f"{items}?stage=notified", "list: stage")
    page(legal, f"{items}?franchise={franchise.pk}", "list: franchise")
    page(legal, f"{items}?platform={platform.pk}", "list: platform")
    page(legal, f"{items}?element={element.pk}", "list: element")
    page(legal, f"{items}?content_kind=image&conduct=style", "list: kind + conduct")
    page(legal, f"{items}?logged_min=2026-01-01&logged_max=2026-01-31", "list: logged dates")
    page(legal, f"{items}?q=doll", "list: q")
    page(
        legal,
        f"{items}?stage=notified&franchise={franchise.pk}&platform={platform.pk}&q=doll",
        "list: 3 filters + q",
    )
    for sort in ("title", "-first_seen", "stage", "franchise"):
        page(legal, f"{items}?sort={sort}", f"list: sort {sort}")
    if demand is not None:
        page(legal, f"{items}?demand={demand.reference}", "list: demand")
    # A member of two holders: rights_holder IN (…) ordered by created_at.
    holder_two = other
    had = holder_two.members.filter(pk=legal.pk).exists()
    holder_two.members.add(legal)
    try:
        page(User.objects.get(pk=legal.pk), items, "list: member of two holders")
    finally:
        if not had:
            holder_two.members.remove(legal)
    page(admin, reverse("admin:casework_infringingitem_changelist"), "admin changelist")
    page(
        admin,
        reverse("admin:casework_infringingitem_changelist") + "?q=doll",
        "admin changelist: search",
    )
    if manager is not None:
        from dashboards import figures

        capture("dashboard figures", lambda: figures.figures(figures.Selection(user=manager)))
    one = InfringingItem.objects.filter(rights_holder=holder).order_by("-id").first()
    page(legal, one.get_absolute_url(), "item detail")
    capture("verification: due items", lambda: list(verification.due_items(limit=100)))

    def classify():
        rows = InfringingItem.objects.filter(rights_holder=holder).values_list("url", flat=True)[
            :1000
        ]
        data = "url,title,franchise,platform,content_kind,conduct,first_seen\n" + "".join(
            f"{u},t,{franchise.name},{platform.name},video,recreation,2026-01-01\n" for u in rows
        )
        with transaction.atomic():
            imports.check(holder, io.BytesIO(data.encode()))

    capture("import: classify", classify)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelname, pg_size_pretty(pg_relation_size(indexrelid)) "
            "FROM pg_stat_user_indexes WHERE relname = %s "
            "ORDER BY pg_relation_size(indexrelid) DESC",
            [table],
        )
        indexes = cursor.fetchall()
        used = defaultdict(set)
        plans = {}
        for label, sql in statements:
            try:
                with transaction.atomic():
                    cursor.execute("EXPLAIN " + sql)
                    plan = "\n".join(r[0] for r in cursor.fetchall())
                    transaction.set_rollback(True)
            except Exception as exc:  # noqa: BLE001 (a report: say what could not be explained)
                print(f"-- {label}: not explained ({type(exc).__name__})", file=sys.stderr)
                continue
            plans.setdefault(label, []).append((sql, plan))
            for name, _ in indexes:
                if re.search(rf"\b{re.escape(name)}\b", plan):
                    used[name].add(label)
    print("| index | size | queries whose plan uses it |")
    print("|---|---|---|")
    for name, size in indexes:
        print(f"| {name} | {size} | {'; '.join(sorted(used[name])) or 'none'} |")
    if "--plans" in sys.argv:
        for label, entries in plans.items():
            for sql, plan in entries:
                print(f"\n## {label}\n{sql[:600]}\n{plan}")


if __name__ == "__main__":
    main()
