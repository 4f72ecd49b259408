"""``manage.py rebuild_rollups``: reinstall the rollup triggers with the current
TIME_ZONE and recompute the dashboard's rollups and first times from the rows."""

from django.core.management.base import BaseCommand

from casework import rollups


class Command(BaseCommand):
    help = "Recompute the dashboard's rollups (casework/rollups.py) from the rows."

    def handle(self, *args, **options):
        rollups.rebuild()
        self.stdout.write("Rollups rebuilt.")
