"""Legal staff in Chromium add a cropped copy of a picture as evidence; the worker groups
it with the original; the item page names the group and the group page lists both."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from casework import evidence as evidence_store
from casework import variants
from tests import variant_media as media
from tests.browser.conftest import sign_in
from tests.factories import ItemFactory, PlatformFactory

pytestmark = pytest.mark.browser


def test_an_uploaded_copy_joins_its_group_and_the_group_page_lists_it(
    page, tmp_path, legal, netflix, squid_game, seedance, celery_worker_real
):
    original = ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        title="Red Light doll, original post",
        url="https://seedance.example/share/doll-original",
        first_seen="2026-02-14",
    )
    with transaction.atomic():
        stored = evidence_store.store(original, media.upload(media.art(31), "original.png"))
    variants.process_evidence(stored.pk)
    copy = ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=PlatformFactory(name="ClipForge"),
        title="Red Light doll, re-post",
        url="https://clipforge.example/v/991",
        first_seen="2026-02-21",
    )
    picture = tmp_path / "repost.jpg"
    media.cropped(media.scaled(media.art(31), 0.8)).save(picture, "JPEG", quality=50)

    sign_in(page, legal.username)
    page.goto(copy.get_absolute_url())
    expect(page.locator("#variant-group")).to_contain_text("No near-duplicates found")
    page.get_by_label("Evidence files").set_input_files(str(picture))
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("status")).to_contain_text("Added 1 evidence file")

    link = page.locator("#variant-group a")
    for _ in range(60):  # the worker hashes and groups it: reload as a person would
        if link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(link).to_have_text(f"{netflix.code}-V{_group_id(copy)}")
    expect(page.locator("#variant-group")).to_contain_text("2 near-identical copies")
    page.screenshot(path="/work/shots/i11-variants-item.png", full_page=True)

    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Variant group")
    rows = page.locator("#group-items tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Red Light doll, original post")
    expect(rows.nth(1)).to_contain_text("Red Light doll, re-post")
    expect(page.locator("#group-platforms tbody tr")).to_have_count(2)
    expect(page.locator("#group-first-seen")).to_have_text("2026-02-14")
    page.screenshot(path="/work/shots/i11-variants-group.png", full_page=True)


def _group_id(item):
    item.refresh_from_db()
    return item.variant_group_id
