"""An outsider (Warner legal staff) gets 404 on every Netflix item and evidence URL,
sees no Netflix names anywhere, and can neither change nor export Netflix data."""

import re

import pytest
from django.urls import reverse

from casework import evidence
from casework.choices import Stage
from casework.models import Evidence, InfringingItem
from tests.casework.test_evidence import png_upload
from tests.factories import ItemFactory

NETFLIX_NAMES = ["Netflix, Inc.", "Squid Game", "Young-hee doll", "Doll turns around"]


@pytest.fixture
def netflix_item(netflix, squid_game, doll, seedance, legal):
    item = ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        elements=[doll],
        title="Doll turns around",
    )
    evidence.store(item, png_upload(), by=legal)
    return item


@pytest.fixture
def ev(netflix_item):
    return Evidence.objects.get(item=netflix_item)


def item_urls(item, ev):
    return [
        ("get", reverse("casework:item-detail", args=[item.pk])),
        ("post", reverse("casework:item-transition", args=[item.pk])),
        ("post", reverse("casework:evidence-add", args=[item.pk])),
        ("get", reverse("casework:evidence-download", args=[ev.pk])),
    ]


@pytest.mark.django_db
def test_outsider_gets_404_on_every_item_and_evidence_url(outsider_client, netflix_item, ev):
    for method, url in item_urls(netflix_item, ev):
        data = {"target": Stage.NOTIFIED, "note": "x"} if method == "post" else {}
        response = getattr(outsider_client, method)(url, data)
        assert response.status_code == 404, url
    netflix_item.refresh_from_db()
    assert netflix_item.stage == Stage.IDENTIFIED
    assert Evidence.objects.count() == 1


@pytest.mark.django_db
def test_404_looks_the_same_as_for_an_item_that_does_not_exist(outsider_client, netflix_item):
    existing = outsider_client.get(reverse("casework:item-detail", args=[netflix_item.pk]))
    missing = outsider_client.get(reverse("casework:item-detail", args=[netflix_item.pk + 999]))
    assert existing.status_code == missing.status_code == 404
    # The 404 page is in the app's layout, whose sign-out form carries a CSRF token that
    # Django masks afresh on every response: the only difference allowed.
    assert _unmasked(existing.content) == _unmasked(missing.content)
    assert b"We can't find that page" in existing.content


def _unmasked(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


@pytest.mark.django_db
def test_outsider_sees_no_netflix_names_on_any_page(outsider_client, netflix_item, warner):
    ItemFactory(rights_holder=warner, title="Batmobile chase")
    pages = [
        reverse("casework:item-list"),
        reverse("casework:item-create"),
        reverse("casework:element-options"),
        reverse("casework:element-options") + f"?franchise={netflix_item.franchise_id}",
    ]
    for url in pages:
        html = outsider_client.get(url).content.decode()
        for name in NETFLIX_NAMES:
            assert name not in html, (url, name)
    assert "Batmobile chase" in outsider_client.get(pages[0]).content.decode()


@pytest.mark.django_db
def test_outsider_cannot_filter_their_way_to_netflix_items(outsider_client, netflix_item):
    response = outsider_client.get(
        reverse("casework:item-list"),
        {"franchise": netflix_item.franchise_id, "q": "Doll"},
    )
    assert len(response.context["page"]) == 0
    assert "franchise" in response.context["filter"].errors


@pytest.mark.django_db
def test_outsider_cannot_export_netflix_items(outsider_client, netflix_item):
    url = reverse("casework:item-export")
    by_filter = b"".join(outsider_client.get(url, {"q": "Doll"}).streaming_content).decode()
    by_selection = b"".join(
        outsider_client.post(url, {"items": [netflix_item.pk]}).streaming_content
    ).decode()
    for body in (by_filter, by_selection):
        assert body.count("\n") == 1  # the header row only
        assert "Doll turns around" not in body


@pytest.mark.django_db
def test_outsider_cannot_bulk_move_netflix_items(outsider_client, netflix_item):
    response = outsider_client.post(
        reverse("casework:item-bulk-stage"),
        {"items": [netflix_item.pk], "target": Stage.NOTIFIED, "note": "x"},
        follow=True,
    )
    assert "not yours" in response.content.decode()
    netflix_item.refresh_from_db()
    assert netflix_item.stage == Stage.IDENTIFIED


@pytest.mark.django_db
def test_outsider_cannot_log_an_item_under_a_netflix_franchise(
    outsider_client, netflix_item, seedance
):
    response = outsider_client.post(
        reverse("casework:item-create"),
        {
            "franchise": netflix_item.franchise_id,
            "platform": seedance.pk,
            "url": "https://seedance.example/new",
            "title": "x",
            "content_kind": "video",
            "conduct": "recreation",
            "theory": "direct",
            "first_seen": "2026-02-14",
        },
    )
    assert "franchise" in response.context["form"].errors
    assert InfringingItem.objects.count() == 1


@pytest.mark.django_db
def test_user_without_any_holder_sees_nothing(client, netflix_item):
    from tests.factories import UserFactory

    lonely = UserFactory(username="lonely", role="Legal staff")
    client.force_login(lonely)
    response = client.get(reverse("casework:item-list"))
    assert len(response.context["page"]) == 0
    assert client.get(reverse("casework:item-detail", args=[netflix_item.pk])).status_code == 404
