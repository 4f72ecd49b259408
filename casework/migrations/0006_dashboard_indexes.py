"""Indexes for the manager dashboard (now dashboards/figures.py).

* ``event_stage_item_at`` (to_stage, item, at): each item's first notified and
  first removed time, and the removals per week, come from an index-only scan
  of one stage's events in item order (no heap reads, no sort).
* ``item_holder_dash`` (PostgreSQL only, a covering index): a holder's items in
  id order with the columns the figures group and filter on, so the funnel, the
  medians and the items per week read the index instead of the wide item rows,
  and merge-join with the events above. SQLite has no INCLUDE: there the
  dashboard simply reads the table.
"""

from django.conf import settings
from django.db import migrations, models

ITEM_INDEX = "item_holder_dash"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {ITEM_INDEX} ON casework_infringingitem "
        "(rights_holder_id, id) INCLUDE (franchise_id, platform_id, stage, created_at)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {ITEM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0005_checks_reminders_reports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="stageevent",
            index=models.Index(fields=["to_stage", "item", "at"], name="event_stage_item_at"),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
