"""Correcting an item (forms submitted as rendered): who may, what the timeline records,
the URL rules shared with logging, and evidence staying append-only."""

import datetime as dt

import pytest
from django.urls import reverse

from casework.models import Evidence, InfringingItem, Platform
from tests.casework.test_evidence import png_bytes
from tests.factories import ItemFactory, PlatformFactory, ProtectedElementFactory
from tests.webforms import check, messages

pytestmark = pytest.mark.django_db


def edit_url(item):
    return reverse("casework:item-edit", args=[item.pk])


def timeline(page) -> str:
    return " ".join(page.html.select_one("#record-changes").get_text(" ").split())


@pytest.fixture
def item(netflix, squid_game, seedance, legal):
    return ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        url="https://seedance.example/share/doll-1",
        title="Doll clip",
        logged_by=legal,
        first_seen=dt.date(2026, 2, 14),
    )


def test_legal_staff_correct_fields_and_elements_and_the_timeline_names_them(
    app, legal, item, doll
):
    page = app.get(item.get_absolute_url(), user=legal)
    form = page.click("Edit item").forms["item-edit"]
    assert form["title"].value == "Doll clip" and form["first_seen"].value == "2026-02-14"
    form["title"] = "Young-hee doll turns around"
    check(form, "elements", doll.pk)
    form["note"] = "Named the doll after review"
    page = form.submit().follow()

    item.refresh_from_db()
    assert item.title == "Young-hee doll turns around" and list(item.elements.all()) == [doll]
    assert "Saved your changes to" in " ".join(messages(page))
    row = timeline(page)
    assert "nf-legal Changed" in row
    assert "Title: Doll clip → Young-hee doll turns around" in row
    assert "Protected elements: +Young-hee doll" in row and "Named the doll after review" in row
    # One history row for the edit (fields and elements together).
    assert item.history.count() == 2


def test_an_unchanged_form_saves_nothing(app, legal, item):
    page = app.get(edit_url(item), user=legal).forms["item-edit"].submit().follow()
    assert "Nothing changed." in messages(page) and item.history.count() == 1


def test_the_url_is_normalised_and_a_duplicate_is_refused_on_the_field(
    app, legal, item, netflix, squid_game
):
    other = ItemFactory(
        rights_holder=netflix, franchise=squid_game, url="https://seedance.example/share/x"
    )
    form = app.get(edit_url(item), user=legal).forms["item-edit"]
    form["url"] = "https://SEEDANCE.example/share/x?utm_source=mail#t=3"
    page = form.submit()
    error = page.html.select_one("#id_url_error")
    assert other.reference in error.get_text() and error.a["href"] == other.get_absolute_url()
    item.refresh_from_db()
    assert item.url == "https://seedance.example/share/doll-1"

    form = page.forms["item-edit"]
    form["url"] = "https://SEEDANCE.example/share/doll-1b?utm_source=mail"
    form.submit().follow()
    item.refresh_from_db()
    assert item.normalized_url == "https://seedance.example/share/doll-1b"


def test_a_future_first_seen_is_refused(app, legal, item):
    form = app.get(edit_url(item), user=legal).forms["item-edit"]
    form["first_seen"] = "2099-01-01"
    page = form.submit()
    assert "cannot be in the future" in page.html.select_one("#id_first_seen_error").get_text()
    item.refresh_from_db()
    assert item.first_seen == dt.date(2026, 2, 14)


def test_another_franchise_of_the_holder_is_offered_but_not_another_holders(
    app, legal, item, warner, netflix
):
    ProtectedElementFactory(franchise__rights_holder=netflix, franchise__name="Stranger Things")
    ProtectedElementFactory(franchise__rights_holder=warner, franchise__name="Superman")
    form = app.get(edit_url(item), user=legal).forms["item-edit"]
    labels = [label for _, _, label in form["franchise"].options]
    assert "Stranger Things" in labels and "Superman" not in labels


def test_evidence_is_not_on_the_edit_page_and_stays_as_uploaded(app, legal, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from casework import evidence as evidence_store

    upload = SimpleUploadedFile("shot.png", png_bytes(), "image/png")
    stored = evidence_store.store(item, upload, by=legal, note="", content_type="image/png")
    form = app.get(edit_url(item), user=legal).forms["item-edit"]
    assert "evidence" not in form.fields and "evidence_note" not in form.fields
    form["title"] = "Renamed"
    form.submit().follow()
    assert list(Evidence.objects.filter(item=item)) == [stored]
    assert Evidence.objects.get().sha256 == stored.sha256


def test_managers_edit_viewers_get_403_and_another_holder_404(app, manager, viewer, outsider, item):
    form = app.get(edit_url(item), user=manager).forms["item-edit"]
    form["description"] = "Seen by the manager"
    form.submit().follow()
    assert InfringingItem.objects.get().description == "Seen by the manager"
    app.get(edit_url(item), user=viewer, status=403)
    assert "Edit item" not in app.get(item.get_absolute_url(), user=viewer).text
    app.get(edit_url(item), user=outsider, status=404)


def test_a_platform_whose_hosts_miss_the_url_needs_a_reason_recorded_on_the_timeline(
    app, legal, item
):
    clipforge = PlatformFactory(name="ClipForge", hosts="clipforge.app\ncdn.clipforge.app")
    form = app.get(edit_url(item), user=legal).forms["item-edit"]
    form["platform"] = str(clipforge.pk)
    form["url"] = "https://www.tiktok.com/@someone/video/1"
    page = form.submit()
    warning = page.html.select_one("#id_platform_error").get_text()
    assert "www.tiktok.com is not one of ClipForge's hosts" in warning
    assert InfringingItem.objects.get().platform_id != clipforge.pk

    form = page.forms["item-edit"]
    form["platform_reason"] = "ClipForge embeds TikTok's player"
    page = form.submit().follow()
    assert InfringingItem.objects.get().platform_id == clipforge.pk
    assert "Platform ClipForge kept for host www.tiktok.com: ClipForge embeds" in timeline(page)


def test_an_edit_leaving_platform_and_url_alone_is_not_asked_about_hosts(app, legal, item):
    # The platform's hosts were listed after the item was logged on another host.
    Platform.objects.filter(pk=item.platform_id).update(hosts="seed.bytedance.example")
    form = app.get(edit_url(item), user=legal).forms["item-edit"]
    form["title"] = "Only the title"
    form.submit().follow()
    assert InfringingItem.objects.get().title == "Only the title"
