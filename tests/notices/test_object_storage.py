"""Files in an S3-compatible bucket (moto's standalone server on 127.0.0.1), not on a
shared disk: evidence uploaded through the page, a letter rendered by a worker process
whose MEDIA_ROOT is another empty folder, downloads behind the scope check (evidence
streamed; letters and export ZIPs through a pre-signed URL that lives under a minute),
and an outsider who gets a 404 without any signed URL."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import signal
import subprocess
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from webtest import Upload

from casework import imports
from casework.choices import JobStatus, Role
from casework.models import Evidence, ImportJob
from config.env import storage_from_url
from notices.choices import LetterStatus
from notices.models import ExportJob, Letter
from tests.casework.test_evidence import png_bytes
from tests.conftest import KEYS
from tests.factories import ItemFactory, UserFactory
from tests.notices.test_worker_kill import start_worker
from tests.webforms import check

ROOT = Path(__file__).resolve().parents[2]


def files_under(folder: Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def assert_no_presigned_url(response):
    """Nothing in the response carries a signed S3 address."""
    assert response.status_code == 404
    assert "Location" not in response.headers
    assert "x-amz" not in str(response.headers).lower()
    assert b"x-amz" not in response.body.lower()


def checksum_sha256(bucket, name) -> str:
    head = bucket.client.head_object(
        Bucket=bucket.name, Key=bucket.key(name), ChecksumMode="ENABLED"
    )
    return head.get("ChecksumSHA256", "")


def b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def public_grants(bucket, name) -> list:
    acl = bucket.client.get_object_acl(Bucket=bucket.name, Key=bucket.key(name))
    return [
        g
        for g in acl["Grants"]
        if g["Grantee"].get("URI", "").endswith(("/AllUsers", "/AuthenticatedUsers"))
    ]


@pytest.mark.django_db
def test_evidence_uploaded_through_the_page_lands_in_the_bucket_and_streams_back(
    app, legal, outsider, netflix, squid_game, seedance, bucket
):
    item = ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance)
    content = png_bytes(30, 30)
    form = app.get(reverse("casework:item-detail", args=[item.pk]), user=legal).forms[
        "evidence-add"
    ]
    form["evidence"] = [Upload("screenshot.png", content, "image/png")]
    assert form.submit().status_code == 302

    evidence = Evidence.objects.get(item=item)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    stored = bucket.read(evidence.file.name)
    assert stored == content
    # The server verified the upload's SHA-256 and keeps it; the object is private.
    assert checksum_sha256(bucket, evidence.file.name) == b64_sha256(content)
    assert public_grants(bucket, evidence.file.name) == []
    assert files_under(django_settings.MEDIA_ROOT) == []

    # The item page links the download; the app streams it (evidence is never a
    # redirect: it keeps the sandboxing headers) with its hash intact.
    page = app.get(reverse("casework:item-detail", args=[item.pk]), user=legal)
    href = reverse("casework:evidence-download", args=[evidence.pk])
    assert page.html.find("a", href=href) is not None
    download = app.get(href, user=legal)
    assert download.status_code == 200
    assert hashlib.sha256(download.body).hexdigest() == evidence.sha256
    assert download.headers["Content-Length"] == str(len(content))
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "x-amz" not in str(download.headers).lower()

    assert_no_presigned_url(app.get(href, user=outsider, expect_errors=True))


@pytest.mark.django_db
def test_an_import_whose_row_rolls_back_leaves_no_file_in_the_bucket(
    legal, netflix, bucket, settings, monkeypatch
):
    settings.IMPORT_CHECK_IN_REQUEST_ROWS = 0  # checked by a worker: enqueued on save

    def broken_enqueue(self):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ImportJob, "enqueue", broken_enqueue)
    csv = imports.template_csv(netflix).encode()
    with pytest.raises(RuntimeError):
        imports.start_job(netflix, SimpleUploadedFile("items.csv", csv, "text/csv"), legal)
    assert not ImportJob.objects.exists()
    assert bucket.keys() == []


@pytest.mark.django_db
def test_an_import_is_stored_in_the_bucket_and_checked_from_it(
    legal, netflix, squid_game, seedance, bucket, settings
):
    from casework.tasks.imports import run_import

    settings.IMPORT_CHECK_IN_REQUEST_ROWS = 0  # the worker's check reads the stored file
    csv = imports.template_csv(netflix).encode()
    job = imports.start_job(netflix, SimpleUploadedFile("items.csv", csv, "text/csv"), legal)
    assert job.status == ImportJob.UPLOADED
    assert bucket.read(job.file.name) == csv
    run_import(job.pk)  # the task's body, in this process
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.error_count) == (ImportJob.PENDING, 1, 0), job.errors
    assert files_under(django_settings.MEDIA_ROOT) == []


def test_cleanup_that_cannot_delete_logs_and_does_not_raise(monkeypatch):
    from casework import stored

    logged, asked = [], []

    class Unreachable:
        def delete(self, name):
            asked.append(name)
            raise ConnectionError("bucket unreachable")

    monkeypatch.setattr(stored.logger, "exception", lambda *args: logged.append(args))
    stored.discard(["letters/1/a.pdf", ""], storage=Unreachable())
    assert asked == ["letters/1/a.pdf"]
    assert logged and logged[0][1] == "letters/1/a.pdf"


# --- A worker process with a disk of its own ------------------------------------------


@pytest.fixture
def worker(bucket, tmp_path):
    """A real `celery worker` process on the real broker, storing through the same
    bucket; its MEDIA_ROOT is a different empty folder (no disk shared with us)."""
    from config.celery import app as celery_app

    celery_app.control.purge()
    media = tmp_path / "worker-media"
    media.mkdir()
    db = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "STORAGE_URL": bucket.url,
        "STORAGE_ACCESS_KEY_ID": KEYS["access_key"],
        "STORAGE_SECRET_ACCESS_KEY": KEYS["secret_key"],
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FILE_STORAGE", None)
    log_path = tmp_path / "worker.log"
    process = start_worker(log_path, pool="solo", env=env)
    with process.log:
        process.media = media
        process.log_path = log_path
        try:
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_for(predicate, what, worker, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(
        f"Timed out waiting for {what}. Worker log:\n{worker.log_path.read_text()[-4000:]}"
    )


def fetch_presigned(response, bucket):
    """Follow the app's redirect to the bucket, as the browser does, without the app."""
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == bucket.endpoint
    query = parse_qs(parts.query)
    assert 0 < int(query["X-Amz-Expires"][0]) <= 60
    assert query["X-Amz-Signature"]
    assert response.headers["Cache-Control"] == "private, no-store"
    with urllib.request.urlopen(location, timeout=10) as answer:
        return answer.read(), answer.headers


