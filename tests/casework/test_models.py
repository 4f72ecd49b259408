"""Constraints live in the database, not only in forms."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from casework.models import Evidence, InfringingItem
from tests.factories import ItemFactory


@pytest.mark.django_db
def test_duplicate_normalised_url_is_refused_with_a_clear_message(netflix):
    first = ItemFactory(rights_holder=netflix, url="https://www.tiktok.com/@u/video/1")
    dup = InfringingItem(
        rights_holder=netflix,
        franchise=first.franchise,
        platform=first.platform,
        url="HTTPS://www.TikTok.com:443/@u/video/1/?utm_source=x",
        title="copy",
        content_kind="video",
        conduct="recreation",
        first_seen=first.first_seen,
        normalized_url="https://www.tiktok.com/@u/video/1",
    )
    with pytest.raises(ValidationError) as err:
        dup.validate_constraints()
    assert "already logged for this rights holder" in str(err.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        dup.save()


@pytest.mark.django_db
def test_same_url_allowed_for_another_rights_holder(netflix, warner):
    ItemFactory(rights_holder=netflix, url="https://x.example/a")
    ItemFactory(rights_holder=warner, url="https://x.example/a")
    assert InfringingItem.objects.filter(normalized_url="https://x.example/a").count() == 2


@pytest.mark.django_db
def test_stage_choice_checked_by_database():
    item = ItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InfringingItem.objects.filter(pk=item.pk).update(stage="vanished")


@pytest.mark.django_db
def test_conduct_choice_checked_by_database():
    item = ItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InfringingItem.objects.filter(pk=item.pk).update(conduct="borrowing")


@pytest.mark.django_db
def test_evidence_is_never_edited_or_deleted():
    item = ItemFactory()
    ev = Evidence.objects.create(
        item=item,
        file="evidence/x.png",
        original_name="x.png",
        content_type="image/png",
        size=3,
        sha256="0" * 64,
    )
    ev.note = "changed"
    with pytest.raises(ValueError, match="never edited"):
        ev.save()
    with pytest.raises(ValueError, match="never deleted"):
        ev.delete()


@pytest.mark.django_db
def test_for_user_scopes_to_membership(netflix, warner, legal, outsider):
    mine = ItemFactory(rights_holder=netflix)
    theirs = ItemFactory(rights_holder=warner)
    assert list(InfringingItem.objects.for_user(legal)) == [mine]
    assert list(InfringingItem.objects.for_user(outsider)) == [theirs]
