"""The item list's search (casework/search.py): words in any order and field, the
web-search syntax, fragments and references; ranking, highlights, the count, sorting
by every column, and ranked pages that stop where the page says they do."""

import re

import pytest
from django.urls import reverse

from casework import counting, search
from casework.models import InfringingItem
from tests.factories import FranchiseFactory, ItemFactory, PlatformFactory, RespondentFactory

LIST = reverse("casework:item-list")


@pytest.fixture
def corpus(netflix, warner, squid_game, seedance):
    bridgerton = FranchiseFactory(rights_holder=netflix, name="Bridgerton")
    other = PlatformFactory(name="Vidu", respondent=RespondentFactory(name="Acme Models Ltd."))

    def item(key, title, description="", url=None, **kwargs):
        kwargs.setdefault("rights_holder", netflix)
        kwargs.setdefault("franchise", squid_game)
        kwargs.setdefault("platform", seedance)
        extra = {"url": url} if url else {}
        return key, ItemFactory(title=title, description=description, **extra, **kwargs)

    return dict(
        [
            # The words of "squid game ballroom" are in the title, in another order.
            item(
                "finale",
                "Ballroom finale of Squid Game, season 2",
                "The ballroom scene, with the Young-hee doll watching.",
            ),
            item("doll", "Young-hee doll in the Red Light set", "A giant doll turns around."),
            item(
                "bridgerton",
                "Bridgerton ballroom dance",
                "Regency ballroom dancing, scene by scene.",
                franchise=bridgerton,
                platform=other,
            ),
            item(
                "hawkins-desc",
                "Lab corridor",
                "The corridor of the Hawkins lab, frame by frame.",
            ),
            item(
                "hawkins-title",
                "Hawkins lab recreated",
                url="https://seedance.example/v/7f3a9c/hawkins",
            ),
            # Warner's: the same words, never shown to Netflix's staff.
            item(
                "warner",
                "Squid Game ballroom scene doll",
                rights_holder=warner,
                franchise=FranchiseFactory(rights_holder=warner, name="Dune"),
            ),
        ]
    )


def _found(client, q, **params):
    response = client.get(LIST, {"q": q, **params})
    assert response.status_code == 200
    return response, [item.pk for item in response.context["page"]]


def _keys(corpus, pks):
    by_pk = {item.pk: key for key, item in corpus.items()}
    return [by_pk[pk] for pk in pks]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "q, expected",
    [
        ("squid game ballroom", {"finale"}),
        ('"ballroom scene"', {"finale"}),  # the phrase, words adjacent: not "ballroom dance"
        ("doll -ballroom", {"doll"}),  # the finale has a doll too, and a ballroom
        ("squid or bridgerton", {"finale", "bridgerton"}),
        ("ballrooms", {"finale", "bridgerton"}),  # stemmed
        ("ballr", {"finale", "bridgerton"}),  # a fragment of a title (trigram)
        ("/v/7f3a9c", {"hawkins-title"}),  # a fragment of a URL
    ],
)
def test_search_finds_words_phrases_exclusions_alternatives_and_fragments(
    legal_client, corpus, q, expected
):
    _, pks = _found(legal_client, q)
    assert set(_keys(corpus, pks)) == expected


@pytest.mark.django_db
def test_a_reference_finds_its_item_and_only_in_its_own_holder(legal_client, corpus):
    finale, warner = corpus["finale"], corpus["warner"]
    _, pks = _found(legal_client, f"NFLX-I{finale.pk}")
    assert pks == [finale.pk]
    _, pks = _found(legal_client, f"nflx-i{finale.pk}")
    assert pks == [finale.pk]
    # Another holder's reference, or Netflix's code on Warner's number: nothing.
    assert _found(legal_client, f"WBEI-I{warner.pk}")[1] == []
    assert _found(legal_client, f"NFLX-I{warner.pk}")[1] == []


@pytest.mark.django_db
def test_results_are_ranked_title_before_description_then_newest(legal_client, corpus):
    _, pks = _found(legal_client, "hawkins")
    assert _keys(corpus, pks) == ["hawkins-title", "hawkins-desc"]
    response, _ = _found(legal_client, "hawkins", sort="-logged")
    assert _keys(corpus, [i.pk for i in response.context["page"]]) == [
        "hawkins-title",  # logged last
        "hawkins-desc",
    ]
    response, _ = _found(legal_client, "hawkins", sort="-title")
    assert _keys(corpus, [i.pk for i in response.context["page"]]) == [
        "hawkins-desc",  # "Lab corridor"
        "hawkins-title",
    ]


@pytest.mark.django_db
def test_matched_words_are_highlighted_and_everything_is_escaped(legal_client, corpus, netflix):
    ItemFactory(
        rights_holder=netflix,
        franchise=corpus["finale"].franchise,
        title="<script>alert(1)</script> ballroom & doll",
    )
    html = _found(legal_client, "ballroom")[0].content.decode()
    assert "<mark>Ballroom</mark> finale of Squid Game, season 2" in html
    html = _found(legal_client, "alert")[0].content.decode()
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; ballroom &amp; doll" in html
    assert "<script>alert" not in html


def test_highlighter_marks_words_not_operators():
    mark = search.highlighter('squid or "ballroom scene" -doll')
    assert str(mark("Squid ballroom, doll <b>scene</b>")) == (
        "<mark>Squid</mark> <mark>ballroom</mark>, doll &lt;b&gt;<mark>scene</mark>&lt;/b&gt;"
    )
    assert str(search.highlighter("")("<i>")) == "&lt;i&gt;"


