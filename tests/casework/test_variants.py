"""Near-duplicate grouping (casework.variants): pictures re-encoded, scaled, cropped a
little and re-coloured a little land in one variant group with their original, unrelated
pictures do not, a clip whose frames are those pictures joins them, a bridge merges two
groups, groups never span rights holders, and a 10,000-item backfill groups set-wise."""

import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from casework import evidence as evidence_store
from casework import variants
from casework.models import Evidence, EvidenceHash, InfringingItem, VariantGroup
from tests import variant_media as media
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_item(netflix, squid_game, seedance):
    def make(name, *, holder=None, franchise=None, platform=None):
        return ItemFactory(
            rights_holder=holder or netflix,
            franchise=franchise or squid_game,
            platform=platform or seedance,
            title=name,
        )

    return make


def attach(item, upload):
    """Store evidence as the page does, then run the worker's step in place."""
    with transaction.atomic():
        evidence = evidence_store.store(item, upload)
    variants.process_evidence(evidence.pk)
    item.refresh_from_db()
    return evidence


def with_picture(log_item, name, image, **kwargs):
    item = log_item(name, **kwargs)
    attach(item, media.upload(image, f"{name}.png"))
    return item


def test_variants_of_one_picture_group_and_unrelated_pictures_do_not(log_item):
    families = {}
    for seed in (1, 2, 3):
        base = media.art(seed)
        items = [with_picture(log_item, f"original-{seed}", base)]
        for label, change in media.VARIANTS.items():
            items.append(with_picture(log_item, f"{label}-{seed}", change(base)))
        families[seed] = items
    loner = with_picture(log_item, "unrelated", media.art(99))

    for seed, items in families.items():
        for item in items:
            item.refresh_from_db()
        groups = {item.variant_group_id for item in items}
        assert len(groups) == 1 and None not in groups, (seed, groups)
        assert items[0].variant_group.item_count == len(items)
    assert len({items[0].variant_group_id for items in families.values()}) == 3
    assert loner.variant_group_id is None
    assert VariantGroup.objects.count() == 3


def test_the_distance_is_a_setting(log_item, settings):
    settings.VARIANT_MAX_DISTANCE = 0
    base = media.art(5)
    a = with_picture(log_item, "a", base)
    b = with_picture(log_item, "b", media.VARIANTS["all four"](base))
    assert a.variant_group_id is None and b.variant_group_id is None
    settings.VARIANT_MAX_DISTANCE = 14
    variants.group_items(b.rights_holder_id, [b.pk])
    b.refresh_from_db()
    assert b.variant_group_id is not None


def test_a_clip_of_the_pictures_joins_them_and_a_bridge_merges_two_groups(log_item):
    one = [
        with_picture(log_item, f"one-{i}", f(media.art(1)))
        for i, f in enumerate([lambda im: im, media.scaled])
    ]
    two = [
        with_picture(log_item, f"two-{i}", f(media.art(2)))
        for i, f in enumerate([lambda im: im, media.recoloured])
    ]
    for item in one + two:
        item.refresh_from_db()
    first, second = one[0].variant_group, two[0].variant_group
    assert first != second

    clip_of_one = log_item("clip of one")
    attach(clip_of_one, media.clip_upload([media.art(1)]))
    assert clip_of_one.variant_group == first
    assert EvidenceHash.objects.filter(item=clip_of_one).count() >= 1

    bridge = log_item("clip of both")
    evidence = attach(bridge, media.clip_upload([media.art(1), media.art(7), media.art(2)]))
    frames = EvidenceHash.objects.filter(evidence=evidence).count()
    assert frames == 3  # one per keyframe: a picture per second
    assert bridge.variant_group == first  # the older group survives
    assert not VariantGroup.objects.filter(pk=second.pk).exists()
    for item in one + two + [clip_of_one]:
        item.refresh_from_db()
        assert item.variant_group == first
    first.refresh_from_db()
    assert first.item_count == 6


def test_groups_never_span_rights_holders(log_item, warner):
    base = media.art(3)
    ours = [with_picture(log_item, "nf", base), with_picture(log_item, "nf2", media.scaled(base))]
    wb_franchise = ItemFactory(rights_holder=warner).franchise
    theirs = with_picture(log_item, "wb", base, holder=warner, franchise=wb_franchise)
    ours[0].refresh_from_db()
    assert ours[0].variant_group_id is not None
    assert theirs.variant_group_id is None
    assert variants.pairs_for_items([theirs.pk]) == set()
    with pytest.raises(ValueError, match="rights holder"):
        variants.apply_pairs(warner.pk, [(theirs.pk, ours[0].pk)])


