"""Letter rendering: one demand letter with 10, 1,000 and 5,000 exhibit rows through the
real path (``notices.rendering.render_letter``: context, template, Exhibit A CSV, tagged
PDF/A-3a with the CSV attached, static-only fetcher, page count, storage), against the
baseline of the same letter HTML (the same Exhibit A table and stylesheet) printed by
plain WeasyPrint (untagged PDF 1.7, no attachment); beside them WeasyPrint printing an
unstyled HTML table of the same rows; and letters per minute with two Celery workers.

Each single-letter render runs in a fresh subprocess (``python -m
tests.bench.scenarios.letters <kind> <rows> <repeat> <holder>``) so its peak memory
(``ru_maxrss``) is its own. The child builds its demand (and one evidence row per item,
so Exhibit A shows a SHA-256 like a real one) in a transaction it rolls back, and deletes
the PDF files it wrote.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.registry import Row, rolled_back, scenario

ROOT = Path(__file__).resolve().parents[3]
SIZES = (10, 1_000, 5_000)
# The bench worker's broker: db 7 of the bench's Redis (make bench sets REDIS_URL).
WORKER_REDIS_URL = os.environ.get("BENCH_WORKER_REDIS_URL") or (
    os.environ.get("REDIS_URL", "redis://127.0.0.1:56379/0").rsplit("/", 1)[0] + "/7"
)
CHILD_TIMEOUT = 900


# --- the child process ---------------------------------------------------------------


def _maxrss_mb() -> float:
    """This process's peak resident memory in MB.

    VmHWM first: on Linux, ``ru_maxrss`` of an exec'd child also counts the memory of
    the process it was forked from (the bench runner, hundreds of MB by now).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _exhibit_item_ids(holder_id: int, rows: int) -> list[int]:
    from casework.choices import Stage
    from casework.models import InfringingItem

    return list(
        InfringingItem.objects.filter(rights_holder_id=holder_id)
        .exclude(stage=Stage.DISMISSED)
        .order_by("pk")
        .values_list("pk", flat=True)[:rows]
    )


def _fake_sha(url: str) -> str:
    import hashlib

    return hashlib.sha256(url.encode()).hexdigest()


def _scratch_demand(holder_id: int, rows: int):
    """A draft demand of ``rows`` items of the holder (inside the caller's transaction)."""
    from casework.models import Evidence, InfringingItem, RightsHolder
    from notices.completeness import current_template
    from notices.demo import add_standard_remedies, template_fields_for
    from notices.models import Demand, LetterTemplate

    holder = RightsHolder.objects.get(pk=holder_id)
    ids = _exhibit_item_ids(holder_id, rows)
    if len(ids) < rows:
        raise RuntimeError(f"only {len(ids)} items of {holder.code} for {rows} rows")
    items = list(
        InfringingItem.objects.filter(pk__in=ids)
        .select_related("platform")
        .only("pk", "url", "platform__respondent_id")
    )
    Evidence.objects.bulk_create(
        Evidence(
            item_id=item.pk,
            file=f"evidence/bench/{item.pk}.png",
            original_name=f"{item.pk}.png",
            content_type="image/png",
            size=1000,
            sha256=_fake_sha(item.url),
        )
        for item in items
    )
    if current_template(holder) is None:
        LetterTemplate.objects.create(
            rights_holder=holder, version=1, **template_fields_for(holder)
        )
    token = time.time_ns() % 1_000_000_000
    demand = Demand.objects.create(
        rights_holder=holder,
        respondent_id=items[0].platform.respondent_id,
        reference=f"BENCH-{token}",
        year=1999,
        number=token,
        paragraphs="Rendered by the bench.",
    )
    demand.items.set(ids)
    add_standard_remedies(demand)
    return demand


