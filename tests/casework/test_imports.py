"""CSV import: parsing, row classification, all-or-nothing writes, isolation, the pages
and the Celery path with a real worker on real Redis."""

import csv
import io
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from webtest import Upload

from casework import imports
from casework.choices import EventSource, JobStatus, Stage
from casework.models import ImportJob, InfringingItem, StageEvent
from casework.tasks.imports import run_import
from tests.factories import (
    FranchiseFactory,
    ItemFactory,
    ProtectedElementFactory,
)

HEADER = list(imports.COLUMN_NAMES)


def row(n=1, **overrides):
    values = {
        "url": f"https://seedance.example/share/{n}",
        "title": f"Young-hee doll clip {n}",
        "franchise": "Squid Game",
        "platform": "Seedance 2.0",
        "content_kind": "video",
        "conduct": "recreation",
        "theory": "direct",
        "first_seen": "2026-02-14",
        "protected_elements": "Young-hee doll",
        "description": "Generated recreation.",
    }
    values.update(overrides)
    return values


def make_csv(rows, header=HEADER, *, bom=False, newline="\n") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(c, "") for c in header])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def preview(holder, data):
    return imports.read_preview(holder, data)


def by_line(result):
    return {r.line: r for r in result.rows}


# --- Parsing ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bom_crlf_and_quoted_fields_with_commas_and_newlines_import(catalogue, legal, netflix):
    data = make_csv(
        [
            row(1, title='Doll, "red light" edition', description="First line\r\nSecond, line"),
            row(2, protected_elements="Young-hee doll; Red Light, Green Light set"),
        ],
        bom=True,
        newline="\r\n",
    )
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    result = imports.import_csv(netflix, io.BytesIO(data), legal)
    assert (result.total_rows, result.created, result.errors) == (2, 2, 0)
    first = InfringingItem.objects.get(normalized_url="https://seedance.example/share/1")
    assert first.title == 'Doll, "red light" edition'
    assert first.description == "First line\r\nSecond, line"
    assert first.logged_by == legal and first.stage == Stage.IDENTIFIED
    second = InfringingItem.objects.get(normalized_url="https://seedance.example/share/2")
    assert sorted(second.elements.values_list("name", flat=True)) == [
        "Red Light, Green Light set",
        "Young-hee doll",
    ]
    events = StageEvent.objects.filter(item__in=[first, second])
    assert events.count() == 2
    assert {(e.source, e.to_stage, e.from_stage, e.by_id) for e in events} == {
        (EventSource.IMPORT, Stage.IDENTIFIED, "", legal.pk)
    }


@pytest.mark.django_db
def test_line_numbers_count_embedded_newlines_and_blank_lines(catalogue, netflix):
    text = (
        ",".join(HEADER) + "\n"
        "https://a.example/1,T1,Squid Game,Seedance 2.0,video,recreation,direct,2026-02-14,,"
        '"two\nlines"\n'
        "\n"
        "https://a.example/2,T2,Squid Game,Seedance 2.0,video,recreation,direct,14/02/2026,,\n"
    )
    result = preview(netflix, text.encode())
    bad = by_line(result)[5]
    assert bad.status == imports.ERROR
    assert [(p.column, "YYYY-MM-DD" in p.message) for p in bad.problems] == [("first_seen", True)]


@pytest.mark.django_db
def test_headers_are_case_insensitive_and_unknown_columns_are_named(catalogue, netflix):
    header = ["URL", "Title", "Franchise", "Platform", "Content kind", "Conduct", "First seen"]
    header.append("Notes")
    data = make_csv([{}], header=header)
    data = data.replace(
        b"\n,,,,,,,\n",
        b"\nhttps://b.example/1,T,squid game,SEEDANCE 2.0,Video,Style imitation,2026-01-02,x\n",
    )
    result = preview(netflix, data)
    assert result.ignored_columns == ["Notes"]
    (only,) = result.rows
    assert only.status == imports.NEW, only.problems
    assert only.values["conduct"] == "style" and only.values["theory"] == "direct"