@pytest.mark.django_db(transaction=True)
def test_worker_without_shared_disk_renders_letter_export_and_report(
    app, legal, manager, outsider, warner, draft, bucket, worker
):
    outsider_manager = UserFactory(username="wb-manager", role=Role.MANAGER, holders=[warner])
    # Legal staff ask for a render through the demand page; the worker process renders.
    page = app.get(draft.get_absolute_url(), user=legal)
    assert page.forms["letter-request"].submit().status_code == 302
    letter = Letter.objects.get(demand=draft)

    def rendered():
        letter.refresh_from_db()
        assert letter.status != LetterStatus.FAILED, letter.error
        return letter.status == LetterStatus.READY

    wait_for(rendered, "the worker to render the letter", worker)
    pdf = bucket.read(letter.file.name)
    assert hashlib.sha256(pdf).hexdigest() == letter.sha256
    assert checksum_sha256(bucket, letter.file.name) == b64_sha256(pdf)
    assert public_grants(bucket, letter.file.name) == []

    # Downloaded through the app: the scope check, then a pre-signed URL under a minute.
    href = reverse("notices:letter-download", args=[letter.pk])
    assert app.get(draft.get_absolute_url(), user=legal).html.find("a", href=href) is not None
    body, headers = fetch_presigned(app.get(href, user=legal), bucket)
    assert hashlib.sha256(body).hexdigest() == letter.sha256
    assert headers["Content-Type"] == "application/pdf"
    assert f'filename="{draft.reference}-v{letter.version}.pdf"' in headers["Content-Disposition"]
    assert_no_presigned_url(app.get(href, user=outsider, expect_errors=True))

    # The existing ZIP export, asked for on the demand list, built by the worker from
    # the bucket and downloaded the same way.
    export = app.get(reverse("notices:demand-list"), user=legal).forms["export"]
    check(export, "demands", draft.pk)
    assert export.submit().status_code == 302
    job = ExportJob.objects.get(created_by=legal)

    def exported():
        job.refresh_from_db()
        assert job.status != ExportJob.FAILED, job.error
        return job.status == ExportJob.DONE

    wait_for(exported, "the worker to build the export", worker)
    href = reverse("notices:export-download", args=[job.pk])
    body, _ = fetch_presigned(app.get(href, user=legal), bucket)
    assert hashlib.sha256(body).hexdigest() == job.sha256
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        inside = archive.read(f"{draft.reference}-v{letter.version}.pdf")
        manifest = archive.read("MANIFEST.csv").decode()
    assert hashlib.sha256(inside).hexdigest() == letter.sha256
    assert letter.sha256 in manifest
    assert_no_presigned_url(app.get(href, user=outsider, expect_errors=True))

    # The manager's dashboard report, rendered by the worker, downloads the same way.
    from dashboards.models import DashboardReport

    dashboard = app.get(reverse("dashboard:index"), user=manager)
    assert dashboard.forms["report-create"].submit().status_code == 302
    report = DashboardReport.objects.get(requested_by=manager)

    def reported():
        report.refresh_from_db()
        assert report.status != JobStatus.FAILED, report.error
        return report.status == JobStatus.DONE

    wait_for(reported, "the worker to render the report", worker)
    href = reverse("dashboard:report-download", args=[report.pk])
    body, _ = fetch_presigned(app.get(href, user=manager), bucket)
    assert body.startswith(b"%PDF") and body == bucket.read(report.file.name)
    assert_no_presigned_url(app.get(href, user=outsider_manager, expect_errors=True))

    # Nothing touched either local disk: every byte went through the bucket.
    assert files_under(django_settings.MEDIA_ROOT) == []
    assert files_under(worker.media) == []
    assert default_storage.exists(letter.file.name)


def test_ensure_bucket_creates_the_bucket_once(s3_server, settings):
    from django.core.management import call_command

    endpoint, _, client = s3_server
    name = f"desist-new-{uuid.uuid4().hex[:8]}"
    url = f"s3://{name}?endpoint={endpoint}&region=us-east-1"
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(url, **KEYS)}
    out = io.StringIO()
    call_command("ensure_bucket", stdout=out)
    call_command("ensure_bucket", stdout=out)
    assert out.getvalue().splitlines() == [f"Bucket {name} created.", f"Bucket {name} exists."]
    client.head_bucket(Bucket=name)
