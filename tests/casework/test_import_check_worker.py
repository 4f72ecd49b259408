"""A large CSV is checked (previewed) by a worker, never inside the upload request.

The upload stores the file and the job (status uploaded) and answers at once; a real
Celery worker on real Redis checks the rows with progress on the page, and the preview
it leaves is the one the in-request check of the same file gives. The check step has
the job lifecycle of every job: claim with a lease, an attempts cap with its reason on
the page, and the one sweeper re-enqueues it when its worker dies (SIGKILL included).
"""

import io
import time

import psycopg
import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from casework import imports, jobs
from casework.models import ImportJob, InfringingItem
from casework.tasks.imports import run_import
from tests.casework.test_imports import make_csv, row, upload
from tests.factories import ItemFactory

THRESHOLD = 20  # IMPORT_CHECK_IN_REQUEST_ROWS in these tests


@pytest.fixture
def threshold(settings):
    settings.IMPORT_CHECK_IN_REQUEST_ROWS = THRESHOLD
    return THRESHOLD


def mixed_rows(n=60):
    """n rows: mostly new, a bad date on line 4, a repeat of row 2, a duplicate of an
    item logged before (share/7), and a bad platform far down the file."""
    rows = [row(i) for i in range(1, n + 1)]
    rows[2] = row(3, first_seen="14/02/2026")
    rows[10] = row(2)  # repeats line 3's URL (row 2 is on line 3)
    rows[-5] = row(n - 4, platform="Nowhere")
    return rows


def state(pk, *, fresh=True):
    if fresh:
        connection.close()  # a fresh read each time (the worker writes through its own)
    return ImportJob.objects.values_list("status", "attempts").get(pk=pk)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}.")


def tables_read(queries) -> set[str]:
    return {
        table
        for q in queries
        for table in ("casework_infringingitem", "casework_franchise", "casework_platform")
        if f'"{table}"' in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    }


@pytest.mark.django_db(transaction=True)
def test_a_large_upload_is_checked_by_a_worker_and_previews_as_the_inline_check_does(
    catalogue, netflix, app, legal, threshold, monkeypatch, settings
):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app as celery_app

    celery_app.control.purge()  # leftovers of other tests must not keep the worker busy
    ItemFactory(rights_holder=netflix, franchise=catalogue, url="https://seedance.example/share/7")
    data = make_csv(mixed_rows())

    with CaptureQueriesContext(connection) as request_queries:
        response = upload(app, legal, data, name="large.csv")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/import/{job.pk}/"
    # Nothing was checked in the request: the job waits for a worker, with the
    # estimate from the line count, and no row was looked up.
    assert (job.status, job.attempts, job.processed_rows) == (ImportJob.UPLOADED, 0, 0)
    assert (job.total_rows, job.error_count, job.errors) == (60, 0, [])
    assert tables_read(request_queries.captured_queries) == set()

    page = app.get(f"/import/{job.pk}/", user=legal)
    assert "Waiting for a worker to check the file (about 60 rows)" in page.text
    assert f'hx-get="/import/{job.pk}/progress/?step=check"' in page.text
    assert "import-confirm" not in page.forms and not page.html.select("table.import-rows")

    monkeypatch.setattr(imports, "LOOKUP_BATCH", 25)  # several batches, as a big file has
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        wait_for(lambda: state(job.pk)[0] == ImportJob.PENDING, 60, "the worker's check")
    job.refresh_from_db()
    assert (job.attempts, job.error, job.total_rows) == (1, "", 60)

    # The polling fragment asks htmx to reload the page now that the preview is ready.
    fragment = app.get(
        f"/import/{job.pk}/progress/?step=check", user=legal, headers={"HX-Request": "true"}
    )
    assert fragment.headers["HX-Refresh"] == "true"

    # The same file checked in the request gives the same preview, row for row.
    with monkeypatch.context() as m:
        m.setattr(imports, "LOOKUP_BATCH", 5_000)
        inline = imports.preview_fields(imports.check(netflix, io.BytesIO(data)))
    assert {k: getattr(job, k) for k in inline} == inline
    assert (job.error_count, job.duplicate_count, imports.new_count(job)) == (2, 2, 56)

    page = app.get(f"/import/{job.pk}/?show=all", user=legal)
    lines = {
        tr["data-line"]: tr["data-status"]
        for tr in page.html.select("table.import-rows tr[data-line]")
    }
    assert (lines["4"], lines["8"], lines["12"], lines["57"]) == (
        "error",
        "duplicate",
        "repeat",
        "error",
    )
    assert "Line 4, column <code>first_seen</code>" in page.text
    assert "Line 57, column <code>platform</code>" in page.text

    # Confirm on the page as rendered: the write is the job's second step, with its
    # own attempts, run by the worker too.
    settings.IMPORT_WRITE_IN_REQUEST_ROWS = 5
    page.forms["import-confirm"].submit()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        wait_for(lambda: state(job.pk)[0] == ImportJob.DONE, 60, "the worker's import")
    job.refresh_from_db()
    assert (job.attempts, job.created_count, job.error) == (1, 56, "")
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 57