# --- Bad rows ---------------------------------------------------------------------------


BAD_ROWS = [
    ({"franchise": "Stranger Things"}, "franchise", "is not a franchise of Netflix, Inc."),
    ({"platform": "Sora"}, "platform", "is not a known platform"),
    ({"content_kind": "hologram"}, "content_kind", "is not one of video, image, audio, text"),
    ({"conduct": "parody"}, "conduct", "is not one of"),
    ({"theory": "vicarious"}, "theory", "is not one of direct, secondary"),
    ({"first_seen": "2026-02-30"}, "first_seen", "not a date in the form YYYY-MM-DD"),
    ({"first_seen": "2999-01-01"}, "first_seen", "is in the future"),
    ({"url": "ftp://files.example/x"}, "url", "is not a valid http(s) URL"),
    ({"url": "not a url"}, "url", "is not a valid http(s) URL"),
    ({"url": "https://x.example/" + "a" * 2000}, "url", "at most 2,000"),
    ({"title": "t" * 301}, "title", "at most 300"),
    ({"title": ""}, "title", "is required and empty"),
    ({"description": "d" * 10_001}, "description", "at most 10,000"),
    ({"protected_elements": "Young-hee doll; Demogorgon"}, "protected_elements", "Demogorgon"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "column", "message"), BAD_ROWS)
def test_each_bad_row_is_reported_with_line_column_and_reason(
    catalogue, netflix, overrides, column, message
):
    data = make_csv([row(1), row(2, **overrides), row(3)])
    result = preview(netflix, data)
    rows = by_line(result)
    assert [rows[2].status, rows[3].status, rows[4].status] == ["new", "error", "new"]
    assert [p.column for p in rows[3].problems] == [column]
    assert message in rows[3].problems[0].message
    report = [r for r in result.report() if r["status"] == "error"]
    assert report == [
        {
            "line": 3,
            "status": "error",
            "url": rows[3].url,
            "title": rows[3].title,
            "problems": [{"column": column, "message": rows[3].problems[0].message}],
        }
    ]


@pytest.mark.django_db
def test_a_row_with_more_values_than_columns_is_an_error(catalogue, netflix):
    data = make_csv([row(1)]) + b"https://x.example/2,a,b,c,d,e,f,g,h,i,EXTRA\n"
    (_, bad) = preview(netflix, data).rows
    assert (bad.line, bad.status) == (3, "error")
    assert "has 11 values but the header names 10 columns" in bad.problems[0].message


@pytest.mark.django_db
def test_several_problems_on_one_row_are_all_named(catalogue, netflix):
    data = make_csv([row(1, platform="Nowhere", first_seen="yesterday", conduct="")])
    (bad,) = preview(netflix, data).rows
    assert [p.column for p in bad.problems] == ["platform", "conduct", "first_seen"]


# --- Duplicates and re-import ------------------------------------------------------------


@pytest.mark.django_db
def test_duplicates_of_existing_items_and_of_earlier_rows(catalogue, netflix, warner):
    existing = ItemFactory(rights_holder=netflix, url="https://seedance.example/share/1")
    ItemFactory(rights_holder=warner, url="https://seedance.example/share/2")  # not a dup
    data = make_csv(
        [
            row(1, url="HTTPS://Seedance.example/share/1/?utm_source=x"),
            row(2),
            row(3, url="https://seedance.example/share/2#again"),
            row(4),
        ]
    )
    result = preview(netflix, data)
    rows = by_line(result)
    assert (rows[2].status, rows[2].existing_id) == (imports.DUPLICATE, existing.pk)
    assert rows[3].status == imports.NEW  # the other holder's item does not count
    assert (rows[4].status, rows[4].first_line) == (imports.REPEAT, 3)
    assert rows[5].status == imports.NEW
    assert {r["line"]: r.get("item_id") for r in result.report()}[2] == existing.pk


