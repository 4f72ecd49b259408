"""Backfill near-duplicate grouping: hash the image and video evidence not hashed yet and
group every ungrouped item that has hashes (casework.variants.backfill)."""

from django.core.management.base import BaseCommand, CommandError

from casework import variants
from casework.models import RightsHolder


class Command(BaseCommand):
    help = "Hash unhashed image/video evidence and group near-duplicate items."

    def add_arguments(self, parser):
        parser.add_argument(
            "--holder", action="append", default=[], help="Rights holder code (repeatable)."
        )
        parser.add_argument("--batch", type=int, default=variants.BACKFILL_BATCH)

    def handle(self, *args, holder, batch, **options):
        holder_ids = None
        if holder:
            found = dict(RightsHolder.objects.filter(code__in=holder).values_list("code", "pk"))
            missing = sorted(set(holder) - set(found))
            if missing:
                raise CommandError(f"No rights holder with code {', '.join(missing)}.")
            holder_ids = list(found.values())
        if batch < 1:
            raise CommandError("--batch must be at least 1.")

        def progress(result):
            self.stdout.write(f"… {result.items} items looked up", ending="\n")

        result = variants.backfill(holder_ids, batch=batch, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Hashed {result.hashed_files} file(s) ({result.unreadable} unreadable); "
                f"looked up {result.items} item(s): {result.created} new group(s), "
                f"{result.merged} merged."
            )
        )