@pytest.mark.django_db
def test_the_count_is_exact_then_estimated(legal_client, corpus, monkeypatch):
    response = legal_client.get(LIST, {"q": "ballroom"})
    assert re.search(r'id="item-count">2 items, by relevance', response.content.decode())
    assert legal_client.get(LIST).context["count"] == counting.Count(5, exact=True)
    monkeypatch.setattr(counting, "EXACT_UP_TO", 3)
    # A filter the rollups are not keyed by: past the cap, the planner's estimate.
    response = legal_client.get(LIST, {"content_kind": "video"})
    count = response.context["count"]
    assert not count.exact and count.value >= 4
    assert f"about {count.value:,} items (estimated)" in response.content.decode()
    # Only rollup keys (here none): exact from the rollups, whatever the cap.
    assert legal_client.get(LIST).context["count"] == counting.Count(5, exact=True)
    # A ranked search reads every match to rank them, and counts them in that same
    # statement: exact past the cap, on a page past the last match too.
    for page in (1, 2):
        response = legal_client.get(LIST, {"q": "ballroom or doll or lab", "page": page})
        assert response.context["count"] == counting.Count(5, exact=True)
        assert len(response.context["page"]) == (5 if page == 1 else 0)
        assert 'id="item-count">5 items, by relevance' in response.content.decode()


def test_an_estimate_is_rounded_to_three_figures():
    assert counting.Count(counting._round(412_345), exact=False).label == "about 412,000 items"
    assert counting.Count(1, exact=True).label == "1 item"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sort, first",
    [
        ("respondent", "bridgerton"),  # Acme Models Ltd. before ByteDance Ltd.
        ("-respondent", "hawkins-title"),  # ByteDance, newest id first on the tie
        ("ref", "finale"),
        ("-ref", "hawkins-title"),
        ("franchise", "bridgerton"),
    ],
)
def test_every_column_sorts_and_says_so(legal_client, corpus, sort, first):
    response = legal_client.get(LIST, {"sort": sort})
    assert _keys(corpus, [i.pk for i in response.context["page"]])[0] == first
    html = response.content.decode()
    direction = "descending" if sort.startswith("-") else "ascending"
    assert html.count(f'aria-sort="{direction}"') == 1
    # Every column header but the checkbox is a sort link.
    assert html.count('<th scope="col" aria-sort=') == 8
    assert ">Acme Models Ltd.</a></td>" in html, "the respondent column, linked to its scorecard"


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["respondent", "-ref"])
def test_a_column_sort_pages_every_row_once(
    legal_client, netflix, squid_game, seedance, sort, monkeypatch
):
    """Keyset paging on (respondent name, id): ties across pages are neither lost nor
    repeated."""
    from casework import views

    monkeypatch.setattr(views, "PAGE_SIZES", (4,))
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    other = PlatformFactory(name="Vidu", respondent=RespondentFactory(name="Acme Models Ltd."))
    ItemFactory.create_batch(7, rights_holder=netflix, franchise=squid_game, platform=seedance)
    ItemFactory.create_batch(6, rights_holder=netflix, franchise=squid_game, platform=other)
    seen, params = [], {"sort": sort}
    while True:
        page = legal_client.get(LIST, params).context["page"]
        seen += [i.pk for i in page]
        if not page.has_next:
            break
        params["after"] = page.next_cursor
    assert len(seen) == len(set(seen)) == 13
    items = InfringingItem.objects.select_related("platform__respondent").in_bulk(seen)
    keys = [(items[pk].platform.respondent.name, pk) if sort == "respondent" else pk for pk in seen]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


@pytest.mark.django_db
def test_ranked_pages_stop_at_the_limit_and_say_so(
    legal_client, netflix, squid_game, seedance, monkeypatch
):
    monkeypatch.setattr(search, "RANKED_PAGES", 2)
    ItemFactory.create_batch(
        60, rights_holder=netflix, franchise=squid_game, platform=seedance, title="Doll clip"
    )
    first = legal_client.get(LIST, {"q": "doll", "size": 25})
    assert first.context["page"].has_next and 'href="?q=doll&amp;size=25&amp;page=2"' in (
        first.content.decode()
    )
    last = legal_client.get(LIST, {"q": "doll", "size": 25, "page": 2})
    html = last.content.decode()
    assert not last.context["page"].has_next and 'rel="next"' not in html
    assert "Ranked results stop at page 2" in html
    seen = {i.pk for i in first.context["page"]} | {i.pk for i in last.context["page"]}
    assert len(seen) == 50
    # A page past the limit, or not a number, shows the last or first allowed page.
    assert legal_client.get(LIST, {"q": "doll", "page": 99}).context["page"].number == 2
    assert legal_client.get(LIST, {"q": "doll", "page": "x"}).context["page"].number == 1
    # Sorted by a column, the same 60 matches page by keyset to the end.
    sorted_page = legal_client.get(LIST, {"q": "doll", "size": 25, "sort": "-logged"})
    assert sorted_page.context["page"].has_next
    assert InfringingItem.objects.count() == 60


@pytest.mark.django_db
def test_the_admin_searches_items_the_same_way(client, corpus):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:casework_infringingitem_changelist")
    response = client.get(url, {"q": "squid game ballroom"})
    assert {i.pk for i in response.context["cl"].result_list} == {
        corpus["finale"].pk,
        corpus["warner"].pk,  # a superuser sees every holder's items
    }
