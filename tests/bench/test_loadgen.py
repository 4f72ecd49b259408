"""The bench's data generator (tests.bench.loadgen, `python -m tests.bench.generate_load`):
counts, unique normalised URLs, every stage, usable sequences, M2M rows."""

import pytest
from django.db import connection
from django.db.models import Count, F

from casework.choices import Stage
from casework.models import InfringingItem, StageEvent
from casework.urlnorm import normalize_url
from notices.choices import DemandStatus
from notices.models import Demand, DemandCounter, Remedy
from tests.bench import loadgen
from tests.factories import FranchiseFactory

ITEMS, DEMANDS = 2000, 20


def _load(*extra, items=ITEMS, demands=DEMANDS):
    out = []
    loadgen.run(["--items", str(items), "--demands", str(demands), *extra], write=out.append)
    return "\n".join(out)


def _check_data_set():
    items = InfringingItem.objects.filter(logged_by__username=loadgen.LOAD_USER)
    assert items.count() == ITEMS
    assert Demand.objects.filter(prepared_by__username=loadgen.LOAD_USER).count() == DEMANDS

    # Unique normalised URLs per holder, already in normalize_url's form.
    dupes = (
        InfringingItem.objects.values("rights_holder", "normalized_url")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not dupes.exists()
    for url, normalized in items.values_list("url", "normalized_url")[:300]:
        assert normalized == url == normalize_url(url)

    # Spread over holders, platforms and every stage.
    assert set(items.values_list("stage", flat=True)) == set(Stage.values)
    assert items.values("rights_holder").distinct().count() >= 5
    assert items.values("platform").distinct().count() >= 5

    # M2M rows: every item has 1–3 protected elements of its own franchise.
    through = InfringingItem.elements.through
    per_item = through.objects.values("infringingitem").annotate(n=Count("id"))
    assert per_item.count() == ITEMS
    assert {row["n"] for row in per_item} <= {1, 2, 3}
    assert not through.objects.exclude(
        protectedelement__franchise=F("infringingitem__franchise")
    ).exists()

    # Notified (and later) items are in a sent demand; every demand has the four remedies.
    noticed = items.filter(stage__in=[Stage.NOTIFIED, Stage.REMOVED, Stage.CEASED])
    in_demand = noticed.filter(demands__isnull=False).distinct().count()
    assert in_demand > noticed.count() * 0.8
    assert Demand.items.through.objects.exists()
    generated = Demand.objects.filter(prepared_by__username=loadgen.LOAD_USER)
    assert Remedy.objects.filter(demand__in=generated).count() == 4 * DEMANDS
    # The "demand sent" events link their demand (a generic link: type and id).
    sent_event = StageEvent.objects.filter(source="demand").first()
    assert isinstance(sent_event.demand, Demand) and sent_event.demand in generated
    statuses = set(generated.values_list("status", flat=True))
    assert DemandStatus.SENT in statuses or DemandStatus.RESPONDED in statuses
    assert {DemandStatus.DRAFT, DemandStatus.IN_REVIEW, DemandStatus.APPROVED} & statuses

    # Each item's history ends at its stage, and the events are in time order.
    assert StageEvent.objects.filter(item__in=items).count() >= ITEMS
    last = {}
    for item_id, to_stage, at in (
        StageEvent.objects.filter(item__in=items)
        .order_by("item", "at", "id")
        .values_list("item", "to_stage", "at")
    ):
        previous = last.get(item_id)
        assert previous is None or previous[1] <= at
        last[item_id] = (to_stage, at)
    stages = dict(items.values_list("pk", "stage"))
    assert all(last[pk][0] == stage for pk, stage in stages.items())


def _check_sequences_usable():
    """A normal ORM create after the load takes an id past the generated ones."""
    highest = InfringingItem.objects.order_by("-pk").values_list("pk", flat=True).first()
    item = InfringingItem.objects.filter(logged_by__username=loadgen.LOAD_USER).first()
    new = InfringingItem.objects.create(
        rights_holder=item.rights_holder,
        franchise=item.franchise,
        platform=item.platform,
        url="https://example.com/after-the-load",
        title="Logged by hand after the load",
        content_kind=item.content_kind,
        conduct=item.conduct,
        first_seen=item.first_seen,
    )
    assert new.pk > highest
    new.elements.add(*item.elements.all())
    StageEvent.objects.create(
        item=new, to_stage=Stage.IDENTIFIED, at=new.created_at, source="manual"
    )
    demand = Demand.objects.filter(prepared_by__username=loadgen.LOAD_USER).order_by("-pk").first()
    Remedy.objects.create(demand=demand, text="One more remedy.")
    FranchiseFactory(rights_holder=item.rights_holder)


@pytest.mark.django_db
def test_generate_load_with_copy():
    out = _load()
    assert "by COPY" in out
    _check_data_set()
    # COPY kept the generated times instead of auto_now_add's "now".
    items = InfringingItem.objects.filter(logged_by__username=loadgen.LOAD_USER)
    span = items.order_by("created_at").values_list("created_at", flat=True)
    assert (span.last() - span.first()).days > 300
    _check_sequences_usable()

    # Demand numbers continue after the generated ones.
    for counter in DemandCounter.objects.all():
        taken = Demand.objects.filter(
            rights_holder=counter.rights_holder, year=counter.year
        ).values_list("number", flat=True)
        assert counter.last_number >= max(taken, default=0)


@pytest.mark.django_db
def test_generate_load_again_adds_nothing_and_tops_up():
    _load()
    items, events = InfringingItem.objects.count(), StageEvent.objects.count()
    out = _load()
    assert "nothing to add" in out
    assert (InfringingItem.objects.count(), StageEvent.objects.count()) == (items, events)

    _load(items=ITEMS + 100, demands=DEMANDS + 3)
    assert loadgen.generated_counts() == (ITEMS + 100, DEMANDS + 3)
    assert not (
        InfringingItem.objects.values("rights_holder", "normalized_url")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


@pytest.mark.django_db
def test_generate_load_rebuilding_indexes_keeps_the_schema():
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY indexdef",
                [loadgen.BIG_TABLES],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text = ANY(%s) ORDER BY conname",
                [loadgen.BIG_TABLES],
            )
            return indexes, cursor.fetchall()

    before = schema()
    out = _load("--rebuild-indexes", "always")
    assert "indexes rebuilt: yes" in out
    assert schema() == before
    _check_data_set()
    _check_sequences_usable()


def test_negative_counts_are_refused():
    with pytest.raises(SystemExit):
        loadgen.run(["--items", "-1"], write=lambda line: None)


def test_a_data_set_made_from_other_migrations_is_made_again(settings):
    """``make bench`` reuses its database only if the migrations and the generator it was
    made from are the ones in the tree: regenerated migrations keep their names."""
    import psycopg

    from tests.bench import database

    base = settings.DATABASES["default"]
    url = (
        f"postgres://{base['USER']}:{base['PASSWORD']}@{base['HOST']}:{base['PORT']}"
        f"/{base['NAME']}_fingerprint"
    )
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {base['NAME']}_fingerprint")
    try:
        assert database.ensure_database(url) is True  # missing: created
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE django_migrations (id int)")
            conn.execute("CREATE TABLE bench_fingerprint (value text)")
            conn.execute("INSERT INTO bench_fingerprint VALUES ('made from older migrations')")
        assert database.ensure_database(url) is True  # stale: dropped and created again
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SELECT to_regclass('django_migrations')").fetchone()[0] is None
            conn.execute("CREATE TABLE django_migrations (id int)")
            conn.execute("CREATE TABLE bench_fingerprint (value text)")
            conn.execute("INSERT INTO bench_fingerprint VALUES (%s)", [database.fingerprint()])
        assert database.ensure_database(url) is False  # current: reused
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {base['NAME']}_fingerprint WITH (FORCE)")