@pytest.mark.django_db
def test_a_small_upload_is_still_checked_in_the_request(catalogue, netflix, app, legal, threshold):
    upload(app, legal, make_csv([row(n) for n in range(1, THRESHOLD + 1)]))
    job = ImportJob.objects.get()
    assert (job.status, job.total_rows, job.attempts) == (ImportJob.PENDING, THRESHOLD, 0)


@pytest.mark.django_db
def test_the_page_says_how_far_the_check_has_come(catalogue, netflix, app, legal, threshold):
    upload(app, legal, make_csv(mixed_rows()))
    job = ImportJob.objects.get()
    assert ImportJob.claim(job.pk) == 1  # a worker has it
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=40_000, total_rows=200_000)
    fragment = app.get(f"/import/{job.pk}/progress/?step=check", user=legal)
    status = fragment.html.select_one("[role=status]").text
    assert "Checked 40,000 of ~200,000 rows." in " ".join(status.split())
    assert fragment.html.select_one("progress")["value"] == "20"
    assert 'hx-trigger="every 1s"' in fragment.text  # still polling
    assert "HX-Refresh" not in fragment.headers


@pytest.mark.django_db(transaction=True)
def test_check_progress_is_written_as_rows_are_checked(
    catalogue, netflix, app, legal, threshold, monkeypatch
):
    monkeypatch.setattr(imports, "LOOKUP_BATCH", 10)
    upload(app, legal, make_csv([row(n) for n in range(1, 36)]))
    job = ImportJob.objects.get()
    onlooker = connections.create_connection("default")  # like the page's request
    writer = imports.ProgressWriter(job.pk, every_seconds=0)
    seen = []

    def progress(checked=None, written=None):
        writer(checked=checked, written=written)
        with onlooker.cursor() as cursor:
            cursor.execute(
                "SELECT status, processed_rows FROM casework_importjob WHERE id = %s", [job.pk]
            )
            seen.append(cursor.fetchone())

    try:
        attempt = ImportJob.claim(job.pk, processed_rows=0)
        imports.execute(job.pk, attempt, progress=progress)
    finally:
        writer.close()
        onlooker.close()
    assert seen == [("checking", 10), ("checking", 20), ("checking", 30), ("checking", 35)]
    job.refresh_from_db()
    assert (job.status, job.total_rows, imports.new_count(job)) == (ImportJob.PENDING, 35, 35)


