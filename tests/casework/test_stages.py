"""The stage machine: every allowed and refused transition, events, and row locking."""

import threading
import time

import pytest
from django.db import transaction

from casework import stages
from casework.choices import EventSource, Stage
from casework.models import StageEvent
from tests.factories import ItemFactory

ALL_PAIRS = [(a, b) for a in Stage.values for b in Stage.values if a != b]
ALLOWED = {
    (Stage.IDENTIFIED, Stage.NOTIFIED),
    (Stage.IDENTIFIED, Stage.DISMISSED),
    (Stage.NOTIFIED, Stage.REMOVED),
    (Stage.NOTIFIED, Stage.DISMISSED),
    (Stage.REMOVED, Stage.CEASED),
    (Stage.REMOVED, Stage.NOTIFIED),
    (Stage.REMOVED, Stage.DISMISSED),
    (Stage.CEASED, Stage.NOTIFIED),
}


def item_in(stage):
    item = ItemFactory()
    type(item).objects.filter(pk=item.pk).update(stage=stage)
    item.refresh_from_db()
    return item


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_allowed_transition_moves_and_records(source, target, legal):
    item = item_in(source)
    event = stages.transition(item, target, by=legal, reason="checked by hand")
    item.refresh_from_db()
    assert item.stage == target
    assert (event.from_stage, event.to_stage, event.by, event.reason) == (
        source,
        target,
        legal,
        "checked by hand",
    )
    assert StageEvent.objects.filter(item=item).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), sorted(set(ALL_PAIRS) - ALLOWED))
def test_refused_transition_names_item_stage_and_target(source, target):
    item = item_in(source)
    with pytest.raises(stages.TransitionError) as err:
        stages.transition(item, target, reason="why not")
    message = str(err.value)
    assert item.reference in message
    assert Stage(source).label.lower() in message
    assert Stage(target).label.lower() in message
    item.refresh_from_db()
    assert item.stage == source
    assert not StageEvent.objects.filter(item=item).exists()


@pytest.mark.django_db
def test_same_stage_is_refused():
    item = item_in(Stage.NOTIFIED)
    with pytest.raises(stages.TransitionError):
        stages.transition(item, Stage.NOTIFIED)


@pytest.mark.django_db
def test_dismissal_needs_a_reason():
    item = item_in(Stage.IDENTIFIED)
    with pytest.raises(stages.TransitionError, match="needs a reason"):
        stages.transition(item, Stage.DISMISSED, reason="  ")
    stages.transition(item, Stage.DISMISSED, reason="Licensed")
    assert item.dismissal_reason == "Licensed"


@pytest.mark.django_db
@pytest.mark.parametrize("source", [Stage.REMOVED, Stage.CEASED])
def test_relapse_is_counted(source):
    item = item_in(source)
    stages.transition(item, Stage.NOTIFIED, source=EventSource.CHECK, reason="live again")
    assert item.relapse_count == 1
    assert item.stage == Stage.NOTIFIED


@pytest.mark.django_db
def test_allowed_targets_follow_the_table():
    assert stages.allowed_targets(Stage.IDENTIFIED) == [Stage.NOTIFIED, Stage.DISMISSED]
    assert stages.allowed_targets(Stage.DISMISSED) == []


@pytest.mark.django_db
def test_bulk_transition_is_all_or_nothing():
    ok = item_in(Stage.IDENTIFIED)
    refused = item_in(Stage.CEASED)
    with pytest.raises(stages.BulkTransitionError) as err:
        stages.transition_many([ok.pk, refused.pk], Stage.DISMISSED, reason="x")
    assert refused.reference in str(err.value)
    ok.refresh_from_db()
    assert ok.stage == Stage.IDENTIFIED
    assert not StageEvent.objects.exists()


@pytest.mark.django_db
def test_bulk_transition_can_move_the_ones_that_can_and_say_why_not_the_others():
    ok = item_in(Stage.NOTIFIED)
    dismissed = item_in(Stage.DISMISSED)
    there = item_in(Stage.REMOVED)
    moved = stages.transition_many(
        [ok.pk, dismissed.pk, there.pk], Stage.REMOVED, reason="x", skip_refused=True
    )
    assert [e.item_id for e in moved.events] == [ok.pk]
    assert [(r.item.pk, r.why) for r in moved.refused] == [
        (dismissed.pk, "is dismissed"),
        (there.pk, "is already removed"),
    ]
    assert moved.summary() == (
        f"Moved 1 item to removed; 2 could not move: {dismissed.reference} is dismissed, "
        f"{there.reference} is already removed."
    )


def test_why_not_follows_the_table():
    assert stages.why_not(Stage.IDENTIFIED, Stage.NOTIFIED) == ""
    assert stages.why_not(Stage.CEASED, Stage.REMOVED) == (
        "is ceased: it can move only to notified"
    )
    assert stages.why_not(Stage.DISMISSED, Stage.NOTIFIED) == "is dismissed"


@pytest.mark.django_db
def test_a_summary_names_ten_refused_items_and_counts_the_rest():
    refused = [stages.Refused(item_in(Stage.DISMISSED), "is dismissed") for _ in range(12)]
    summary = stages.BulkMove(Stage.NOTIFIED, [], refused).summary()
    assert summary.startswith("Moved 0 items to notified; 12 could not move: ")
    assert summary.count("is dismissed") == 10 and summary.endswith(" and 2 more.")


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_one_wins_the_other_gets_a_clear_error():
    """Two connections move the same item: the second waits for the row lock, then
    sees the new stage and is refused. Exactly one event is written."""
    item = ItemFactory()
    outcome = {}

    def second_person():
        try:
            stages.transition(item.pk, Stage.NOTIFIED, reason="second")
            outcome["result"] = "moved"
        except stages.TransitionError as exc:
            outcome["result"] = str(exc)
        finally:
            from django.db import connections

            connections.close_all()

    with transaction.atomic():
        stages.transition(item.pk, Stage.NOTIFIED, reason="first")
        other = threading.Thread(target=second_person)
        other.start()
        time.sleep(0.5)
        assert other.is_alive(), "the second transition should wait for the row lock"
    other.join(timeout=10)

    assert "is notified and cannot move to notified" in outcome["result"]
    events = StageEvent.objects.filter(item=item)
    assert events.count() == 1
    assert events.get().reason == "first"
