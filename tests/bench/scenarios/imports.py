"""CSV import of 100,000 rows through casework.imports, beside a plain COPY of the same rows.

The import is rolled back like every bench write, after ``SET CONSTRAINTS ALL IMMEDIATE``
has run the foreign-key checks a commit would (Django's are deferred to the commit).
The note splits the import's time into the rows checked and staged (the file streamed
through the row checks into COPY of the staging table) and classified and written (the
set-wise SQL and the INSERTs, with their index maintenance)."""

from __future__ import annotations

import csv
import io
import time

from tests.bench.registry import Row, rolled_back, scenario

COLUMNS = [
    "url",
    "title",
    "franchise",
    "platform",
    "content_kind",
    "conduct",
    "theory",
    "first_seen",
    "protected_elements",
    "description",
]


def import_rows(ctx) -> int:
    return 5_000 if ctx.quick else 100_000


def build_csv(ctx, rows: int) -> bytes:
    """``rows`` new items of the bench holder, with URLs no item has (the run's own path)."""
    from casework.models import Platform

    franchises = list(ctx.holder.franchises.prefetch_related("elements"))
    platforms = list(Platform.objects.order_by("pk"))
    token = f"{time.time_ns():x}"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for n in range(rows):
        franchise = franchises[n % len(franchises)]
        elements = list(franchise.elements.all())
        element = elements[n % len(elements)]
        platform = platforms[n % len(platforms)]
        writer.writerow(
            [
                f"https://bench-import.example/{token}/item/{n}",
                f"{franchise.name}: {element.name}, imported #{n}",
                franchise.name,
                platform.name,
                "video" if n % 3 else "image",
                "recreation" if n % 2 else "style",
                "direct",
                "2026-01-15",
                element.name,
                f"Imported by the bench, row {n}; copies {element.name}.",
            ]
        )
    return out.getvalue().encode()


def _copy_plain(data: bytes) -> None:
    from django.db import connection

    columns = ", ".join(f"{c} text" for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_import_scratch ({columns}) ON COMMIT DROP")
    raw = connection.connection
    with (
        raw.cursor() as cursor,
        cursor.copy("COPY bench_import_scratch FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
    ):
        copy.write(data)


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _rate(rows: int, ms: float) -> str:
    return f"{rows / (ms / 1000):,.0f} rows/s"


@scenario("csv-import", "CSV import of 100,000 rows", order=30)
def csv_import(ctx):
    rows = import_rows(ctx)
    data = build_csv(ctx, rows)
    size = f"{len(data) / 1_048_576:.1f} MB"

    with rolled_back():
        ms = _timed(lambda: _copy_plain(data))
    yield Row(
        "plain COPY into a scratch table",
        rows,
        [ms],
        1,
        baseline=True,
        note=f"{_rate(rows, ms)}; {size}; 1 run",
    )

    try:
        from casework import imports
    except ImportError:
        yield Row("casework.imports", rows, note="n/a (casework.imports not available)")
        return
    run = getattr(imports, "import_csv", None)
    if run is None:
        yield Row("casework.imports", rows, note="n/a (casework.imports.import_csv missing)")
        return

    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    marks = {}

    def progress(checked=None, written=None):
        marks["written" if written is not None else "checked"] = time.perf_counter()

    def do_import():
        with connection.execute_wrapper(count):
            marks["start"] = time.perf_counter()
            do_import.result = run(ctx.holder, io.BytesIO(data), ctx.legal, progress=progress)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the commit's FK checks

    with rolled_back():
        ms = _timed(do_import)
    result = do_import.result
    counts = ", ".join(
        f"{name} {getattr(result, name):,}"
        for name in ("created", "duplicates", "repeats", "errors")
        if isinstance(getattr(result, name, None), int)
    )
    phases = ""
    if {"start", "checked", "written"} <= marks.keys():
        phases = (
            f"rows checked and staged {marks['checked'] - marks['start']:.1f} s, "
            f"classified and written {marks['written'] - marks['checked']:.1f} s; "
        )
    yield Row(
        "casework.imports.import_csv (preview + write)",
        rows,
        [ms],
        len(queries),
        note=f"{_rate(rows, ms)}; {phases}{counts}; rolled back; 1 run",
    )
