"""The bench's own database: created when missing, migrated, loaded at the requested scale."""

from __future__ import annotations

import sys
import time
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_ITEMS = 1_000_000


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
    """Create the database of ``url`` through the "postgres" database if it is missing.

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
            return False
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
    return {"items": have_items, "demands": have_demands, "load_seconds": result.seconds}
