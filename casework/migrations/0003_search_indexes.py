"""Trigram indexes for the item search (PostgreSQL only).

The item list's ``q`` filter is a case-insensitive substring match on URL,
title and description (``icontains`` → ``UPPER(col) LIKE UPPER(%q%)``);
GIN trigram indexes on ``UPPER(col)`` let PostgreSQL answer it without a
sequential scan. SQLite has no such index: there the search simply scans.
pg_trgm is a trusted extension, so the database owner can create it.
"""

from django.db import migrations

COLUMNS = ["title", "url", "description"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS item_{column}_trgm ON casework_infringingitem "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS item_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
