"""``manage.py generate_load --items N --demands M``: synthetic data at scale for benchmarks.

See casework.loadgen for what is generated and how. Running it again with the same
numbers adds nothing; larger numbers top the set up.
"""

from django.core.management.base import BaseCommand, CommandError

from casework import loadgen


class Command(BaseCommand):
    help = (
        "Generate N infringing items and M demands (with elements, stage events and "
        "remedies) spread like real casework. COPY on PostgreSQL, bulk_create elsewhere. "
        "Idempotent: counts what a previous run made and adds only the difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, required=True, help="Generated items wanted.")
        parser.add_argument("--demands", type=int, default=0, help="Generated demands wanted.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--no-copy",
            action="store_true",
            help="Use bulk_create batches even on PostgreSQL (the SQLite path).",
        )
        parser.add_argument(
            "--rebuild-indexes",
            choices=["auto", "always", "never"],
            default="auto",
            help="Drop the big tables' secondary indexes and constraints during the load and "
            "rebuild them after (auto: when the load is large and at least doubles the items).",
        )

    def handle(self, *args, items, demands, seed, no_copy, rebuild_indexes, **options):
        if items < 0 or demands < 0:
            raise CommandError("--items and --demands must not be negative.")
        result = loadgen.generate(
            items,
            demands,
            seed=seed,
            use_copy=False if no_copy else None,
            rebuild={"auto": None, "always": True, "never": False}[rebuild_indexes],
            log=self.stdout.write,
        )
        if result.items_added or result.demands_added:
            rows = ", ".join(f"{table} {count:,}" for table, count in result.rows.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {result.items_added:,} items and {result.demands_added:,} demands "
                    f"by {result.method} in {result.seconds:.1f}s "
                    f"(indexes rebuilt: {'yes' if result.rebuilt_indexes else 'no'}). "
                    f"Rows: {rows}."
                )
            )
        total_items, total_demands = loadgen.generated_counts()
        self.stdout.write(f"Generated data now: {total_items:,} items, {total_demands:,} demands.")
