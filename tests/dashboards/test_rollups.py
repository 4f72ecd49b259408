"""The dashboard's rollups (casework/rollups.py: items, removals, removed items) equal an
independent computation from the rows after every kind of change: transitions, relapses,
dismissals, imports, item edits and deletions, concurrent transitions on real PostgreSQL,
and compaction."""

import contextlib
import datetime as dt
import io
import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from casework import imports, rollups, stages
from casework.choices import Stage
from casework.models import (
    InfringingItem,
    ItemRollup,
    RemovalRollup,
    RemovedItemRollup,
    StageEvent,
)
from casework.tasks.rollups import compact_rollups
from tests.casework.test_imports import make_csv, row
from tests.factories import FranchiseFactory, ItemFactory, PlatformFactory, ProtectedElementFactory


def monday(value: dt.datetime) -> dt.date:
    day = timezone.localtime(value).date()
    return day - dt.timedelta(days=day.weekday())


def expected() -> dict:
    """Every rollup and first time, from the items and events in plain Python."""
    items, removals, firsts = Counter(), Counter(), {}
    by_id = {i.pk: i for i in InfringingItem.objects.all()}
    for i in by_id.values():
        week = monday(i.created_at)
        items[(i.rights_holder_id, i.franchise_id, i.platform_id, i.stage, week)] += 1
        firsts[i.pk] = [None, None]
    for e in StageEvent.objects.all():
        i = by_id[e.item_id]
        slot = {Stage.NOTIFIED: 0, Stage.REMOVED: 1}.get(e.to_stage)
        if slot is not None and (firsts[i.pk][slot] is None or e.at < firsts[i.pk][slot]):
            firsts[i.pk][slot] = e.at
        if e.to_stage == Stage.REMOVED:
            removals[(i.rights_holder_id, i.franchise_id, i.platform_id, monday(e.at))] += 1
    removed = Counter()
    for pk, (notified_at, removed_at) in firsts.items():
        if removed_at is not None:
            i = by_id[pk]
            key = (i.rights_holder_id, i.franchise_id, i.platform_id, monday(i.created_at))
            removed[(*key, "items")] += 1
            removed[(*key, "notified")] += notified_at is not None
    removed = +removed  # zero counts dropped, as stored() drops them
    return {"items": items, "removals": removals, "firsts": firsts, "removed": removed}


def stored() -> dict:
    """The same, as the database keeps them (delta rows summed)."""
    key = ("rights_holder_id", "franchise_id", "platform_id")
    items = Counter(
        {
            (*(r[k] for k in key), r["stage"], r["week"]): r["n"]
            for r in ItemRollup.objects.values(*key, "stage", "week").annotate(n=Sum("items"))
            if r["n"]
        }
    )
    removals = Counter(
        {
            (*(r[k] for k in key), r["week"]): r["n"]
            for r in RemovalRollup.objects.values(*key, "week").annotate(n=Sum("removals"))
            if r["n"]
        }
    )
    removed = Counter()
    for r in RemovedItemRollup.objects.values(*key, "week").annotate(
        n=Sum("items"), nn=Sum("notified")
    ):
        removed[(*(r[k] for k in key), r["week"], "items")] = r["n"]
        removed[(*(r[k] for k in key), r["week"], "notified")] = r["nn"]
    firsts = {
        pk: [notified, removed]
        for pk, notified, removed in InfringingItem.objects.values_list(
            "pk", "first_notified_at", "first_removed_at"
        )
    }
    return {"items": items, "removals": removals, "firsts": firsts, "removed": +removed}


def assert_exact():
    want = expected()
    assert stored() == want
    # Compaction changes the rows, never the sums; afterwards one row per key.
    rollups.compact()
    assert stored() == want
    keys = ItemRollup.objects.values("rights_holder_id", "franchise_id", "platform_id", "stage",
                                     "week")  # fmt: skip
    assert keys.count() == len(want["items"])
    assert RemovalRollup.objects.count() == len(want["removals"])
    assert RemovedItemRollup.objects.count() == len({k[:4] for k in want["removed"]})
    return want


NOW = timezone.make_aware(dt.datetime(2026, 6, 17, 12, 0))