def child_letter(rows: int, repeat: int, holder_id: int) -> dict:
    """Time ``render_letter`` on fresh Letter versions of one demand with ``rows`` items."""
    from django.core.files.storage import default_storage
    from django.db import connection, transaction

    from notices.models import Letter
    from notices.pdf import html_to_pdf
    from notices.rendering import render_letter, request_render

    samples, queries, pages, sizes = [], [], set(), set()
    with transaction.atomic():
        demand = _scratch_demand(holder_id, rows)
        html_to_pdf("<p>warm-up</p>")  # fonts and WeasyPrint's own start-up, untimed
        before = _maxrss_mb()
        for _ in range(repeat):
            # Never committed: nothing is enqueued. Only the id is kept, as a worker
            # gets it: the bench holds no snapshot while render_letter runs.
            letter_id = request_render(demand).pk
            count = []

            def counter(execute, sql, params, many, context, count=count):
                count.append(1)
                return execute(sql, params, many, context)

            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                render_letter(letter_id)
            samples.append((time.perf_counter() - started) * 1000)
            queries.append(len(count))
            letter = Letter.objects.get(pk=letter_id)
            if letter.status != "ready":
                raise RuntimeError(f"letter {letter.status}: {letter.error[:100]}")
            pages.add(letter.pages)
            sizes.add(letter.size)
            default_storage.delete(letter.file.name)
        transaction.set_rollback(True)
    return {
        "samples": samples,
        "queries": max(queries),
        "rss_before": before,
        "rss_peak": _maxrss_mb(),
        "pages": max(pages),
        "size": max(sizes),
    }


def child_same(rows: int, repeat: int, holder_id: int) -> dict:
    """Time plain WeasyPrint on the letter's own HTML (same table, same CSS, same fetcher):
    no tags, no PDF/A, no attachment. The letter's HTML is built once, untimed."""
    from io import BytesIO

    from django.db import transaction
    from pypdf import PdfReader
    from weasyprint import HTML

    from notices.letters import render_letter_html
    from notices.pdf import BASE_URL, StaticOnlyFetcher

    with transaction.atomic():
        demand = _scratch_demand(holder_id, rows)
        html = render_letter_html(demand)
        transaction.set_rollback(True)
    HTML(string="<p>warm-up</p>").write_pdf()
    before = _maxrss_mb()
    samples, pdf = [], b""
    for _ in range(repeat):
        started = time.perf_counter()
        pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "samples": samples,
        "queries": 0,
        "rss_before": before,
        "rss_peak": _maxrss_mb(),
        "pages": len(PdfReader(BytesIO(pdf)).pages),
        "size": len(pdf),
    }


def plain_table_html(rows: list[tuple]) -> str:
    from html import escape

    head = "".join(
        f"<th>{h}</th>"
        for h in ("#", "Reference", "URL", "Platform", "Protected elements", "Identified", "SHA")
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in (n, *row)) + "</tr>"
        for n, row in enumerate(rows, start=1)
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Exhibit</title></head>'
        f"<body><table border=1><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "</body></html>"
    )


def child_plain(rows: int, repeat: int, holder_id: int) -> dict:
    """Time WeasyPrint on a plain HTML table of the same rows (no CSS, default PDF)."""
    from weasyprint import HTML

    from casework.models import InfringingItem, RightsHolder

    code = RightsHolder.objects.get(pk=holder_id).code
    ids = _exhibit_item_ids(holder_id, rows)
    items = (
        InfringingItem.objects.filter(pk__in=ids)
        .select_related("platform", "franchise")
        .prefetch_related("elements")
        .order_by("franchise__name", "first_seen", "pk")
    )
    data = [
        (
            f"{code}-I{item.pk}",
            item.url,
            item.platform.name,
            item.franchise.name + ": " + "; ".join(e.name for e in item.elements.all()),
            item.first_seen.isoformat(),
            _fake_sha(item.url),
        )
        for item in items
    ]
    html = plain_table_html(data)
    HTML(string="<p>warm-up</p>").write_pdf()
    before = _maxrss_mb()
    samples, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        pdf = HTML(string=html).write_pdf()
        samples.append((time.perf_counter() - started) * 1000)
        size = len(pdf)
    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(pdf)).pages)
    return {
        "samples": samples,
        "queries": 0,
        "rss_before": before,
        "rss_peak": _maxrss_mb(),
        "pages": pages,
        "size": size,
    }


def child_main(argv) -> int:
    kind, rows, repeat, holder_id = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    run = {"letter": child_letter, "plain": child_plain, "same": child_same}[kind]
    print("BENCH-RESULT " + json.dumps(run(rows, repeat, holder_id)), flush=True)
    return 0


def run_child(kind: str, rows: int, repeat: int, holder_id: int) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.scenarios.letters",
            kind,
            str(rows),
            str(repeat),
            str(holder_id),
        ],  # fmt: skip
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT ") :])
    tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
    raise RuntimeError(f"{kind} child exited {done.returncode}: {tail[0][:120]}")


