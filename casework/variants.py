"""Near-duplicates: perceptual hashes of evidence, and the variant groups they make.

The rule: two items of one rights holder are variants of each other when a pHash of
one's evidence (an image, or a sampled keyframe of a video) differs from a pHash of
the other's in at most ``settings.VARIANT_MAX_DISTANCE`` of its 64 bits. A variant
group is a connected set of such items (single linkage): a new item close to two
groups bridges them and the groups merge. Groups are never split (evidence is never
deleted) and never span rights holders.

How a match is found among a million hashes without comparing all pairs: multi-index
hashing (Norouzi, Punjani and Fleet, 2012) on PostgreSQL. Each hash is split into
five fields of 13, 13, 13, 13 and 12 bits, stored in their own indexed columns
(``EvidenceHash.chunk0``..``chunk4``). If two hashes differ in at most d bits, at
least one field differs in at most r = d // 5 bits (pigeonhole), so every match is
found by probing each field's index with the field's value XOR every mask of at most
r bits (r = 1: 14 values per field, 70 index probes for one hash) and checking the
candidates' full distance with ``bit_count((a # b)::bit(64))``. At 1 M random hashes
one 13-bit value is held by ~120 rows, so a lookup checks a few thousand rows instead
of a million. Chosen over a BK-tree because it lives in the database: no second
structure to build, keep in memory and keep in step with the rows, scoping by rights
holder is part of the index, and the backfill is the same query run for many hashes
at once. Five fields (rather than d + 1 fields matched exactly) keep each field
selective at the default d = 9; the distance stays a setting without a schema change.

Everything that changes groups runs under a per-holder transaction-level advisory
lock, so two uploads grouping at once cannot make two groups out of one set.
dHash was tried beside pHash on the test transformations: it did not separate
variants from unrelated images better than pHash alone, so only pHash is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

import av
import imagehash
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from PIL import Image, UnidentifiedImageError

from casework.models import Evidence, EvidenceHash, VariantGroup

log = logging.getLogger(__name__)

TASK = "casework.tasks.variants.group_evidence"
PENDING_TASK = "casework.tasks.variants.group_pending"

# (shift, width) of the five fields of a 64-bit hash, most significant first.
FIELDS = ((51, 13), (38, 13), (25, 13), (12, 13), (0, 12))
LOCK_NAMESPACE = 0x5641  # "VA": pg_advisory_xact_lock(namespace, rights holder id)
BACKFILL_BATCH = 5000
# Up to this many items are looked up with index probes; a larger batch by hash joins.
NESTED_LOOP_MAX_ITEMS = 200

HASHABLE_PREFIXES = ("image/", "video/")


def hashable(content_type: str) -> bool:
    """Evidence of this type gets perceptual hashes (images and videos)."""
    return content_type.startswith(HASHABLE_PREFIXES)


# --- Hash values ---------------------------------------------------------------------------


def signed64(value: int) -> int:
    """An unsigned 64-bit hash as PostgreSQL's signed bigint."""
    return value - (1 << 64) if value >= 1 << 63 else value


def chunks(value: int) -> list[int]:
    """The five fields of a hash (signed or unsigned), as stored in chunk0..chunk4."""
    value &= (1 << 64) - 1
    return [(value >> shift) & ((1 << width) - 1) for shift, width in FIELDS]


def chunk_sql(column: str) -> list[str]:
    """SQL expressions of the five fields of the bigint ``column`` (for set-wise inserts:
    ``INSERT ... SELECT h, <these>``). Masking makes the sign of the shift irrelevant."""
    return [f"(({column} >> {shift}) & {(1 << width) - 1})" for shift, width in FIELDS]