@pytest.fixture
def world(netflix, warner, squid_game, seedance):
    other_franchise = FranchiseFactory(rights_holder=netflix, name="Bridgerton")
    other_platform = PlatformFactory(name="Clipforge")
    items = []
    for n in range(6):
        item = ItemFactory(
            rights_holder=netflix,
            franchise=squid_game if n % 2 else other_franchise,
            platform=seedance if n < 3 else other_platform,
        )
        InfringingItem.objects.filter(pk=item.pk).update(
            created_at=NOW - dt.timedelta(days=10 * n, hours=n)
        )
        items.append(item.pk)
    wb = ItemFactory(rights_holder=warner, platform=seedance)
    return {"items": items, "warner_item": wb.pk, "franchise": other_franchise,
            "platform": other_platform}  # fmt: skip


@pytest.mark.django_db
def test_rollups_follow_transitions_relapses_and_dismissals(world):
    a, b, c, d, e, f = world["items"]
    assert_exact()
    for pk in (a, b, c, d):
        stages.transition(pk, Stage.NOTIFIED, at=NOW - dt.timedelta(days=5))
    stages.transition(a, Stage.REMOVED, at=NOW - dt.timedelta(days=3))
    stages.transition(b, Stage.REMOVED, at=NOW - dt.timedelta(days=12))
    stages.transition(e, Stage.DISMISSED, reason="licensed")
    assert_exact()
    # Relapse: removed → notified → removed again counts a second removal, and the first
    # times stay the first ones.
    stages.transition(a, Stage.NOTIFIED, at=NOW - dt.timedelta(days=2))
    stages.transition(a, Stage.REMOVED, at=NOW - dt.timedelta(days=1))
    stages.transition(b, Stage.CEASED)
    stages.transition(b, Stage.NOTIFIED)
    stages.transition(c, Stage.DISMISSED, reason="fair use")
    want = assert_exact()
    item_a = InfringingItem.objects.get(pk=a)
    assert item_a.first_removed_at == NOW - dt.timedelta(days=3)
    assert item_a.first_notified_at == NOW - dt.timedelta(days=5)
    assert sum(want["removals"].values()) == 3
    assert f not in {k for k, v in want["firsts"].items() if v[0]}


@pytest.mark.django_db
def test_rollups_follow_item_edits_bulk_updates_and_deletes(world):
    a, b, c, *_ = world["items"]
    for pk in (a, b, c):
        stages.transition(pk, Stage.NOTIFIED, at=NOW - dt.timedelta(days=5))
        stages.transition(pk, Stage.REMOVED, at=NOW - dt.timedelta(days=4))
    # An item moved to another franchise and platform takes its count and removals along.
    item = InfringingItem.objects.get(pk=a)
    item.franchise = world["franchise"]
    item.platform = world["platform"]
    item.save()
    assert_exact()
    # One UPDATE of many rows (admin, a data fix): logged another week, another platform.
    InfringingItem.objects.filter(pk__in=[b, c]).update(
        created_at=NOW - dt.timedelta(days=40), platform=world["platform"]
    )
    assert_exact()

    # An UPDATE that changes no key writes nothing.
    def rows():
        return sum(m.objects.count() for m in (ItemRollup, RemovalRollup, RemovedItemRollup))

    before = rows()
    InfringingItem.objects.update(title="renamed")
    assert rows() == before
    # Deleting an item (its events go first) takes its counts, removals and all.
    InfringingItem.objects.get(pk=b).delete()
    want = assert_exact()
    assert sum(want["removals"].values()) == 2


@pytest.mark.django_db
def test_a_late_or_back_dated_event_moves_the_first_time_back(world):
    a = world["items"][0]
    stages.transition(a, Stage.NOTIFIED, at=NOW - dt.timedelta(days=2))
    stages.transition(a, Stage.REMOVED, at=NOW - dt.timedelta(days=1))
    # A back-dated event written by other code (a data fix), and one written later.
    StageEvent.objects.create(
        item_id=a, from_stage="", to_stage=Stage.NOTIFIED, at=NOW - dt.timedelta(days=9),
        source="manual",
    )  # fmt: skip
    StageEvent.objects.create(
        item_id=a, from_stage="", to_stage=Stage.REMOVED, at=NOW, source="manual"
    )
    item = InfringingItem.objects.get(pk=a)
    assert item.first_notified_at == NOW - dt.timedelta(days=9)
    assert item.first_removed_at == NOW - dt.timedelta(days=1)
    assert_exact()
    # Editing an event's time (admin) is recomputed from the events.
    StageEvent.objects.filter(item_id=a, to_stage=Stage.REMOVED, at=NOW).update(
        at=NOW - dt.timedelta(days=30)
    )
    assert InfringingItem.objects.get(pk=a).first_removed_at == NOW - dt.timedelta(days=30)
    assert_exact()