# --- the scenarios ---------------------------------------------------------------------


def _repeats(ctx, rows: int) -> int:
    if rows >= 5_000:
        return 1
    if rows >= 1_000:
        return 1 if ctx.quick else 3
    return 3 if ctx.quick else 5


def _memory(result) -> str:
    return f"peak RSS {result['rss_peak']:.0f} MB ({result['rss_before']:.0f} MB before render)"


def letter_size(ctx, rows: int):
    repeat = _repeats(ctx, rows)
    runs = f"{repeat} run{'s' if repeat > 1 else ''} in a fresh process"
    try:
        same = run_child("same", rows, repeat, ctx.holder.pk)
    except Exception as exc:  # noqa: BLE001 - a row that says why beats a failed scenario
        yield Row("plain WeasyPrint, the letter's HTML", rows, note=f"n/a: {exc}"[:150])
        same = None
    if same:
        yield Row(
            "plain WeasyPrint, the letter's HTML (untagged PDF 1.7, no attachment)",
            rows,
            same["samples"],
            same["queries"],
            baseline=True,
            note=f"{_memory(same)}; {same['pages']} pages, {same['size'] / 1024:,.0f} KB; {runs}",
        )
    try:
        letter = run_child("letter", rows, repeat, ctx.holder.pk)
    except Exception as exc:  # noqa: BLE001
        yield Row("letter: rendering.render_letter", rows, note=f"n/a: {exc}"[:150])
    else:
        yield Row(
            "letter: rendering.render_letter (tagged PDF/A-3a + CSV attachment)",
            rows,
            letter["samples"],
            letter["queries"],
            note=f"{_memory(letter)}; {letter['pages']} pages, "
            f"{letter['size'] / 1024:,.0f} KB; {runs}; rolled back",
        )
    try:
        plain = run_child("plain", rows, repeat, ctx.holder.pk)
    except Exception as exc:  # noqa: BLE001
        yield Row("unstyled WeasyPrint table", rows, note=f"n/a: {exc}"[:150])
        return
    yield Row(
        "unstyled WeasyPrint table of the same rows (no CSS, PDF 1.7)",
        rows,
        plain["samples"],
        plain["queries"],
        note=f"{_memory(plain)}; {plain['pages']} pages, {plain['size'] / 1024:,.0f} KB; {runs}",
    )


for _order, _rows in enumerate(SIZES):
    scenario(f"letter-{_rows}", f"demand letter, {_rows:,} exhibit rows", order=40 + _order)(
        functools.partial(letter_size, rows=_rows)
    )


# --- letters per minute with two workers -----------------------------------------------------


def _worker_demands(ctx, count: int):
    from django.db.models import Count

    from notices.models import Demand

    return list(
        Demand.objects.filter(rights_holder=ctx.holder)
        .annotate(n_items=Count("items"))
        .filter(n_items__gte=10, n_items__lte=50)
        .order_by("pk")[:count]
    )


class _Broker:
    """Point this process's Celery app at another broker for a while."""

    def __init__(self, url):
        from config.celery import app

        self.app, self.url = app, url

    def _reset(self):
        self.app._pool = None
        with contextlib.suppress(AttributeError, KeyError):
            self.app.__dict__["amqp"]._producer_pool = None

    def __enter__(self):
        self.old = self.app.conf.broker_url
        self.app.conf.broker_url = self.url
        self._reset()
        return self

    def __exit__(self, *exc):
        self.app.conf.broker_url = self.old
        self._reset()


