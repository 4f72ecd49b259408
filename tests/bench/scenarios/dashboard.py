"""Manager dashboard at scale (GET /dashboard/ and ``dashboard.figures``), beside the same
figures computed by plain ORM aggregates over the items and events; and verification
checks per second against a local HTTP server, beside plain ``http.client`` HEAD
requests."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import Counter

from tests.bench.registry import Row, rolled_back, scenario


def _manager(ctx):
    """A manager of the bench holder (created once, like the runner's legal user)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from casework.choices import Role

    User = get_user_model()
    manager, created = User.objects.get_or_create(
        username="bench-manager", defaults={"email": "bench-manager@desist.example"}
    )
    if created:
        manager.set_unusable_password()
        manager.save()
    manager.groups.add(Group.objects.get_or_create(name=Role.MANAGER.value)[0])
    ctx.holder.members.add(manager)
    return User.objects.get(pk=manager.pk)  # fresh: no cached holders or groups


# --- the same figures, by plain ORM aggregates ----------------------------------------------


def _median():
    from django.db.models import Aggregate, FloatField

    class Median(Aggregate):
        """percentile_cont(0.5), the one aggregate Django does not ship for PostgreSQL."""

        function = "percentile_cont"
        template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        output_field = FloatField()

    return Median


def orm_figures(user, today: dt.date) -> dict:
    """Funnel, demand statuses, overdue, medians, weekly and compliance as the plain ORM
    computes them from the items and events themselves (no rollups, no stored first
    times): one aggregate query per figure, the obvious way."""
    from django.db.models import Count, F, Min, OuterRef, Subquery
    from django.db.models.functions import Extract, TruncWeek
    from django.utils import timezone

    from casework.choices import Stage
    from casework.models import InfringingItem, StageEvent
    from dashboards.figures import FUNNEL_STAGES, OVERDUE_LIMIT, week_starts
    from notices.models import Demand, Remedy
    from notices.workflow import AFTER_SENDING, is_overdue_q

    Median = _median()
    items = InfringingItem.objects.for_user(user)
    funnel = {
        (r["franchise_id"], r["stage"]): r["n"]
        for r in items.values("franchise_id", "stage").annotate(n=Count("pk")).order_by()
        if r["stage"] in {s.value for s in FUNNEL_STAGES}
    }

    def first(stage):
        return Subquery(
            StageEvent.objects.filter(item=OuterRef("pk"), to_stage=stage)
            .values("item")
            .annotate(at=Min("at"))
            .values("at")
        )

    timed = items.annotate(
        removed_at=first(Stage.REMOVED), notified_at=first(Stage.NOTIFIED)
    ).filter(removed_at__isnull=False)
    days = {
        "ident": Extract(F("removed_at") - F("created_at"), "epoch") / 86400.0,
        "notif": Extract(F("removed_at") - F("notified_at"), "epoch") / 86400.0,
    }
    medians = {
        ("f", r["franchise_id"]): (r["ident"], r["notif"])
        for r in timed.values("franchise_id")
        .annotate(ident=Median(days["ident"]), notif=Median(days["notif"]))
        .order_by()
    }
    total = timed.aggregate(ident=Median(days["ident"]), notif=Median(days["notif"]))
    medians[("t", None)] = (total["ident"], total["notif"])

    starts = week_starts(today)
    lower = timezone.make_aware(dt.datetime.combine(starts[0], dt.time.min))
    upper = timezone.make_aware(
        dt.datetime.combine(starts[-1] + dt.timedelta(weeks=1), dt.time.min)
    )

    def by_week(qs, field):
        rows = (
            qs.filter(**{f"{field}__gte": lower, f"{field}__lt": upper})
            .annotate(week=TruncWeek(field))
            .values("week")
            .annotate(n=Count("*"))
            .order_by()
        )
        return {timezone.localtime(r["week"]).date(): r["n"] for r in rows}

    identified = by_week(items, "created_at")
    removed = by_week(StageEvent.objects.for_user(user).filter(to_stage=Stage.REMOVED), "at")

    demands = Demand.objects.for_user(user)
    statuses = {
        r["status"]: r["n"] for r in demands.values("status").annotate(n=Count("pk")).order_by()
    }
    overdue = demands.filter(is_overdue_q())
    compliance = {
        (r["demand__respondent_id"], r["kind"], r["status"]): r["n"]
        for r in Remedy.objects.for_user(user)
        .filter(demand__status__in=sorted(AFTER_SENDING))
        .values("demand__respondent_id", "kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return {
        "funnel": funnel,
        "statuses": statuses,
        "overdue": overdue.count(),
        "overdue_list": list(
            overdue.order_by("deadline", "pk").values_list("pk", flat=True)[:OVERDUE_LIMIT]
        ),
        "median_total": medians[("t", None)],
        "medians_franchise": {k[1]: v for k, v in medians.items() if k[0] == "f"},
        "weeks": [(s, identified.get(s, 0), removed.get(s, 0)) for s in starts],
        "compliance": {k: v for k, v in compliance.items() if v},
    }


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-6


def compare(data: dict, loops: dict) -> list[str]:
    """Which figures differ between the dashboard and the loops (names only)."""
    from dashboards.figures import FUNNEL_STAGES

    differ = []
    funnel = {
        (row["franchise_id"], s.value): row[s.value]
        for row in data["funnel"]["franchises"]
        for s in FUNNEL_STAGES
        if row[s.value]
    }
    if funnel != loops["funnel"]:
        differ.append("funnel")
    statuses = {row["status"]: row["count"] for row in data["demands"]["statuses"] if row["count"]}
    if statuses != loops["statuses"]:
        differ.append("demand statuses")
    if data["demands"]["overdue"] != loops["overdue"]:
        differ.append("overdue count")
    if [row["pk"] for row in data["overdue"]] != loops["overdue_list"]:
        differ.append("overdue list")
    total = data["medians"]["total"]
    mine = loops["median_total"] or (None, None)
    if not (_close(total["identified"], mine[0]) and _close(total["notified"], mine[1])):
        differ.append("median total")
    for fid, value in data["medians"]["franchises"].items():
        other = loops["medians_franchise"].get(fid, (None, None))
        if not (_close(value["identified"], other[0]) and _close(value["notified"], other[1])):
            differ.append("medians per franchise")
            break
    weeks = [(w["week"], w["identified"], w["removed"]) for w in data["weeks"]]
    if weeks != loops["weeks"]:
        differ.append("weekly")
    compliance = {
        (entry["respondent_id"], kind["kind"], cell["status"]): cell["count"]
        for entry in data["compliance"]
        for kind in entry["kinds"]
        for cell in kind["cells"]
        if cell["count"]
    }
    if compliance != loops["compliance"]:
        differ.append("compliance")
    return differ


@scenario("dashboard", "manager dashboard, 1M items / 10k demands", order=60)
def dashboard_scenario(ctx):
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from casework.models import InfringingItem, StageEvent
    from dashboards import figures as dashboard

    manager = _manager(ctx)
    items = InfringingItem.objects.filter(rights_holder=ctx.holder).count()
    events = StageEvent.objects.filter(item__rights_holder=ctx.holder).count()
    demands = ctx.holder.demands.aggregate(n=Count("pk"))["n"]
    scope = f"{ctx.holder.code}: {items:,} items, {events:,} events, {demands:,} demands"
    today = dashboard.Selection(user=manager).today

    loops_result = {}

    def loops():
        loops_result["data"] = orm_figures(manager, today)

    repeat = min(ctx.repeat, 5)
    samples, queries = ctx.measure(loops, repeat=repeat, warmup=1)
    yield Row(
        "plain ORM aggregates over items/events/demands",
        items,
        samples,
        queries,
        baseline=True,
        note=f"{scope}; {len(samples)} runs",
    )

    figures_result = {}

    def figures():
        figures_result["data"] = dashboard.figures(dashboard.Selection(user=manager))

    samples, queries = ctx.measure(figures, repeat=min(ctx.repeat, 5))
    differ = compare(figures_result["data"], loops_result["data"])
    same = "figures equal the baseline's" if not differ else "DIFFER: " + ", ".join(differ)
    yield Row(
        "dashboard.figures(Selection(user=manager))",
        items,
        samples,
        queries,
        note=f"{same}; {len(samples)} runs",
    )

    client = Client()
    client.force_login(manager)
    url = reverse("dashboard:index")

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    samples, queries = ctx.measure(page, repeat=min(ctx.repeat, 10))
    yield Row(
        "GET /dashboard/ (manager, test client)",
        items,
        samples,
        queries,
        note=f"{len(samples)} runs; load avg {os.getloadavg()[0]:.1f}",
    )


# --- verification checks per second -----------------------------------------------------------


def _start_server():
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, body: bool):
            status = 404 if "/gone/" in self.path else 200
            payload = b"gone" if status == 404 else b"<html><body>live</body></html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            if body:
                self.wfile.write(payload)

        def do_HEAD(self):  # noqa: N802
            self._answer(False)

        def do_GET(self):  # noqa: N802
            self._answer(True)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def _check_ids(ctx, count: int) -> list[int]:
    from casework.choices import Stage
    from casework.models import InfringingItem

    return list(
        InfringingItem.objects.filter(rights_holder=ctx.holder, stage=Stage.NOTIFIED)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )


@scenario("verification", "verification checks against a local server", order=65)
def verification_scenario(ctx):
    import http.client

    from django.db import connection
    from django.test.utils import override_settings

    from casework.models import InfringingItem

    try:
        from casework.verification import check_item
    except ImportError:
        yield Row("casework.verification.check_item", 0, note="n/a: casework.verification")
        return
    count = 50 if ctx.quick else 300
    ids = _check_ids(ctx, count)
    if not ids:
        yield Row("check_item", 0, note="n/a: no notified items")
        return
    server = _start_server()
    port = server.server_address[1]
    urls = {
        pk: f"http://127.0.0.1:{port}/item/{pk}/{'gone' if i % 2 else 'live'}/"
        for i, pk in enumerate(ids)
    }
    try:
        # Baseline: HEAD requests with a new connection each, like a check makes.
        def head(url):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("HEAD", url.split(str(port), 1)[1], headers={"Connection": "close"})
                return conn.getresponse().status
            finally:
                conn.close()

        for url in list(urls.values())[:10]:  # warm-up
            head(url)
        samples, statuses = [], Counter()
        started = time.perf_counter()
        for url in urls.values():
            t0 = time.perf_counter()
            statuses[head(url)] += 1
            samples.append((time.perf_counter() - t0) * 1000)
        total = time.perf_counter() - started
        yield Row(
            "plain http.client HEAD, one by one",
            len(ids),
            samples,
            0,
            baseline=True,
            note=f"{len(ids) / total:,.0f} requests/s; "
            + ", ".join(f"{n} × {s}" for s, n in sorted(statuses.items()))
            + "; ms per request",
        )

        queries = []

        def count_queries(execute, sql, params, many, context):
            queries.append(1)
            return execute(sql, params, many, context)

        with (
            override_settings(
                CHECK_ALLOWED_ADDRESSES=["127.0.0.1"],
                CHECK_HOST_MAX_PER_WINDOW=1_000_000,
                REDIS_URL=_rate_limit_redis(),
            ),
            rolled_back(),
        ):
            objs = list(InfringingItem.objects.filter(pk__in=ids).only("pk", "url"))
            for obj in objs:
                obj.url = urls[obj.pk]
            InfringingItem.objects.bulk_update(objs, ["url"], batch_size=1000)
            check_item(ids[0], force=True)  # warm-up
            samples, outcomes = [], Counter()
            started = time.perf_counter()
            with connection.execute_wrapper(count_queries):
                for pk in ids:
                    t0 = time.perf_counter()
                    check = check_item(pk, force=True)
                    samples.append((time.perf_counter() - t0) * 1000)
                    outcomes[check.outcome if check else "none"] += 1
            total = time.perf_counter() - started
        yield Row(
            "casework.verification.check_item, one by one",
            len(ids),
            samples,
            len(queries) / len(ids),
            note=f"{len(ids) / total:,.0f} checks/s; "
            + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
            + "; ms and queries per check; rolled back",
        )
    finally:
        server.shutdown()
        server.server_close()


def _rate_limit_redis() -> str:
    """The rate limiter's Redis for the bench: a db of its own."""
    from tests.bench.scenarios.letters import WORKER_REDIS_URL

    return WORKER_REDIS_URL
