"""Manager dashboard at scale (GET /dashboard/ and ``dashboard.figures``), beside the same
figures computed by plain ORM loops in Python; and verification checks per second
against a local HTTP server, beside plain ``http.client`` HEAD requests."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import threading
import time
from collections import Counter, defaultdict

from tests.bench.registry import Row, rolled_back, scenario

LOOP_REPEAT = 3  # the Python loops read every item and event of the holder: slow


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


# --- the same figures, by plain loops ------------------------------------------------------


def loop_figures(user, today: dt.date) -> dict:
    """Funnel, demand statuses, overdue, medians, weekly and compliance by iterating rows."""
    from django.utils import timezone

    from casework.choices import Stage
    from casework.dashboard import FUNNEL_STAGES, OVERDUE_LIMIT, week_starts
    from casework.models import InfringingItem, StageEvent, member_holder_ids
    from notices.choices import RemedyStatus
    from notices.models import Demand, Remedy
    from notices.workflow import AFTER_SENDING

    holders = member_holder_ids(user)
    starts = week_starts(today)
    lower = timezone.make_aware(dt.datetime.combine(starts[0], dt.time.min))
    upper = timezone.make_aware(
        dt.datetime.combine(starts[-1] + dt.timedelta(weeks=1), dt.time.min)
    )

    def week_of(value):
        day = timezone.localtime(value).date()
        return day - dt.timedelta(days=day.weekday())

    funnel: Counter = Counter()
    created = {}
    identified_weeks: Counter = Counter()
    items = InfringingItem.objects.filter(rights_holder_id__in=holders).values_list(
        "pk", "rights_holder_id", "franchise_id", "stage", "created_at"
    )
    for pk, holder, franchise, stage, created_at in items.iterator(chunk_size=20_000):
        funnel[(franchise, stage)] += 1
        created[pk] = (holder, franchise, created_at)
        if lower <= created_at < upper:
            identified_weeks[week_of(created_at)] += 1

    notified, removed = {}, {}
    removed_weeks: Counter = Counter()
    events = StageEvent.objects.filter(
        item__rights_holder_id__in=holders, to_stage__in=[Stage.NOTIFIED, Stage.REMOVED]
    ).values_list("item_id", "to_stage", "at")
    for item_id, to_stage, at in events.iterator(chunk_size=20_000):
        first = notified if to_stage == Stage.NOTIFIED else removed
        if item_id not in first or at < first[item_id]:
            first[item_id] = at
        if to_stage == Stage.REMOVED and lower <= at < upper:
            removed_weeks[week_of(at)] += 1

    ident_days, notif_days = defaultdict(list), defaultdict(list)
    for item_id, removed_at in removed.items():
        holder, franchise, created_at = created[item_id]
        for key in (("f", franchise), ("h", holder), ("t", None)):
            ident_days[key].append((removed_at - created_at).total_seconds() / 86400)
            if item_id in notified:
                notif_days[key].append((removed_at - notified[item_id]).total_seconds() / 86400)
    medians = {
        key: (
            statistics.median(days),
            statistics.median(notif_days[key]) if notif_days[key] else None,
        )
        for key, days in ident_days.items()
    }

    demands = {}
    for pk, status, deadline, respondent, reference in (
        Demand.objects.filter(rights_holder_id__in=holders)
        .values_list("pk", "status", "deadline", "respondent_id", "reference")
        .iterator(chunk_size=20_000)
    ):
        demands[pk] = (status, deadline, respondent, reference)
    pending = set()
    compliance: Counter = Counter()
    for demand_id, kind, status in (
        Remedy.objects.filter(demand__rights_holder_id__in=holders)
        .values_list("demand_id", "kind", "status")
        .iterator(chunk_size=20_000)
    ):
        if status == RemedyStatus.PENDING:
            pending.add(demand_id)
        demand_status, _deadline, respondent, _ref = demands[demand_id]
        if demand_status in AFTER_SENDING:
            compliance[(respondent, kind, status)] += 1
    statuses = Counter(d[0] for d in demands.values())
    overdue = sorted(
        (deadline, pk)
        for pk, (status, deadline, _r, _ref) in demands.items()
        if deadline and deadline < today and status in AFTER_SENDING and pk in pending
    )
    return {
        "funnel": {k: v for k, v in funnel.items() if k[1] in {s.value for s in FUNNEL_STAGES}},
        "statuses": {k: v for k, v in statuses.items() if v},
        "overdue": len(overdue),
        "overdue_list": [pk for _deadline, pk in overdue[:OVERDUE_LIMIT]],
        "median_total": medians.get(("t", None)),
        "medians_franchise": {k[1]: v for k, v in medians.items() if k[0] == "f"},
        "weeks": [(s, identified_weeks.get(s, 0), removed_weeks.get(s, 0)) for s in starts],
        "compliance": {k: v for k, v in compliance.items() if v},
    }


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-6


def compare(data: dict, loops: dict) -> list[str]:
    """Which figures differ between the dashboard and the loops (names only)."""
    from casework.dashboard import FUNNEL_STAGES

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

    from casework import dashboard
    from casework.models import InfringingItem, StageEvent

    manager = _manager(ctx)
    items = InfringingItem.objects.filter(rights_holder=ctx.holder).count()
    events = StageEvent.objects.filter(item__rights_holder=ctx.holder).count()
    demands = ctx.holder.demands.aggregate(n=Count("pk"))["n"]
    scope = f"{ctx.holder.code}: {items:,} items, {events:,} events, {demands:,} demands"
    today = dashboard.Selection(user=manager).today

    loops_result = {}

    def loops():
        loops_result["data"] = loop_figures(manager, today)

    repeat = 1 if ctx.quick else LOOP_REPEAT
    samples, queries = ctx.measure(loops, repeat=repeat, warmup=1)
    yield Row(
        "plain ORM loops over items/events/demands (Python)",
        items,
        samples,
        queries,
        baseline=True,
        note=f"{scope}; {repeat} runs",
    )

    figures_result = {}

    def figures():
        figures_result["data"] = dashboard.figures(dashboard.Selection(user=manager))

    samples, queries = ctx.measure(figures, repeat=min(ctx.repeat, 5))
    differ = compare(figures_result["data"], loops_result["data"])
    same = "figures equal the loops'" if not differ else "DIFFER: " + ", ".join(differ)
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