@pytest.mark.django_db
def test_importing_the_same_file_again_creates_nothing(catalogue, netflix, legal):
    data = make_csv([row(n) for n in range(1, 6)] + [row(9, platform="Nowhere")])
    first = imports.import_csv(netflix, io.BytesIO(data), legal)
    assert (first.created, first.errors) == (5, 1)
    items, events = InfringingItem.objects.count(), StageEvent.objects.count()
    second = imports.import_csv(netflix, io.BytesIO(data), legal)
    assert (second.created, second.duplicates, second.errors) == (0, 5, 1)
    assert (InfringingItem.objects.count(), StageEvent.objects.count()) == (items, events)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_rows(catalogue, netflix, legal, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    imports.import_csv(netflix, io.BytesIO(make_csv([row(1)])), legal)  # caches the role
    counts = []
    for start, size in ((100, 10), (200, 150)):
        data = make_csv([row(n) for n in range(start, start + size)])
        with CaptureQueriesContext(connection) as ctx:
            result = imports.import_csv(netflix, io.BytesIO(data), legal)
        assert result.created == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- Refused files ----------------------------------------------------------------------


REFUSED = [
    (b"", "The file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file: it contains binary data"),
    (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
    ("url,title\nhttps://x.example/é,Café\n".encode("latin-1"), "not UTF-8 text"),
    (
        b"https://x.example/1,T,Squid Game,Seedance 2.0,video,recreation\n",
        "The first row is data, not a header row",
    ),
    (b"name,age\nann,3\n", "no header row of known columns"),
    (
        b"url,title,conduct,first_seen\nhttps://x.example/1,T,recreation,2026-01-01\n",
        "lacks required columns: franchise, platform, content_kind.",
    ),
    (
        b"url,title,franchise,platform,conduct,first_seen,url\n",
        "The column “url” appears twice",
    ),
    (b"url;title;franchise\nhttps://x.example;a;b\n", "semicolons"),
    (",".join(HEADER).encode() + b"\r\n", "header row but no data rows"),
    (",".join(HEADER).encode() + b'\n"https://x.example/1"x,T\n', "not valid CSV"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "message"), REFUSED)
def test_a_file_that_is_not_an_importable_csv_is_refused_with_a_reason(netflix, data, message):
    with pytest.raises(imports.ImportRefused) as refused:
        preview(netflix, data)
    assert message in str(refused.value)


# --- All or nothing -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failure_mid_insert_leaves_nothing_written(catalogue, netflix, legal, monkeypatch):
    """A URL is logged after the rows were classified (the check missed it): the
    insert fails, and the other rows, their elements and events are all rolled back."""
    data = make_csv([row(n) for n in range(1, 7)])
    upload = SimpleUploadedFile("items.csv", data)
    job = ImportJob.objects.create(
        rights_holder=netflix, file=upload, original_name="items.csv", created_by=legal
    )
    imports.store_preview(job, preview(netflix, data))
    job.save()
    before = (
        InfringingItem.objects.count(),
        StageEvent.objects.count(),
        InfringingItem.elements.through.objects.count(),
    )
    classify = imports.Staging._classify

    def classify_then_someone_logs_row_5(self, cursor):
        classify(self, cursor)
        ItemFactory(
            rights_holder=netflix, franchise=catalogue, url="https://seedance.example/share/5"
        )

    monkeypatch.setattr(imports.Staging, "_classify", classify_then_someone_logs_row_5)
    attempt = imports.start_running(job.pk)
    assert attempt == 1
    with pytest.raises(IntegrityError):
        imports.execute(job.pk, attempt)
    after = (
        InfringingItem.objects.count(),
        StageEvent.objects.count(),
        InfringingItem.elements.through.objects.count(),
    )
    assert after == before
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.created_count == 0
    assert "nothing was imported" in job.error


# --- Isolation --------------------------------------------------------------------------


@pytest.mark.django_db
def test_other_holders_franchises_are_unknown_without_naming_the_holder(catalogue, netflix, warner):
    FranchiseFactory(rights_holder=warner, name="Superman")
    (bad,) = preview(netflix, make_csv([row(1, franchise="Superman")])).rows
    assert bad.status == imports.ERROR
    assert bad.problems[0].message == "“Superman” is not a franchise of Netflix, Inc."
    assert "Warner" not in bad.problems[0].message


@pytest.mark.django_db
def test_elements_of_another_franchise_are_refused(catalogue, netflix):
    other = FranchiseFactory(rights_holder=netflix, name="Stranger Things")
    ProtectedElementFactory(franchise=other, name="Demogorgon")
    (bad,) = preview(netflix, make_csv([row(1, protected_elements="Demogorgon")])).rows
    assert bad.problems[0].message == (
        "“Demogorgon” is not an element of the franchise “Squid Game”."
    )


@pytest.mark.django_db
def test_import_csv_refuses_a_holder_the_user_does_not_belong_to(catalogue, netflix, outsider):
    with pytest.raises(PermissionDenied):
        imports.import_csv(netflix, io.BytesIO(make_csv([row(1)])), outsider)
    assert not InfringingItem.objects.exists()


@pytest.mark.django_db
def test_import_csv_refuses_a_viewer(catalogue, netflix, viewer):
    with pytest.raises(PermissionDenied):
        imports.import_csv(netflix, io.BytesIO(make_csv([row(1)])), viewer)


def upload(app, user, data, name="items.csv", rights_holder=None):
    """Upload a CSV through the import page's form, as rendered."""
    form = app.get("/import/", user=user).forms["import-upload"]
    form["file"] = Upload(name, data, "text/csv")
    if rights_holder is not None:
        form["rights_holder"] = str(rights_holder)
    return form.submit()


def confirm(app, user, job):
    """Press the preview page's "Import … new items" button."""
    return app.get(f"/import/{job.pk}/", user=user).forms["import-confirm"].submit()


@pytest.mark.django_db
def test_outsider_cannot_upload_into_another_holder(catalogue, netflix, app, outsider):
    # A member of one holder gets it as a hidden field; forge it to Netflix's.
    response = upload(app, outsider, make_csv([row(1)]), rights_holder=netflix.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_outsider_gets_404_on_another_holders_job(catalogue, app, legal, outsider_client, netflix):
    response = upload(app, legal, make_csv([row(1)]))
    job = ImportJob.objects.get()
    assert response["Location"] == f"/import/{job.pk}/"
    for url in (f"/import/{job.pk}/", f"/import/{job.pk}/progress/"):
        assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(f"/import/{job.pk}/confirm/").status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert not InfringingItem.objects.exists()
    page = outsider_client.get("/import/").content.decode()
    assert "items.csv" not in page and "Netflix" not in page


@pytest.mark.django_db
def test_viewers_cannot_import(catalogue, app, legal, viewer_client):
    assert viewer_client.get("/import/").status_code == 403
    csv_file = SimpleUploadedFile("items.csv", make_csv([row(1)]), "text/csv")
    assert viewer_client.post("/import/", {"file": csv_file}).status_code == 403
    assert viewer_client.get("/import/template.csv").status_code == 403
    upload(app, legal, make_csv([row(1)]))
    job = ImportJob.objects.get()
    assert viewer_client.post(f"/import/{job.pk}/confirm/").status_code == 403
    assert not InfringingItem.objects.exists()


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/import/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- Pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_preview_confirm_in_the_request(catalogue, netflix, app, legal, legal_client):
    existing = ItemFactory(rights_holder=netflix, url="https://seedance.example/share/3")
    data = make_csv([row(1), row(2, first_seen="02/14/2026"), row(3), row(4), row(4)])
    response = upload(app, legal, data)
    job = ImportJob.objects.get()
    assert (job.status, job.total_rows, job.error_count, job.duplicate_count) == (
        JobStatus.PENDING,
        5,
        1,
        2,
    )
    assert job.created_by.username == "nf-legal" and len(job.sha256) == 64
    page = legal_client.get(response.url).content.decode()
    assert "Line 3, column <code>first_seen</code>" in page
    assert 'data-count="new">2<' in page
    page = legal_client.get(response.url + "?show=all").content.decode()
    assert f"item {existing.pk}" in page
    assert "Same URL as line 5." in page
    assert "Import 2 new items" in page

    form = app.get(response["Location"]).forms["import-confirm"]
    response = form.submit().follow()
    assert "Imported 2 new items." in response.text
    job.refresh_from_db()
    assert (job.status, job.created_count) == (JobStatus.DONE, 2)
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 3
    reasons = set(StageEvent.objects.filter(source="import").values_list("reason", flat=True))
    assert reasons == {f"Imported from items.csv (import {job.pk})."}

    # A second click (on the same, now stale, page) does nothing twice.
    response = form.submit().follow()
    assert "already confirmed" in response.text
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 3

    # The same file again: the page says so, and there is nothing new to import.
    page = upload(app, legal, data).follow()
    assert "This file was imported before" in page
    assert "There is nothing new to import" in page


@pytest.mark.django_db
def test_refused_files_are_explained_on_the_upload_page(catalogue, app, legal):
    response = upload(app, legal, b"\x00\x01\x02binary", name="photo.png")
    assert response.status_code == 200
    assert (
        "not a CSV file: it contains binary data" in response.html.select_one("#file-errors").text
    )
    response = upload(app, legal, b"url,title\nhttps://x.example,T\n")
    assert "lacks required columns: franchise, platform, content_kind, conduct, first_seen" in (
        response.text
    )
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_files_over_the_size_limit_are_refused(catalogue, app, legal, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(app, legal, make_csv([row(1), row(2)]))
    assert response.status_code == 200
    assert "the limit is 100" in response.text
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_holder_choice_only_for_members_of_several(catalogue, netflix, warner, legal_client, legal):
    page = legal_client.get("/import/").content.decode()
    assert 'type="hidden" name="rights_holder"' in page
    warner.members.add(legal)
    page = legal_client.get("/import/").content.decode()
    assert "<select" in page and "Warner Bros." in page
    assert "protected_elements" in page  # the documented format


@pytest.mark.django_db
def test_the_template_is_a_valid_import_for_the_users_holder(catalogue, netflix, legal_client):
    response = legal_client.get("/import/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    (only,) = preview(netflix, response.content).rows
    assert only.status == imports.NEW, only.problems
    assert len(only.element_ids) == 2


@pytest.mark.django_db
def test_large_previews_list_capped_rows_but_exact_counts(catalogue, netflix, legal, monkeypatch):
    monkeypatch.setitem(imports.REPORT_CAP, imports.ERROR, 3)
    data = make_csv([row(n, platform="Nowhere") for n in range(10)] + [row(99)])
    job = ImportJob(rights_holder=netflix, original_name="x.csv", created_by=legal)
    imports.store_preview(job, preview(netflix, data))
    assert job.error_count == 10
    assert [r["status"] for r in imports.job_report(job)["rows"]] == ["error"] * 3 + ["new"]


# --- Celery ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_large_files_import_in_a_celery_worker_with_progress(
    celery_worker_real, catalogue, netflix, app, legal, legal_client, monkeypatch, settings
):
    settings.IMPORT_WRITE_IN_REQUEST_ROWS = 5
    data = make_csv([row(n) for n in range(1, 41)] + [row(50, conduct="parody")])
    upload(app, legal, data)
    job = ImportJob.objects.get()
    response = confirm(app, legal, job)
    assert response.status_code == 302
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            break
        fragment = legal_client.get(f"/import/{job.pk}/progress/").content.decode()
        # Polling while unfinished (the worker may finish between the two reads).
        assert 'hx-trigger="every 1s"' in fragment or 'data-status="done"' in fragment
        time.sleep(0.2)
    assert (job.status, job.error) == (JobStatus.DONE, "")
    assert (job.created_count, job.error_count, job.processed_rows) == (40, 1, 41)
    assert job.attempts == 1 and job.started_at and job.finished_at
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 40
    fragment = legal_client.get(f"/import/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment and "Imported <strong data-created>40</strong>" in fragment

    # Redelivery of the same task does nothing twice; a deleted job is skipped quietly.
    run_import(job.pk)
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 40
    run_import(999_999)


@pytest.mark.django_db
def test_run_import_leaves_jobs_that_are_not_queued_alone(catalogue, netflix, legal):
    data = make_csv([row(1)])
    job = ImportJob.objects.create(
        rights_holder=netflix,
        file=SimpleUploadedFile("a.csv", data),
        original_name="a.csv",
        created_by=legal,
    )
    run_import(job.pk)  # pending: not confirmed yet
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and not InfringingItem.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_outside_the_open_import_transaction(
    catalogue, netflix, legal, monkeypatch
):
    from django.db import connections

    monkeypatch.setattr(imports, "LOOKUP_BATCH", 3)
    data = make_csv([row(n) for n in range(1, 8)])
    job = ImportJob.objects.create(
        rights_holder=netflix,
        file=SimpleUploadedFile("a.csv", data),
        original_name="a.csv",
        created_by=legal,
    )
    imports.store_preview(job, preview(netflix, data))
    job.save()
    onlooker = connections.create_connection("default")  # like the page's request
    writer = imports.ProgressWriter(job.pk, every_seconds=0)
    seen = []

    def progress(checked=None, written=None):
        writer(checked=checked, written=written)
        with onlooker.cursor() as cursor:
            cursor.execute(
                "SELECT j.processed_rows, j.created_count, "
                "(SELECT count(*) FROM casework_infringingitem) "
                "FROM casework_importjob j WHERE j.id = %s",
                [job.pk],
            )
            seen.append(cursor.fetchone())

    try:
        attempt = imports.start_running(job.pk)
        assert attempt == 1
        imports.execute(job.pk, attempt, progress=progress)
    finally:
        writer.close()
        onlooker.close()
    # Rows checked (3, 6, 7), then all 7 items written, while none is committed yet.
    assert seen == [(3, 0, 0), (6, 0, 0), (7, 0, 0), (7, 7, 0)]
    job.refresh_from_db()
    assert (job.status, job.created_count) == (JobStatus.DONE, 7)


@pytest.mark.django_db
def test_the_page_says_the_checked_rows_are_being_written(catalogue, netflix, app, legal):
    """Every row is checked and the INSERTs run (one statement per table): the page says
    how many items are being written, with a progress bar that shows activity."""
    data = make_csv([row(n) for n in range(1, 6)] + [row(9, platform="Nowhere")])
    job = ImportJob.objects.create(
        rights_holder=netflix,
        file=SimpleUploadedFile("a.csv", data),
        original_name="a.csv",
        created_by=legal,
    )
    imports.store_preview(job, preview(netflix, data))
    job.save()
    attempt = imports.start_running(job.pk)
    assert attempt == 1
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=6)  # checked, not yet written
    fragment = app.get(f"/import/{job.pk}/progress/", user=legal)
    status = " ".join(fragment.html.select_one("[role=status]").text.split())
    assert "Every row is checked: writing the 5 new items, all in one go" in status
    assert not fragment.html.select_one("progress").has_attr("value")  # indeterminate
    assert 'hx-trigger="every 1s"' in fragment.text