def insert_hashes(rows) -> int:
    """Insert (evidence id, item id, holder id, frame, hash) tuples set-wise: one INSERT
    whose chunk columns PostgreSQL computes (a bulk load, the bench, tests)."""
    rows = list(rows)
    if not rows:
        return 0
    columns = list(zip(*rows, strict=True))
    values = [[signed64(v & ((1 << 64) - 1)) for v in columns[4]]]
    chunk_columns = ", ".join(f"chunk{i}" for i in range(len(FIELDS)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO casework_evidencehash
                    (evidence_id, item_id, rights_holder_id, frame, phash, {chunk_columns})
                SELECT e, i, r, f, h, {", ".join(chunk_sql("h"))}
                FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::int[], %s::bigint[])
                     AS t(e, i, r, f, h)
                ON CONFLICT DO NOTHING""",  # noqa: S608 - constants only
            [list(columns[0]), list(columns[1]), list(columns[2]), list(columns[3]), *values],
        )
        return cursor.rowcount


def hash_row(evidence_id: int, item_id: int, holder_id: int, frame: int, value: int):
    """An EvidenceHash (unsaved) for one hash value."""
    return EvidenceHash(
        evidence_id=evidence_id,
        item_id=item_id,
        rights_holder_id=holder_id,
        frame=frame,
        phash=signed64(value & ((1 << 64) - 1)),
        **{f"chunk{i}": c for i, c in enumerate(chunks(value))},
    )


@cache
def masks(width: int, radius: int) -> tuple[int, ...]:
    """Every value of ``width`` bits with at most ``radius`` bits set (0 first)."""
    found = [0]
    for r in range(1, radius + 1):
        for bits in combinations(range(width), r):
            found.append(sum(1 << b for b in bits))
    return tuple(found)


def radius(distance: int | None = None) -> int:
    distance = settings.VARIANT_MAX_DISTANCE if distance is None else distance
    return distance // len(FIELDS)


def phash_of(image: Image.Image) -> int:
    return int(str(imagehash.phash(image.convert("RGB"))), 16)


def image_hashes(fileobj) -> list[int]:
    with Image.open(fileobj) as image:
        image.draft("RGB", (512, 512))  # JPEG: decode at a reduced size, enough for pHash
        return [phash_of(image)]


def video_hashes(fileobj, frames: int | None = None) -> list[int]:
    """pHashes of up to ``frames`` keyframes spread over the video.

    Seeks to evenly spaced times and decodes the keyframe at or before each (only
    keyframes are decoded); repeats of one keyframe count once. A stream without a
    known duration gives its first keyframes instead.
    """
    frames = frames or settings.VARIANT_VIDEO_FRAMES
    found: dict[int, int] = {}
    with av.open(fileobj) as container:
        if not container.streams.video:
            return []
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        duration = container.duration  # microseconds (av.time_base), or None
        if duration:
            for k in range(frames):
                container.seek(duration * k // frames, backward=True, any_frame=False)
                for frame in container.decode(stream):
                    found.setdefault(frame.pts or 0, phash_of(frame.to_image()))
                    break
        else:
            for frame in container.decode(stream):
                found.setdefault(frame.pts or 0, phash_of(frame.to_image()))
                if len(found) >= frames:
                    break
    return [found[pts] for pts in sorted(found)]


def hashes_of(evidence: Evidence) -> list[int]:
    """The perceptual hashes of one evidence file; [] if it cannot be decoded."""
    try:
        with default_storage.open(evidence.file.name, "rb") as fileobj:
            if evidence.content_type.startswith("video/"):
                return video_hashes(fileobj)
            return image_hashes(fileobj)
    except (OSError, UnidentifiedImageError, av.FFmpegError, Image.DecompressionBombError) as exc:
        log.warning("evidence %s (%s) not hashed: %s", evidence.pk, evidence.original_name, exc)
        return []


def hash_evidence(evidence: Evidence) -> int:
    """Store the hashes of one evidence file (once: a second call adds nothing)."""
    if EvidenceHash.objects.filter(evidence=evidence).exists():
        return 0
    values = hashes_of(evidence)
    rows = [
        hash_row(evidence.pk, evidence.item_id, evidence.item.rights_holder_id, frame, value)
        for frame, value in enumerate(values)
    ]
    EvidenceHash.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- Finding pairs -------------------------------------------------------------------------


def _pairs_sql(left: str) -> str:
    """Pairs (a, b) of items whose hashes are within %(d)s bits; ``left`` selects the hash
    rows to look up (named q). One UNION branch per field: its index is probed with the
    field's value XOR each mask."""
    # Only constants are formatted in (field numbers, the left side's fixed SQL).
    branches = [
        f"""SELECT q.item_id AS a, h.item_id AS b, q.phash AS qp, h.phash AS hp
            FROM q CROSS JOIN unnest(%(m{i})s::int[]) AS m(mask)
            JOIN casework_evidencehash h
              ON h.rights_holder_id = q.rights_holder_id AND h.chunk{i} = (q.chunk{i} # m.mask)
            WHERE h.item_id <> q.item_id"""  # noqa: S608
        for i in range(len(FIELDS))
    ]
    return f"""
        WITH q AS MATERIALIZED ({left})
        SELECT DISTINCT LEAST(a, b), GREATEST(a, b)
        FROM ({" UNION ALL ".join(branches)}) c
        WHERE bit_count((qp # hp)::bit(64)) <= %(d)s
    """  # noqa: S608


def _params(distance: int | None = None, **extra) -> dict:
    distance = settings.VARIANT_MAX_DISTANCE if distance is None else distance
    r = radius(distance)
    params = {f"m{i}": list(masks(width, r)) for i, (_, width) in enumerate(FIELDS)}
    params.update(d=distance, **extra)
    return params


LEFT_COLUMNS = "SELECT item_id, rights_holder_id, phash, chunk0, chunk1, chunk2, chunk3, chunk4"


def pairs_for_items(item_ids, distance: int | None = None) -> set[tuple[int, int]]:
    """Every pair of items, one of them in ``item_ids``, whose evidence is close."""
    item_ids = list(item_ids)
    sql = _pairs_sql(f"{LEFT_COLUMNS} FROM casework_evidencehash WHERE item_id = ANY(%(items)s)")
    with transaction.atomic(), connection.cursor() as cursor:
        if len(item_ids) > NESTED_LOOP_MAX_ITEMS:
            # A backfill batch: probing the indexes once per hash and mask is slower than
            # one hash join per field against the holder's hashes (measured in the bench).
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, _params(distance, items=item_ids))
        found = set(cursor.fetchall())
        if len(item_ids) > NESTED_LOOP_MAX_ITEMS:
            cursor.execute("SET LOCAL enable_nestloop = on")
        return found


