"""Drafting demands: one rights holder, respondent, remedies, references under concurrency."""

import threading

import pytest
from django.db import connection

from casework.choices import Stage
from casework.models import Respondent
from casework.stages import transition
from notices import drafting
from notices.choices import STANDARD_REMEDIES, DemandStatus
from notices.models import Demand, DemandEvent
from tests.factories import ItemFactory, PlatformFactory, RespondentFactory


def test_draft_from_items(legal, items, netflix):
    demand = drafting.draft_demand(legal, [i.pk for i in items], paragraphs="Since February…")
    year = netflix.today().year
    assert demand.reference == f"NFLX-{year}-0001"
    assert demand.status == DemandStatus.DRAFT
    assert demand.respondent.name == "ByteDance Ltd."  # derived from Seedance 2.0
    assert demand.response_days == netflix.response_days
    assert demand.prepared_by == legal
    assert set(demand.items.all()) == set(items)
    assert [(r.kind, r.text) for r in demand.remedies.all()] == [
        (kind.value, text) for kind, text in STANDARD_REMEDIES
    ]
    assert DemandEvent.objects.get(demand=demand).action == "created"


def test_items_of_two_rights_holders_are_refused(legal, items, warner, netflix):
    warner.members.add(legal)
    foreign = ItemFactory(rights_holder=warner)
    with pytest.raises(drafting.DraftingError, match="one rights holder"):
        drafting.draft_demand(legal, [items[0].pk, foreign.pk])
    assert not Demand.objects.exists()


def test_items_the_user_cannot_see_are_unknown(legal, items, warner):
    foreign = ItemFactory(rights_holder=warner)
    with pytest.raises(drafting.DraftingError, match=f"No such item: {foreign.pk}"):
        drafting.draft_demand(legal, [items[0].pk, foreign.pk])


def test_several_respondents_need_a_choice(legal, items, netflix):
    other = PlatformFactory(name="ClipHost", respondent=RespondentFactory(name="ClipHost LLC"))
    hosted = ItemFactory(rights_holder=netflix, platform=other)
    with pytest.raises(drafting.DraftingError, match="different respondents"):
        drafting.draft_demand(legal, [items[0].pk, hosted.pk])
    chosen = Respondent.objects.get(name="ByteDance Ltd.")
    demand = drafting.draft_demand(legal, [items[0].pk, hosted.pk], respondent=chosen)
    assert demand.respondent == chosen


def test_dismissed_items_and_viewers_are_refused(legal, viewer, items):
    transition(items[0], Stage.DISMISSED, by=legal, reason="Licensed")
    with pytest.raises(drafting.DraftingError, match="Dismissed"):
        drafting.draft_demand(legal, [items[0].pk])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        drafting.draft_demand(viewer, [items[1].pk])


def test_parse_ids():
    assert drafting.parse_ids(["3", "4,5", " ", "3"]) == [3, 4, 5]
    with pytest.raises(drafting.DraftingError, match="not an item id"):
        drafting.parse_ids(["3", "x"])


def test_remedies_are_editable_removable_addable(legal, draft):
    first, second, *_ = draft.remedies.all()
    drafting.edit_remedy(legal, first, text="Stop generating Squid Game content.")
    drafting.remove_remedy(legal, second)
    added = drafting.add_remedy(legal, draft, text="Preserve all logs of the prompts used.")
    texts = list(draft.remedies.values_list("position", "text"))
    assert texts[0] == (1, "Stop generating Squid Game content.")
    assert [p for p, _ in texts] == [1, 2, 3, 4]
    assert added.position == 4
    actions = list(DemandEvent.objects.filter(demand=draft).values_list("action", flat=True))
    assert actions == ["created", "remedy edited", "remedy removed", "remedy added"]


def test_add_items_only_to_a_draft(legal, manager, draft, netflix, seedance, items):
    extra = ItemFactory(
        rights_holder=netflix,
        platform=seedance,
        franchise=items[0].franchise,
        elements=list(items[0].elements.all()),
    )
    assert drafting.add_items(legal, draft, [extra.pk, items[0].pk]) == 1
    assert drafting.add_items(legal, draft, [extra.pk]) == 0  # a repeat adds nothing
    assert draft.items.count() == 4
    from notices import workflow

    workflow.perform(draft, "submit", by=legal)
    with pytest.raises(drafting.DraftingError, match="only a draft"):
        drafting.add_items(legal, draft, [ItemFactory(rights_holder=netflix).pk])


@pytest.mark.django_db(transaction=True)
def test_references_are_gapless_under_concurrent_drafting(legal, netflix, seedance):
    items = [ItemFactory(rights_holder=netflix, platform=seedance) for _ in range(8)]
    barrier = threading.Barrier(8)
    references, errors = [], []

    def draft_one(item):
        try:
            barrier.wait()
            references.append(drafting.draft_demand(legal, [item.pk]).reference)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draft_one, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    year = netflix.today().year
    assert sorted(references) == [f"NFLX-{year}-{n:04d}" for n in range(1, 9)]


@pytest.mark.django_db(transaction=True)
def test_a_failed_draft_gives_its_number_back(legal, netflix, seedance):
    item = ItemFactory(rights_holder=netflix, platform=seedance)
    with pytest.raises(drafting.DraftingError):
        drafting.draft_demand(legal, [item.pk], response_days=0)
    demand = drafting.draft_demand(legal, [item.pk])
    assert demand.number == 1
