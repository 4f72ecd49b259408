"""Create items from API rows: each row is created, a duplicate, or an error.

The whole batch is checked with a fixed number of queries (the caller's catalogue,
then the existing URLs), and the new rows are written with three bulk INSERTs
(items, their elements, their first stage events) in the caller's transaction.
Rows with errors are reported and skipped; the valid rows of the same request are
created together or not at all.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers

from casework.api.problems import flatten
from casework.api.serializers import ItemInputSerializer
from casework.choices import EventSource, Stage
from casework.models import Franchise, InfringingItem, Platform, ProtectedElement, StageEvent
from casework.urlnorm import InvalidURL, normalize_url

CREATED, DUPLICATE, ERROR = "created", "duplicate", "error"


@dataclass
class RowResult:
    index: int
    status: str = ""
    id: int | None = None
    errors: list = field(default_factory=list)
    item: InfringingItem | None = None
    element_ids: list = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {"index": self.index, "status": self.status}
        if self.id is not None:
            out["id"] = self.id
        if self.errors:
            out["errors"] = self.errors
        return out


class Catalogue:
    """The caller's franchises and elements, and every platform: read once per batch."""

    def __init__(self, user):
        self.franchises = {
            f.pk: f for f in Franchise.objects.for_user(user).select_related("rights_holder")
        }
        self.element_franchise = dict(
            ProtectedElement.objects.for_user(user).values_list("pk", "franchise_id")
        )
        self.platforms = set(Platform.objects.values_list("pk", flat=True))


def _check(index: int, raw, catalogue: Catalogue, serializer) -> RowResult:
    row = RowResult(index)
    if not isinstance(raw, dict):
        row.status, row.errors = ERROR, [{"field": "", "reason": "Each row must be an object."}]
        return row
    try:
        data, errors = serializer.run_validation(raw), []
    except serializers.ValidationError as exc:
        data, errors = {}, flatten(exc.detail)
    franchise = None
    if "franchise" in data:
        franchise = catalogue.franchises.get(data["franchise"])
        if franchise is None:
            errors.append(
                {
                    "field": "franchise",
                    "reason": f"Franchise {data['franchise']} is not one of your franchises.",
                }
            )
    if "platform" in data and data["platform"] not in catalogue.platforms:
        errors.append({"field": "platform", "reason": f"No platform {data['platform']}."})
    if franchise is not None:
        foreign = [
            e
            for e in data.get("elements", [])
            if catalogue.element_franchise.get(e) != franchise.pk
        ]
        if foreign:
            errors.append(
                {
                    "field": "elements",
                    "reason": f"Not protected elements of {franchise.name}: "
                    + ", ".join(str(e) for e in foreign)
                    + ".",
                }
            )
    normalized = ""
    if "url" in data:
        try:
            normalized = normalize_url(data["url"])
        except InvalidURL as exc:
            errors.append({"field": "url", "reason": str(exc)})
    if errors:
        row.status, row.errors = ERROR, errors
        return row
    row.element_ids = sorted(set(data.pop("elements", [])))
    data["franchise_id"] = data.pop("franchise")
    data["platform_id"] = data.pop("platform")
    row.item = InfringingItem(rights_holder_id=franchise.rights_holder_id, **data)
    row.item.normalized_url = normalized
    return row


def _existing(rows: list[RowResult]) -> dict[tuple[int, str], int]:
    by_holder = defaultdict(set)
    for row in rows:
        by_holder[row.item.rights_holder_id].add(row.item.normalized_url)
    found = {}
    for holder_id, urls in by_holder.items():
        found.update(
            ((holder_id, url), pk)
            for url, pk in InfringingItem.objects.filter(
                rights_holder_id=holder_id, normalized_url__in=urls
            ).values_list("normalized_url", "pk")
        )
    return found


def _write(rows: list[RowResult], user, reason: str) -> None:
    existing = _existing(rows)
    new, first_of = [], {}
    for row in rows:
        key = (row.item.rights_holder_id, row.item.normalized_url)
        if key in existing:
            row.status, row.id = DUPLICATE, existing[key]
        elif key in first_of:  # the same URL earlier in this request
            row.status = DUPLICATE
        else:
            first_of[key] = row
            row.item.logged_by = user
            new.append(row)
    now = timezone.now()
    InfringingItem.objects.bulk_create([r.item for r in new])
    through = InfringingItem.elements.through
    through.objects.bulk_create(
        through(infringingitem_id=r.item.pk, protectedelement_id=e)
        for r in new
        for e in r.element_ids
    )
    StageEvent.objects.bulk_create(
        StageEvent(
            item_id=r.item.pk,
            from_stage="",
            to_stage=Stage.IDENTIFIED,
            at=now,
            by=user,
            reason=reason,
            source=EventSource.IMPORT,
        )
        for r in new
    )
    for row in new:
        row.status, row.id = CREATED, row.item.pk
    for row in rows:
        if row.status == DUPLICATE and row.id is None:
            row.id = first_of[(row.item.rights_holder_id, row.item.normalized_url)].id


def create_items(
    user, raw_rows: list, *, reason: str = "Logged through the API."
) -> list[RowResult]:
    """Check and create ``raw_rows`` as items of ``user``'s rights holders.

    Each row's holder is its franchise's. Runs in the caller's transaction (or its
    own). Someone logging one of the URLs between the duplicate check and the
    insert makes the insert fail: the batch is then checked and written once more.
    """
    catalogue = Catalogue(user)
    # One serializer for every row: building one per row deep-copies its fields,
    # which took most of a 1,000-row batch's time.
    serializer = ItemInputSerializer()
    results = [_check(i, raw, catalogue, serializer) for i, raw in enumerate(raw_rows)]
    valid = [r for r in results if r.status != ERROR]
    if valid:
        with transaction.atomic():
            for attempt in (1, 2):
                try:
                    with transaction.atomic():
                        _write(valid, user, reason)
                    break
                except IntegrityError:
                    if attempt == 2:
                        raise
                    for row in valid:
                        row.status, row.id, row.item.pk = "", None, None
                        row.item._state.adding = True
    return results


def summary(results: list[RowResult]) -> dict:
    return {
        "created": sum(r.status == CREATED for r in results),
        "duplicates": sum(r.status == DUPLICATE for r in results),
        "errors": sum(r.status == ERROR for r in results),
        "results": [r.as_dict() for r in results],
    }