def nearest(holder_id: int, value: int, distance: int | None = None) -> list[tuple[int, int]]:
    """(item id, distance) of every hash of the holder within ``distance`` of ``value``:
    one lookup (the bench times it among a million)."""
    signed = signed64(value & ((1 << 64) - 1))
    left = "SELECT 0 AS item_id, %(holder)s::bigint AS rights_holder_id, %(value)s::bigint AS phash"
    left += "".join(f", %(c{i})s::int AS chunk{i}" for i in range(len(FIELDS)))
    sql = _pairs_sql(left).replace(
        "SELECT DISTINCT LEAST(a, b), GREATEST(a, b)",
        "SELECT b, min(bit_count((qp # hp)::bit(64)))",
    )
    sql += " GROUP BY b ORDER BY 2, 1"
    extra = {"holder": holder_id, "value": signed}
    extra.update({f"c{i}": c for i, c in enumerate(chunks(value))})
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(distance, **extra))
        return cursor.fetchall()


# --- Grouping ------------------------------------------------------------------------------


def lock_holder(holder_id: int) -> None:
    """Serialise grouping within one rights holder until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, holder_id])


class _Sets:
    """Union-find over item ids and ("g", group id) nodes."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


@dataclass
class Outcome:
    """What one grouping run changed."""

    created: int = 0
    merged: int = 0
    moved: int = 0
    groups: set[int] = field(default_factory=set)


