"""The triggers that keep the dashboard's rollups and first times (casework/rollups.py)."""

from django.db import migrations

from casework import rollups


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_initial")]

    operations = [migrations.RunSQL(rollups.install_sql(), rollups.UNINSTALL_SQL)]
