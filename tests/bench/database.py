"""The bench's own database: created when missing, migrated, loaded at the requested scale."""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_ITEMS = 1_000_000
ROOT = Path(__file__).resolve().parents[2]
# What the data set was made from: the migrations (the schema) and the generator.
FINGERPRINT_TABLE = "bench_fingerprint"


def fingerprint() -> str:
    """SHA-256 over the project's migration files and the load generator.

    Migrations get regenerated (``0001_initial`` again, with other contents), so the
    names in ``django_migrations`` cannot tell that a reused data set is out of date.
    """
    digest = hashlib.sha256()
    paths = sorted(ROOT.glob("*/migrations/*.py")) + [ROOT / "tests/bench/loadgen.py"]
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def stored_fingerprint(conn) -> str | None:
    exists = conn.execute("SELECT to_regclass(%s)", [FINGERPRINT_TABLE]).fetchone()[0]
    if exists is None:
        return None
    row = conn.execute(f"SELECT value FROM {FINGERPRINT_TABLE}").fetchone()  # noqa: S608
    return row[0] if row else None


def record_fingerprint() -> None:
    """Called once the data set is complete: later runs may reuse it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {FINGERPRINT_TABLE} (value text NOT NULL)")
        cursor.execute(f"DELETE FROM {FINGERPRINT_TABLE}")  # noqa: S608
        cursor.execute(f"INSERT INTO {FINGERPRINT_TABLE} VALUES (%s)", [fingerprint()])  # noqa: S608


def database_url_for(url: str, items: int) -> str:
    """The bench database for this scale: the given one at full scale, ``<name>_<items>``
    otherwise, so a smoke run never tops up (or measures) the full data set."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"The bench needs PostgreSQL; DATABASE_URL is {parts.scheme}://…")
    if items == DEFAULT_ITEMS:
        return url
    name = parts.path.lstrip("/") or "desist_bench"
    return urlunsplit(parts._replace(path=f"/{name}_{items}"))


def ensure_database(url: str) -> bool:
    """Create the database of ``url`` through the "postgres" database if it is missing,
    or drop and create it again when its data set was made from other migrations or
    another load generator (see ``fingerprint``).

    Returns True when it was created.
    """
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            with psycopg.connect(url, autocommit=True) as bench:
                empty = bench.execute("SELECT to_regclass('django_migrations')").fetchone()[0]
                stored = stored_fingerprint(bench)
            if empty is None or stored == fingerprint():
                return False
            log(f"bench: {name} was made from other migrations or loadgen; making it again")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(items: int, demands: int) -> dict:
    """Migrate, then load (or reuse) the data set. Returns what happened, for the header."""
    from django.core.management import call_command

    from tests.bench import loadgen

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    log(f"bench: migrated in {time.monotonic() - started:.1f}s")
    have_items, have_demands = loadgen.generated_counts()
    if have_items >= items and have_demands >= demands:
        log(f"bench: reusing the data set ({have_items:,} items, {have_demands:,} demands)")
        return {"items": have_items, "demands": have_demands, "load_seconds": None}
    log(f"bench: generating {items:,} items and {demands:,} demands …")
    result = loadgen.generate(items, demands, log=log)
    log(
        f"bench: loadgen added {result.items_added:,} items and "
        f"{result.demands_added:,} demands by {result.method} in {result.seconds:.1f}s"
    )
    have_items, have_demands = loadgen.generated_counts()
    record_fingerprint()
    return {"items": have_items, "demands": have_demands, "load_seconds": result.seconds}