@pytest.mark.django_db
def test_an_edit_of_a_copy_read_before_the_removal_keeps_the_first_times(world):
    a = world["items"][0]
    stale = InfringingItem.objects.get(pk=a)
    stages.transition(a, Stage.NOTIFIED)
    event = stages.transition(a, Stage.REMOVED)
    stale.title = "edited meanwhile"
    stale.save()
    item = InfringingItem.objects.get(pk=a)
    assert (item.title, item.first_removed_at) == ("edited meanwhile", event.at)
    assert item.first_notified_at is not None
    # The instance a transition was given is refreshed with them.
    b = InfringingItem.objects.get(pk=world["items"][1])
    stages.transition(b, Stage.NOTIFIED)
    assert b.first_notified_at is not None and b.first_removed_at is None


@pytest.mark.django_db
def test_rollups_count_an_import_through_its_public_entry_point(
    netflix, legal, squid_game, seedance
):
    ProtectedElementFactory(franchise=squid_game, name="Young-hee doll")
    data = make_csv([row(n) for n in range(1, 41)] + [row(1)])  # the repeat is refused
    result = imports.import_csv(netflix, io.BytesIO(data), legal)
    assert result.created == 40
    want = assert_exact()
    today = monday(timezone.now())
    assert want["items"][(netflix.pk, squid_game.pk, seedance.pk, Stage.IDENTIFIED, today)] == 40
    # One statement of 40 rows wrote one delta row for its one key.
    assert ItemRollup.objects.filter(rights_holder=netflix).count() == 1


@pytest.mark.django_db(transaction=True)
def test_rollups_stay_exact_under_concurrent_transitions(netflix, squid_game, seedance):
    """Eight threads, each with its own connection, move items of one rollup key at once
    (two of them race for the same items), while another compacts; every committed move
    is counted once."""
    items = [
        ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance).pk
        for _ in range(24)
    ]
    barrier = threading.Barrier(9)
    errors = []

    def run(work):
        try:
            barrier.wait(timeout=30)
            work()
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's work
            errors.append(exc)
        finally:
            connection.close()

    def walk(chunk):
        def work():
            for pk in chunk:
                stages.transition(pk, Stage.NOTIFIED)
                stages.transition(pk, Stage.REMOVED)
                stages.transition(pk, Stage.NOTIFIED)  # a relapse
                stages.transition(pk, Stage.REMOVED)

        return work

    def race(chunk):
        def work():
            for pk in chunk:
                # The other thread may move it first: then nothing is counted twice.
                with contextlib.suppress(stages.TransitionError):
                    stages.transition(pk, Stage.NOTIFIED)

        return work

    def compact():
        for _ in range(5):
            compact_rollups()

    works = [walk(items[i:i + 3]) for i in range(0, 18, 3)]  # fmt: skip
    works += [race(items[18:]), race(items[18:]), compact]
    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    want = assert_exact()
    monday_now = monday(timezone.now())
    key = (netflix.pk, squid_game.pk, seedance.pk)
    assert want["items"][(*key, Stage.REMOVED, monday_now)] == 18
    assert want["items"][(*key, Stage.NOTIFIED, monday_now)] == 6
    assert want["removals"][(*key, monday_now)] == 36
    assert StageEvent.objects.filter(item_id__in=items[18:], to_stage=Stage.NOTIFIED).count() == 6


@pytest.mark.django_db
def test_rebuild_recomputes_everything_from_the_rows(world):
    a = world["items"][0]
    stages.transition(a, Stage.NOTIFIED)
    stages.transition(a, Stage.REMOVED)
    want = expected()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM casework_itemrollup; INSERT INTO casework_removalrollup "
                       "(rights_holder_id, franchise_id, platform_id, week, removals) "
                       "SELECT rights_holder_id, franchise_id, platform_id, week, 5 "
                       "FROM casework_removalrollup")  # fmt: skip
    InfringingItem.objects.filter(pk=a).update(first_removed_at=None)
    assert stored() != want
    rollups.rebuild()
    assert stored() == want