def test_a_redelivered_upload_message_changes_nothing(log_item):
    a = with_picture(log_item, "a", media.art(4))
    b = with_picture(log_item, "b", media.reencoded(media.art(4)))
    evidence = Evidence.objects.get(item=b)
    before = (VariantGroup.objects.get().pk, EvidenceHash.objects.count())
    variants.process_evidence(evidence.pk)
    assert (VariantGroup.objects.get().pk, EvidenceHash.objects.count()) == before
    a.refresh_from_db()
    assert a.variant_group_id == before[0]


def test_unreadable_or_other_evidence_is_left_ungrouped(log_item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = log_item("broken")
    broken = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 40, "image/png")
    attach(item, broken)
    page = SimpleUploadedFile("page.html", b"<p>hi</p>", "text/html")
    attach(item, page)
    assert EvidenceHash.objects.filter(item=item).count() == 0
    assert item.variant_group_id is None


def test_one_lookup_finds_exactly_the_hashes_within_the_distance(netflix, log_item, settings):
    settings.VARIANT_MAX_DISTANCE = 9
    item = log_item("holder of hashes")
    evidence = Evidence.objects.bulk_create(
        [
            Evidence(
                item=item,
                file="x",
                original_name="x",
                content_type="image/png",
                size=1,
                sha256="0" * 64,
            )
        ]
    )[0]
    rnd = random.Random(11)
    base = rnd.getrandbits(64)
    flips = list(range(64))
    rows = []
    for frame, distance in enumerate([0, 1, 5, 9, 10, 12, 30]):
        rnd.shuffle(flips)
        value = base ^ sum(1 << b for b in flips[:distance])
        rows.append(variants.hash_row(evidence.pk, item.pk, netflix.pk, frame, value))
    EvidenceHash.objects.bulk_create(rows)
    found = variants.nearest(netflix.pk, base)
    assert found == [(item.pk, 0)]
    # each hash is reported at its own distance when it is the only one in reach
    assert [d for _, d in variants.nearest(netflix.pk, base ^ ((1 << 64) - 1))] == []


def clone_rows(model, template, count, replace, params=()):
    """``count`` copies of row ``template`` made by one INSERT ... SELECT (set-wise, and
    every column the model has, whatever other branches add); ``replace`` maps a column
    to an SQL expression of ``n`` (1..count) with ``params``. Returns the ids in order."""
    table = model._meta.db_table
    kept = [
        f.column
        for f in model._meta.concrete_fields
        if not (f.primary_key or f.generated) and f.column not in replace
    ]
    columns = ", ".join(list(replace) + kept)
    expressions = ", ".join(list(replace.values()) + [f"t.{c}" for c in kept])
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {expressions} "  # noqa: S608 - test constants
        f"FROM {table} t, generate_series(1, %s) n WHERE t.id = %s ORDER BY n RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, count, template.pk])
        return [row[0] for row in cursor.fetchall()]


def test_backfill_of_10000_items_groups_them_set_wise(log_item, netflix, settings):
    settings.VARIANT_MAX_DISTANCE = 9
    rnd = random.Random(2026)
    families, per_family = 2000, 5
    template = log_item("template")
    url = "'https://seedance.example/b/' || n"
    items = clone_rows(
        InfringingItem,
        template,
        families * per_family,
        {"url": url, "normalized_url": url, "title": "'copy ' || n"},
    )
    template_evidence = Evidence.objects.bulk_create(
        [
            Evidence(
                item=template,
                file="e/t.png",
                original_name="t.png",
                content_type="image/png",
                size=1,
                sha256="0" * 64,
            )
        ]
    )[0]
    evidence = clone_rows(
        Evidence, template_evidence, len(items), {"item_id": "(%s::bigint[])[n]"}, [items]
    )
    rows = []
    for family in range(families):
        base = rnd.getrandbits(64)
        for k in range(per_family):
            n = family * per_family + k
            flipped = base ^ sum(1 << b for b in rnd.sample(range(64), 4 if k else 0))
            rows.append((evidence[n], items[n], netflix.pk, 0, flipped))
    assert variants.insert_hashes(rows) == len(rows)

    call_command("group_variants", "--holder", netflix.code)

    assert VariantGroup.objects.count() == families
    assert set(VariantGroup.objects.values_list("item_count", flat=True)) == {per_family}
    group_of = dict(
        InfringingItem.objects.filter(pk__in=items).values_list("pk", "variant_group_id")
    )
    for family in range(families):
        members = {group_of[i] for i in items[family * per_family : (family + 1) * per_family]}
        assert len(members) == 1 and None not in members
    summary = variants.distinct_infringements(
        InfringingItem.objects.filter(rights_holder=netflix).exclude(pk=template.pk)
    )
    assert summary == {"urls": families * per_family, "distinct": families, "groups": families}