@pytest.mark.django_db
def test_a_large_file_with_a_bad_header_is_refused_in_the_request(catalogue, app, legal, threshold):
    header = ["url", "title", "conduct", "first_seen"]
    response = upload(app, legal, make_csv([row(n) for n in range(60)], header=header))
    assert response.status_code == 200
    assert "lacks required columns: franchise, platform, content_kind." in response.text
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_large_file_unreadable_further_down_fails_its_check_with_the_line(
    catalogue, app, legal, threshold
):
    # The bad byte lies beyond the part of the file the request reads for the header.
    data = make_csv([row(n) for n in range(1, 201)])
    lines = data.split(b"\n")
    lines[149] = lines[149].replace(b"clip", "clip é".encode("latin-1"))
    upload(app, legal, b"\n".join(lines))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.UPLOADED
    run_import(job.pk)  # the worker's task, in this thread
    job.refresh_from_db()
    assert job.status == ImportJob.FAILED
    assert "byte 0xE9 on line 150 cannot be read" in job.error
    page = app.get(f"/import/{job.pk}/", user=legal)
    assert "byte 0xE9 on line 150" in page.html.select_one("[role=alert]").text
    assert "import-confirm" not in page.forms
    run_import(job.pk)  # a redelivered message does nothing
    assert ImportJob.objects.get(pk=job.pk).attempts == 1


@pytest.mark.django_db
def test_a_check_whose_worker_died_is_re_enqueued_by_the_sweeper_and_capped(
    catalogue, netflix, app, legal, threshold
):
    upload(app, legal, make_csv(mixed_rows()))
    job = ImportJob.objects.get()
    for attempt in range(1, ImportJob.max_attempts + 1):
        assert ImportJob.claim(job.pk) == attempt  # a worker takes it ...
        assert state(job.pk, fresh=False) == (ImportJob.CHECKING, attempt)
        ImportJob.objects.filter(pk=job.pk).update(lease_until="2000-01-01T00:00:00Z")
        # ... and dies: the sweeper puts it back in line, until the cap.
        requeued = jobs.sweep()["casework.ImportJob"]
        if attempt < ImportJob.max_attempts:
            assert requeued == [job.pk]
            assert state(job.pk, fresh=False) == (ImportJob.UPLOADED, attempt)
    assert requeued == []
    job.refresh_from_db()
    assert job.status == ImportJob.FAILED
    reason = "Gave up after 5 attempts: the worker died or timed out."
    assert job.error == reason
    assert reason in app.get(f"/import/{job.pk}/", user=legal).text
    run_import(job.pk)  # a late message does nothing
    assert state(job.pk, fresh=False) == (ImportJob.FAILED, 5)
    assert jobs.sweep()["casework.ImportJob"] == []


# --- A worker process killed mid-check -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_check_then_sweeper_and_new_worker_finish_it_once(
    catalogue, netflix, app, legal, threshold, tmp_path
):
    """As tests/notices/test_job_kill.py: the worker claims the check, then blocks on a
    table the check reads (the franchises); it is killed, the sweeper re-enqueues the
    check, and a new worker process finishes it."""
    from config.celery import app as celery_app
    from tests.notices.test_job_kill import dsn
    from tests.notices.test_worker_kill import kill_group, start_worker

    celery_app.control.purge()
    log_path = tmp_path / "worker.log"
    upload(app, legal, make_csv(mixed_rows()))  # enqueued; no worker runs yet
    job = ImportJob.objects.get()
    with psycopg.connect(dsn()) as blocker:
        blocker.execute("LOCK TABLE casework_franchise IN ACCESS EXCLUSIVE MODE")
        first = start_worker(log_path)
        try:
            wait_for(lambda: state(job.pk) == (ImportJob.CHECKING, 1), 120, "the first claim")
            time.sleep(0.5)  # it is now waiting for the table, mid-check
        finally:
            kill_group(first)
        blocker.rollback()
    assert state(job.pk) == (ImportJob.CHECKING, 1)  # killed mid-check: its claim stays

    celery_app.control.purge()  # only the sweeper brings it back
    ImportJob.objects.filter(pk=job.pk).update(lease_until="2000-01-01T00:00:00Z")
    assert jobs.sweep()["casework.ImportJob"] == [job.pk]
    assert state(job.pk) == (ImportJob.UPLOADED, 1)
    second = start_worker(log_path)
    try:
        wait_for(
            lambda: state(job.pk)[0] in (ImportJob.PENDING, ImportJob.FAILED),
            180,
            "the new worker to finish the check",
        )
    finally:
        kill_group(second)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (ImportJob.PENDING, 2, "")
    assert (job.total_rows, job.error_count) == (60, 2)
    assert jobs.sweep()["casework.ImportJob"] == []