def apply_pairs(holder_id: int, pairs) -> Outcome:
    """Join the items of ``pairs`` (all of ``holder_id``) into groups, set-wise.

    Each connected set of items (counting the groups they already belong to) ends
    in one group: the oldest of its groups, or a new one. The other groups' items
    move to it and the emptied groups are deleted. Call under ``lock_holder``.
    """
    outcome = Outcome()
    pairs = list(pairs)
    if not pairs:
        return outcome
    sets = _Sets()
    items = {i for pair in pairs for i in pair}
    current = _groups_of(holder_id, items)
    if len(current) != len(items):
        raise ValueError("Every item of a pair must belong to the rights holder.")
    for item, group in current.items():
        sets.find(item)
        if group is not None:
            sets.union(("g", group), item)
    for a, b in pairs:
        sets.union(a, b)
    components: dict = {}
    for node in list(sets.parent):
        components.setdefault(sets.find(node), []).append(node)

    new_groups = [
        comp for comp in components.values() if not any(isinstance(n, tuple) for n in comp)
    ]
    created = VariantGroup.objects.bulk_create(
        [VariantGroup(rights_holder_id=holder_id) for _ in new_groups]
    )
    target_of_new = {id(comp): g.pk for comp, g in zip(new_groups, created, strict=True)}
    moves: list[tuple[int, int]] = []  # (item, group)
    regroup: list[tuple[int, int]] = []  # (old group, target group)
    for comp in components.values():
        groups = sorted(n[1] for n in comp if isinstance(n, tuple))
        target = groups[0] if groups else target_of_new[id(comp)]
        outcome.groups.add(target)
        regroup += [(g, target) for g in groups[1:]]
        moves += [(n, target) for n in comp if not isinstance(n, tuple) and current[n] != target]
    outcome.created = len(created)
    outcome.merged = len(regroup)
    with connection.cursor() as cursor:
        if regroup:
            cursor.execute(
                """UPDATE casework_infringingitem i SET variant_group_id = m.target
                   FROM unnest(%s::bigint[], %s::bigint[]) AS m(old, target)
                   WHERE i.variant_group_id = m.old""",
                [[old for old, _ in regroup], [new for _, new in regroup]],
            )
            outcome.moved += cursor.rowcount
            # Emptied now: a raw DELETE (the ORM would look for items to protect again).
            cursor.execute(
                "DELETE FROM casework_variantgroup WHERE id = ANY(%s)", [[o for o, _ in regroup]]
            )
        if moves:
            cursor.execute(
                """UPDATE casework_infringingitem i SET variant_group_id = m.target
                   FROM unnest(%s::bigint[], %s::bigint[]) AS m(item, target)
                   WHERE i.id = m.item""",
                [[i for i, _ in moves], [g for _, g in moves]],
            )
            outcome.moved += cursor.rowcount
        # One index lookup per group (item_variant_group), whatever the table's statistics.
        cursor.execute(
            """UPDATE casework_variantgroup g SET item_count = (
                   SELECT count(*) FROM casework_infringingitem i WHERE i.variant_group_id = g.id)
               WHERE g.id = ANY(%s)""",
            [sorted(outcome.groups)],
        )
    return outcome


def _groups_of(holder_id: int, item_ids) -> dict[int, int | None]:
    """{item id: its group id or None} of those of ``item_ids`` that are the holder's."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT id, variant_group_id FROM casework_infringingitem
               WHERE id = ANY(%s) AND rights_holder_id = %s ORDER BY id""",
            [list(item_ids), holder_id],
        )
        return dict(cursor.fetchall())


def group_items(holder_id: int, item_ids) -> Outcome:
    """Find the variants of ``item_ids`` (all of one holder) and group them, in one
    transaction under the holder's lock."""
    with transaction.atomic():
        lock_holder(holder_id)
        return apply_pairs(holder_id, pairs_for_items(item_ids))


def process_evidence(evidence_id: int) -> Outcome | None:
    """The worker's part of an upload: hash one evidence file, then group its item.

    Idempotent (a redelivered message hashes nothing twice and regroups to the same
    result); a file that is gone or not an image or video does nothing.
    """
    evidence = Evidence.objects.select_related("item").filter(pk=evidence_id).first()
    if evidence is None or not hashable(evidence.content_type):
        return None
    hash_evidence(evidence)
    return group_items(evidence.item.rights_holder_id, [evidence.item_id])


def enqueue(evidence: Evidence) -> None:
    """Hash and group ``evidence`` in the worker once the upload's transaction commits."""
    if hashable(evidence.content_type):
        from casework.jobs import publish

        pk = evidence.pk
        transaction.on_commit(lambda: publish(TASK, [pk]))


