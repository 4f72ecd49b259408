"""Create the STORAGE_URL bucket if it does not exist yet (safe to repeat).

docker-compose.yml runs it once before web and the workers start; with local files
(no STORAGE_URL) it says so and does nothing.
"""

from botocore.exceptions import ClientError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the object-storage bucket named in STORAGE_URL if it is missing."

    def handle(self, *args, **options):
        name = getattr(default_storage, "bucket_name", None)
        if not name:
            self.stdout.write("No STORAGE_URL: files are stored in MEDIA_ROOT; nothing to do.")
            return
        client = default_storage.connection.meta.client
        try:
            client.head_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                raise CommandError(f"Bucket {name}: {exc}") from exc
        else:
            self.stdout.write(f"Bucket {name} exists.")
            return
        region = default_storage.region_name
        extra = (
            {"CreateBucketConfiguration": {"LocationConstraint": region}}
            if region and region != "us-east-1"
            else {}
        )
        client.create_bucket(Bucket=name, **extra)
        self.stdout.write(f"Bucket {name} created.")
