"""Backfill: every item's first notified / removed time and both rollups from the rows
(casework/rollups.py REBUILD_SQL, under locks that keep writers out meanwhile)."""

from django.db import migrations

from casework import rollups


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(rollups.REBUILD_SQL)


class Migration(migrations.Migration):
    dependencies = [("casework", "0003_rollup_triggers")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
