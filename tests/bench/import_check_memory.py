"""Peak memory and time of a large CSV import's check and write in a real worker process.

    DATABASE_URL=... REDIS_URL=... python -m tests.bench.import_check_memory --rows 200000

Generates a CSV of ``--rows`` rows (about 250 bytes each: 200,000 rows ≈ 50 MB, with a
bad date every 1,000 rows and a repeated URL every 500), uploads it as an import job of
a bench rights holder in the database of DATABASE_URL, and lets a `celery -A config
worker --pool=solo` process check it, then import it. Prints the worker's peak RSS
(VmHWM) before and after each step, and each step's time on the job row. With
``--baseline`` it also measures, in a fresh process, ``read_preview`` (every Row kept in
memory, as the upload request did before checks moved to the worker).
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def generate(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["url", "title", "franchise", "platform", "content_kind", "conduct", "theory"]
            + ["first_seen", "protected_elements", "description"]
        )
        for n in range(rows):
            url_n = n - 1 if n % 500 == 499 else n
            writer.writerow(
                [
                    f"https://bench-seedance.example/share/{url_n:08d}?src=csv",
                    f"Young-hee doll turns around, take {n}",
                    "Bench Squid Game",
                    "Bench Seedance",
                    "video",
                    "recreation",
                    "direct",
                    "14/02/2026" if n % 1000 == 999 else "2026-02-14",
                    "Bench doll",
                    "AI-generated recreation of the game scene posted with a share link; "
                    "the doll, the set and the music are copied.",
                ]
            )


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def wait(pk, statuses, timeout=900):
    from django.db import connection

    from casework.models import ImportJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.close()
        job = ImportJob.objects.get(pk=pk)
        if job.status in statuses:
            return job
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for import {pk} to reach {statuses}")


def baseline(path: str) -> None:
    """In this (fresh) process: read_preview of the whole file, every Row kept."""
    import resource

    from casework import imports
    from casework.models import RightsHolder

    holder = RightsHolder.objects.get(code="BNCH")
    start = time.monotonic()
    preview = imports.read_preview(holder, Path(path).read_bytes())
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"read_preview (all rows kept): {len(preview.rows):,} rows, {seconds:.1f} s, "
        f"peak RSS {peak / 1024:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--baseline-only", metavar="CSV")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args.baseline_only:
        baseline(args.baseline_only)
        return

    from django.core.files import File
    from django.db import transaction

    from casework import imports
    from casework.choices import Role
    from casework.models import ImportJob, Platform, RightsHolder
    from tests.factories import (
        FranchiseFactory,
        PlatformFactory,
        ProtectedElementFactory,
        RightsHolderFactory,
        UserFactory,
    )

    holder = RightsHolder.objects.filter(code="BNCH").first() or RightsHolderFactory(
        code="BNCH", name="Bench Holder"
    )
    franchise = holder.franchises.filter(name="Bench Squid Game").first() or FranchiseFactory(
        rights_holder=holder, name="Bench Squid Game"
    )
    if not franchise.elements.filter(name="Bench doll").exists():
        ProtectedElementFactory(franchise=franchise, name="Bench doll")
    if not Platform.objects.filter(name="Bench Seedance").exists():
        PlatformFactory(name="Bench Seedance")
    holder.items.all().delete()
    user = holder.members.filter(username="bench-legal").first() or UserFactory(
        username="bench-legal", role=Role.LEGAL, holders=[holder]
    )

    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    path = workdir / "bench.csv"
    generate(path, args.rows)
    size = path.stat().st_size
    print(f"file: {args.rows:,} rows, {size / 1e6:.1f} MB")
    if args.baseline:
        subprocess.run(
            [sys.executable, "-m", "tests.bench.import_check_memory", "--baseline-only", str(path)],
            cwd=ROOT,
            check=True,
        )

    from config.celery import app

    app.control.purge()
    log = (workdir / "worker.log").open("ab")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(8)  # the worker is up and idle
        idle = peak_kib(worker.pid)
        with path.open("rb") as handle, transaction.atomic():
            digest, estimate = imports.fingerprint(File(handle))
            job = ImportJob(
                rights_holder=holder,
                original_name=path.name,
                sha256=digest,
                created_by=user,
                status=ImportJob.UPLOADED,
                total_rows=estimate,
            )
            job.file.save("bench.csv", File(handle), save=False)
            job.save()
            job.enqueue()
        job = wait(job.pk, (ImportJob.PENDING, ImportJob.FAILED))
        checked = peak_kib(worker.pid)
        print(f"worker idle: peak RSS {idle / 1024:.0f} MiB")
        print(
            f"check in the worker: {(job.finished_at - job.started_at).total_seconds():.1f} s, "
            f"peak RSS {checked / 1024:.0f} MiB ({job.status}: {job.total_rows:,} rows, "
            f"{job.error_count:,} errors, {job.duplicate_count:,} duplicates/repeats) "
            f"{job.error}"
        )
        with transaction.atomic():
            imports.confirm(job.pk)
            job.enqueue()
        job = wait(job.pk, (ImportJob.DONE, ImportJob.FAILED))
        written = peak_kib(worker.pid)
        print(
            f"import in the worker: {(job.finished_at - job.started_at).total_seconds():.1f} s, "
            f"peak RSS {written / 1024:.0f} MiB ({job.status}: {job.created_count:,} created) "
            f"{job.error}"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        log.close()


if __name__ == "__main__":
    main()
