"""Evidence: type and size limits with errors naming the field, SHA-256, storage, downloads."""

import hashlib
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from webtest import Upload

from casework import evidence
from casework.models import Evidence
from tests.factories import ItemFactory


def png_bytes(width=2, height=2) -> bytes:
    """A real, valid PNG image."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def png_upload(name="screenshot.png", content=None):
    return SimpleUploadedFile(name, content or png_bytes(), content_type="image/png")


@pytest.fixture
def item(netflix, squid_game, seedance):
    return ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance)


def add_url(item):
    return reverse("casework:evidence-add", args=[item.pk])


def add_form(app, user, item):
    """The item page's "Add evidence" form, as rendered."""
    return app.get(reverse("casework:item-detail", args=[item.pk]), user=user).forms["evidence-add"]


@pytest.mark.django_db
def test_added_evidence_is_hashed_and_stored_through_default_storage(app, legal, item):
    content = png_bytes(40, 40)
    form = add_form(app, legal, item)
    form["evidence"] = [Upload("screenshot.png", content, "image/png")]
    form["note"] = "full page"
    response = form.submit()
    assert response.status_code == 302
    ev = Evidence.objects.get(item=item)
    assert ev.sha256 == hashlib.sha256(content).hexdigest()
    assert ev.size == len(content)
    assert ev.content_type == "image/png"
    assert ev.captured_by == legal
    assert ev.note == "full page"
    assert ev.original_name == "screenshot.png"
    assert ev.file.name.startswith(f"evidence/{item.rights_holder_id}/{item.pk}/")
    with default_storage.open(ev.file.name, "rb") as stored:
        assert stored.read() == content


@pytest.mark.django_db
def test_hash_is_computed_over_every_chunk_of_a_large_file(settings, item, legal):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    content = b"%PDF-1.7\n" + bytes(range(256)) * 12_000  # about 3 MB: many 64 KiB chunks
    upload = SimpleUploadedFile("page.pdf", content, content_type="application/pdf")
    ev = evidence.store(item, upload, by=legal)
    assert ev.sha256 == hashlib.sha256(content).hexdigest()
    assert ev.size == len(content)


@pytest.mark.django_db
def test_contents_that_lie_about_their_type_are_refused(app, legal, item):
    form = add_form(app, legal, item)
    form["evidence"] = [Upload("shot.png", b"<html><script>alert(1)</script>", "image/png")]
    response = form.submit(status=400)
    assert "its contents are not" in response.context["evidence_form"].errors["evidence"][0]
    assert "<script>alert(1)" not in response.text
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_empty_file_is_refused(app, legal, item):
    form = add_form(app, legal, item)
    form["evidence"] = [Upload("e.png", b"", "image/png")]
    response = form.submit(status=400)
    assert "evidence" in response.context["evidence_form"].errors
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_generic_type_is_guessed_from_the_name(item, legal):
    upload = SimpleUploadedFile("shot.png", png_bytes(), content_type="application/octet-stream")
    assert evidence.validate_upload(upload) == "image/png"


@pytest.mark.django_db
def test_download_is_an_attachment_with_nosniff(legal_client, item, legal):
    content = png_bytes()
    ev = evidence.store(item, png_upload(content=content), by=legal)
    response = legal_client.get(reverse("casework:evidence-download", args=[ev.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert "screenshot.png" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == content


@pytest.mark.django_db
def test_evidence_can_be_neither_edited_nor_deleted(item, legal):
    ev = evidence.store(item, png_upload(), by=legal)
    ev.note = "changed"
    with pytest.raises(ValueError, match="never edited"):
        ev.save()
    with pytest.raises(ValueError, match="never deleted"):
        ev.delete()


@pytest.mark.django_db
def test_viewer_cannot_add_evidence(viewer_client, item):
    response = viewer_client.post(add_url(item), {"evidence": png_upload()})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_there_is_no_url_to_change_or_delete_evidence(legal_client, item, legal):
    ev = evidence.store(item, png_upload(), by=legal)
    download = reverse("casework:evidence-download", args=[ev.pk])
    assert legal_client.post(download).status_code == 405
    assert legal_client.delete(download).status_code == 405
    assert Evidence.objects.filter(pk=ev.pk).exists()