def _wait_ready(ids, timeout: float) -> tuple[int, int]:
    from django.db.models import Count

    from notices.models import Letter

    deadline = time.monotonic() + timeout
    while True:
        done = dict(
            Letter.objects.filter(pk__in=ids, status__in=["ready", "failed"])
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        if sum(done.values()) >= len(ids) or time.monotonic() > deadline:
            return done.get("ready", 0), done.get("failed", 0)
        time.sleep(0.1)


def _cleanup_letters(ids, since) -> None:
    from django.core.files.storage import default_storage

    from notices.models import DemandEvent, Letter

    letters = list(Letter.objects.filter(pk__in=ids))
    for letter in letters:
        if letter.file:
            default_storage.delete(letter.file.name)
    demand_ids = {letter.demand_id for letter in letters}
    DemandEvent.objects.filter(
        demand_id__in=demand_ids, action="letter requested", at__gte=since
    ).delete()
    Letter.objects.filter(pk__in=ids).delete()


def _start_worker(log_path: Path):
    env = os.environ.copy()
    env["REDIS_URL"] = WORKER_REDIS_URL
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    log = log_path.open("w")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "--pool=prefork",
            "-n",
            f"bench-letters-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    ), log


def _stop_worker(proc) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: the worker and its children
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@scenario("letters-workers", "letters per minute, two worker processes", order=45)
def letters_workers(ctx):
    from notices.completeness import current_template
    from notices.demo import template_fields_for
    from notices.models import Letter, LetterTemplate
    from notices.rendering import render_letter, request_render

    count = 6 if ctx.quick else 24
    demands = _worker_demands(ctx, count + 2)
    if len(demands) < 3:
        yield Row("letters", 0, note="n/a: no demands with 10-50 items")
        return
    warm, demands = demands[:2], demands[2:]
    items = sum(d.n_items for d in demands)
    what = f"{len(demands)} demands, {items:,} items ({items / len(demands):.0f} per letter)"

    created_template = None
    if current_template(ctx.holder) is None:
        created_template = LetterTemplate.objects.create(
            rights_holder=ctx.holder, version=1, **template_fields_for(ctx.holder)
        )
    try:
        # Baseline: the same renders one after another in this process, rolled back.
        with rolled_back():
            render_letter(request_render(warm[0]).pk)  # fonts, untimed
            saved = []
            letters = [request_render(d) for d in demands]
            started = time.perf_counter()
            for letter in letters:
                render_letter(letter.pk)
            ms = (time.perf_counter() - started) * 1000
            rows = list(Letter.objects.filter(pk__in=[x.pk for x in letters]))
            ready = sum(1 for x in rows if x.status == "ready")
            saved = [x.file.name for x in rows if x.file] + [
                x.file.name for x in Letter.objects.filter(demand=warm[0]) if x.file
            ]
        from django.core.files.storage import default_storage

        for name in saved:
            default_storage.delete(name)
        yield Row(
            "sequential, in this process",
            len(demands),
            [ms],
            None,
            baseline=True,
            note=f"{len(demands) / (ms / 60_000):,.1f} letters/min; {ready} ready; {what}; "
            f"1 run; load avg {os.getloadavg()[0]:.1f}; rolled back",
        )

        yield from _with_workers(ctx, warm, demands, what)
    finally:
        if created_template is not None:
            LetterTemplate.objects.filter(pk=created_template.pk).delete()


def _with_workers(ctx, warm, demands, what):
    from django.utils import timezone

    from notices.rendering import request_render

    try:
        import redis

        redis.Redis.from_url(WORKER_REDIS_URL, socket_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        yield Row("celery worker --concurrency=2", len(demands), note=f"n/a: Redis: {exc}"[:150])
        return
    log_path = ROOT / "var" / "bench-letters-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    since = timezone.now()
    ids: list[int] = []
    proc, log = _start_worker(log_path)
    try:
        with _Broker(WORKER_REDIS_URL):
            # Warm-up: both pool processes render once (start-up, fonts), untimed.
            warm_ids = [request_render(d).pk for d in warm]
            ids += warm_ids
            ready, failed = _wait_ready(warm_ids, timeout=180)
            if ready + failed < len(warm_ids):
                tail = log_path.read_text()[-200:].strip().replace("\n", " ")
                yield Row(
                    "celery worker --concurrency=2",
                    len(demands),
                    note=f"n/a: worker did not render the warm-up letters: {tail}"[:150],
                )
                return
            started = time.perf_counter()
            batch = [request_render(d).pk for d in demands]
            ids += batch
            ready, failed = _wait_ready(batch, timeout=900)
            ms = (time.perf_counter() - started) * 1000
        yield Row(
            "celery worker --concurrency=2 (request_render → ready)",
            len(demands),
            [ms],
            None,
            note=f"{len(demands) / (ms / 60_000):,.1f} letters/min; {ready} ready, "
            f"{failed} failed; {what}; 1 run; load avg {os.getloadavg()[0]:.1f}; "
            "letters deleted after",
        )
    finally:
        _stop_worker(proc)
        log.close()
        _cleanup_letters(ids, since)


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