def enqueue_pending(holder_id: int) -> None:
    """Hash and group whatever evidence of the holder is not hashed yet (after an import)."""
    from casework.jobs import publish

    transaction.on_commit(lambda: publish(PENDING_TASK, [holder_id]))


@dataclass
class BackfillResult:
    hashed_files: int = 0
    unreadable: int = 0
    items: int = 0
    created: int = 0
    merged: int = 0


def unhashed_evidence(holder_ids=None):
    """Image and video evidence without hashes yet (of ``holder_ids``, or all)."""
    evidence = Evidence.objects.filter(
        Q(content_type__startswith="image/") | Q(content_type__startswith="video/")
    ).exclude(hashes__isnull=False)
    if holder_ids is not None:
        evidence = evidence.filter(item__rights_holder_id__in=holder_ids)
    return evidence.select_related("item").order_by("pk")


def backfill(holder_ids=None, *, batch: int = BACKFILL_BATCH, progress=None) -> BackfillResult:
    """Hash every image and video not hashed yet, then group every ungrouped item that has
    hashes, ``batch`` items per transaction, one set-wise lookup per batch.

    Grouped items need no second look: when an item was grouped, all of its matches
    joined its group then (under the lock), and any later item close to it was
    looked up in turn.
    """
    result = BackfillResult()
    for evidence in unhashed_evidence(holder_ids).iterator(chunk_size=200):
        added = hash_evidence(evidence)
        result.hashed_files += bool(added)
        result.unreadable += not added
    with connection.cursor() as cursor:
        # Fresh statistics after a bulk load keep the lookups on the chunk indexes.
        cursor.execute("ANALYZE casework_evidencehash")
    holders = (
        EvidenceHash.objects.values_list("rights_holder_id", flat=True).distinct()
        if holder_ids is None
        else holder_ids
    )
    for holder_id in sorted(set(holders)):
        pending = _ungrouped_with_hashes(holder_id)
        for start in range(0, len(pending), batch):
            # Items a previous batch grouped already were looked up as its matches.
            ids = [
                item
                for item, group in _groups_of(holder_id, pending[start : start + batch]).items()
                if group is None
            ]
            outcome = group_items(holder_id, ids)
            result.items += len(ids)
            result.created += outcome.created
            result.merged += outcome.merged
            if progress:
                progress(result)
    return result


def _ungrouped_with_hashes(holder_id: int) -> list[int]:
    """Ids of the holder's items that have hashes and no group, in one set-wise query."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT h.item_id FROM casework_evidencehash h
               JOIN casework_infringingitem i ON i.id = h.item_id
               WHERE h.rights_holder_id = %s AND i.variant_group_id IS NULL
               ORDER BY 1""",
            [holder_id],
        )
        return [row[0] for row in cursor.fetchall()]


# --- Reading -------------------------------------------------------------------------------


def distinct_infringements(items, urls: int | None = None) -> dict:
    """URLs and distinct infringements among ``items`` (a scoped queryset): every item
    outside a group counts once, every group once however many URLs it has.

    ``urls``: the count of ``items`` if the caller has it already. Only grouped items
    are read besides (the partial index item_variant_group)."""
    if urls is None:
        urls = items.count()
    grouped = items.filter(variant_group__isnull=False).aggregate(
        items=Count("pk"), groups=Count("variant_group", distinct=True)
    )
    return {
        "urls": urls,
        "distinct": urls - grouped["items"] + grouped["groups"],
        "groups": grouped["groups"],
    }


def group_summary(group: VariantGroup) -> dict:
    """A group's page: its items (oldest first seen first), platforms, first and last seen."""
    items = list(
        group.items.select_related("platform", "platform__respondent", "franchise").order_by(
            "first_seen", "pk"
        )
    )
    platforms = (
        group.items.values("platform__name", "platform__respondent__name")
        .annotate(count=Count("pk"), first=Min("first_seen"), last=Max("first_seen"))
        .order_by("-count", "platform__name")
    )
    seen = group.items.aggregate(first=Min("first_seen"), last=Max("first_seen"))
    return {"items": items, "platforms": list(platforms), **seen}
