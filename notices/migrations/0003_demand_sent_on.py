from django.conf import settings
from django.db import migrations, models

# A sent demand's letter is dated in its holder's zone (notices.workflow.send combines
# the chosen date with the holder's local time), so that date is sent_at read there.
BACKFILL = """
UPDATE notices_demand AS d
   SET sent_on = (d.sent_at AT TIME ZONE COALESCE(NULLIF(h.time_zone, ''), %s))::date
  FROM casework_rightsholder AS h
 WHERE h.id = d.rights_holder_id AND d.sent_at IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0008_item_list_filter_index"),
        ("notices", "0002_demand_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="demand",
            name="sent_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL([(BACKFILL, [settings.TIME_ZONE])], migrations.RunSQL.noop),
    ]
