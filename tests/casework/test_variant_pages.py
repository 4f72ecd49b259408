"""Variant groups in the pages: an upload through the item page is hashed and grouped by
a real worker; the group page (scoped: another holder's group is a 404), the item page
naming its group, and the item list filtering and counting by group, all as rendered."""

import time

import pytest
from django.db import transaction

from casework import evidence as evidence_store
from casework import variants
from casework.models import EvidenceHash, VariantGroup
from tests import variant_media as media
from tests.factories import ItemFactory, PlatformFactory


def wait_for(predicate, timeout=60, what="the worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def family(netflix, squid_game, seedance):
    """Three copies of one picture on two platforms, grouped, and one unrelated item."""
    other = PlatformFactory(name="ClipForge")
    base = media.art(21)
    items = []
    for n, (image, platform, day) in enumerate(
        [
            (base, seedance, 3),
            (media.scaled(base), other, 9),
            (media.reencoded(base), seedance, 20),
        ]
    ):
        item = ItemFactory(
            rights_holder=netflix,
            franchise=squid_game,
            platform=platform,
            title=f"Red light copy {n}",
            first_seen=f"2026-02-{day:02d}",
        )
        with transaction.atomic():
            evidence = evidence_store.store(item, media.upload(image, f"copy{n}.png"))
        variants.process_evidence(evidence.pk)
        items.append(item)
    loner = ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance)
    for item in items:
        item.refresh_from_db()
    return items, loner


@pytest.mark.django_db
def test_the_group_page_lists_its_items_platforms_and_dates(app, viewer, family):
    items, loner = family
    group = items[0].variant_group
    page = app.get(group.get_absolute_url(), user=viewer)
    assert page.html.select_one("#group-count").text == "3"
    listed = [a.text for a in page.html.select("#group-items tbody tr td:nth-of-type(2) > a")]
    assert listed == ["Red light copy 0", "Red light copy 1", "Red light copy 2"]
    platforms = {
        row.select("td")[0].text: row.select("td")[2].text
        for row in page.html.select("#group-platforms tbody tr")
    }
    assert platforms == {"Seedance 2.0": "2", "ClipForge": "1"}
    assert page.html.select_one("#group-first-seen").text == "2026-02-03"
    assert page.html.select_one("#group-last-seen").text.startswith("2026-02-20")
    assert loner.title not in page.text


@pytest.mark.django_db
def test_another_holders_group_is_a_404(app, outsider, family):
    group = family[0][0].variant_group
    app.get(group.get_absolute_url(), user=outsider, status=404)


@pytest.mark.django_db
def test_the_item_page_names_its_group(app, legal, family):
    items, loner = family
    group = items[1].variant_group
    page = app.get(items[1].get_absolute_url(), user=legal)
    link = page.html.select_one("#variant-group a")
    assert link["href"] == group.get_absolute_url() and link.text == group.reference
    page = app.get(loner.get_absolute_url(), user=legal)
    assert "No near-duplicates found" in page.html.select_one("#variant-group").text


@pytest.mark.django_db
def test_the_item_list_filters_and_counts_by_group(app, legal, outsider, family):
    items, loner = family
    group = items[0].variant_group
    form = app.get("/items/", user=legal).forms["item-filters"]
    form["variant_group"] = group.reference
    page = form.submit()
    shown = {a.text for a in page.html.select("table.items tbody td:nth-of-type(3) > a")}
    assert shown == {item.title for item in items}
    assert "3 URLs, one distinct infringement" in page.html.select_one("#variant-count").text

    form = app.get("/items/", user=legal).forms["item-filters"]
    form["variant_group"] = "not a group"
    page = form.submit()
    assert "Enter a variant group reference such as NFLX-V12." in page.text
    assert not page.html.select("table.items tbody input[name=items]")

    # The outsider's list never shows another holder's group, even named exactly.
    form = app.get("/items/", user=outsider).forms["item-filters"]
    form["variant_group"] = group.reference
    page = form.submit()
    assert not page.html.select("table.items tbody input[name=items]")


@pytest.mark.django_db(transaction=True)
def test_evidence_uploaded_on_the_page_is_grouped_by_the_worker(
    app, legal, netflix, squid_game, seedance, celery_worker_real
):
    first = ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance)
    with transaction.atomic():
        stored = evidence_store.store(first, media.upload(media.art(8), "orig.png"))
    variants.process_evidence(stored.pk)
    second = ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance)

    form = app.get(second.get_absolute_url(), user=legal).forms["evidence-add"]
    form["evidence"] = [
        (
            "copy.jpg",
            media.upload(media.cropped(media.art(8)), "copy.jpg", "JPEG").read(),
            "image/jpeg",
        )
    ]
    form.submit().follow()

    wait_for(lambda: EvidenceHash.objects.filter(item=second).exists(), what="the hashing")
    wait_for(lambda: VariantGroup.objects.filter(items=second).exists(), what="the grouping")
    group = VariantGroup.objects.get()
    assert set(group.items.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert group.item_count == 2
