"""Legal staff in Chromium with files in an S3 bucket (moto): evidence uploaded and
downloaded through the app, a letter rendered by the worker and downloaded through its
pre-signed URL, byte for byte."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from casework.models import Evidence
from notices.models import Letter
from tests.browser.conftest import sign_in
from tests.casework.test_evidence import png_bytes
from tests.notices.conftest import bytedance, draft, items, template  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots")


def test_evidence_and_letter_go_through_the_bucket(
    page,
    tmp_path,
    legal,
    draft,  # noqa: F811 - the fixture imported above
    bucket,
    celery_worker_real,
):
    item = draft.items.order_by("pk").first()
    screenshot = tmp_path / "seedance-doll.png"
    screenshot.write_bytes(png_bytes(64, 48))

    sign_in(page, legal.username)
    page.goto(item.get_absolute_url())
    page.get_by_label("Evidence files").set_input_files(str(screenshot))
    page.get_by_role("button", name="Add evidence").click()
    evidence = Evidence.objects.get(item=item)
    assert bucket.read(evidence.file.name) == screenshot.read_bytes()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="seedance-doll.png").click()
    assert download_info.value.path().read_bytes() == screenshot.read_bytes()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "i13-storage-evidence.png"), full_page=True)

    page.goto(draft.get_absolute_url())
    page.get_by_role("button", name="Render a new draft (stamped DRAFT)").click()
    link = page.get_by_role("link", name="Download PDF")
    expect(link).to_be_visible(timeout=60_000)  # the letters panel polls while rendering
    page.locator("#letters").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "i13-storage-letters.png"), full_page=True)
    letter = Letter.objects.get(demand=draft)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.url.startswith(bucket.endpoint + "/")  # the redirect to the bucket
    assert "X-Amz-Signature=" in download.url
    assert download.suggested_filename == f"{draft.reference}-v{letter.version}.pdf"
    assert hashlib.sha256(download.path().read_bytes()).hexdigest() == letter.sha256
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
