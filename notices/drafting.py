"""Drafting demands: from selected items, with standard remedies, until submitted.

Everything here changes a demand only while it is a draft (the row is locked,
and its status read under the lock) and records a DemandEvent.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casework import access
from casework.choices import Stage
from casework.models import InfringingItem, Respondent
from notices.choices import STANDARD_REMEDIES, DemandStatus, RemedyKind
from notices.models import Demand, DemandEvent, Remedy
from notices.references import format_reference, take_number


class DraftingError(Exception):
    """A demand cannot be drafted or changed as asked; the message says why."""


def parse_ids(values) -> list[int]:
    """Item ids from form values ("12", "13" or "12,13"); raises DraftingError on junk."""
    ids: list[int] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise DraftingError(f"“{part[:40]}” is not an item id.")
            ids.append(int(part))
    return list(dict.fromkeys(ids))


def selected_items(user, item_ids):
    """The selected items the user can see; all must exist and share one rights holder."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        raise DraftingError("Select at least one item.")
    items = list(
        InfringingItem.objects.for_user(user)
        .filter(pk__in=ids)
        .select_related("rights_holder", "platform__respondent", "franchise")
        .order_by("pk")
    )
    found = {item.pk for item in items}
    unknown = [str(pk) for pk in ids if pk not in found]
    if unknown:
        raise DraftingError(f"No such item: {', '.join(unknown)}.")
    holders = {item.rights_holder for item in items}
    if len(holders) > 1:
        names = ", ".join(sorted(h.name for h in holders))
        raise DraftingError(
            f"A demand is from one rights holder; the selected items belong to {names}."
        )
    dismissed = [item.reference for item in items if item.stage == Stage.DISMISSED]
    if dismissed:
        raise DraftingError(f"Dismissed items cannot be demanded: {', '.join(dismissed)}.")
    return items


def derive_respondent(items) -> Respondent | None:
    """The one respondent operating every item's platform, or None if they differ."""
    respondents = {item.platform.respondent for item in items}
    return respondents.pop() if len(respondents) == 1 else None


def draft_demand(user, item_ids, *, respondent=None, response_days=None, paragraphs=""):
    """Draft a demand from items of one rights holder; returns the new demand.

    The respondent is the one given, or the operator of all the items' platforms.
    The reference is taken under a row lock in the same transaction, so
    concurrent drafts get consecutive numbers and a failed draft leaves no gap.
    """
    access.require_edit(user)
    items = selected_items(user, item_ids)
    holder = items[0].rights_holder
    if respondent is None:
        respondent = derive_respondent(items)
        if respondent is None:
            names = ", ".join(sorted({i.platform.respondent.name for i in items}))
            raise DraftingError(
                f"The items' platforms are run by different respondents ({names}): choose one."
            )
    if response_days is None:
        response_days = holder.response_days
    if response_days < 1:
        raise DraftingError("The response period must be at least one business day.")
    year = holder.today().year
    with transaction.atomic():
        number = take_number(holder, year)
        demand = Demand.objects.create(
            rights_holder=holder,
            respondent=respondent,
            reference=format_reference(holder.code, year, number),
            year=year,
            number=number,
            response_days=response_days,
            paragraphs=paragraphs,
            prepared_by=user,
        )
        demand.items.set(items)
        Remedy.objects.bulk_create(
            Remedy(demand=demand, position=i, kind=kind, text=text)
            for i, (kind, text) in enumerate(STANDARD_REMEDIES, start=1)
        )
        DemandEvent.objects.create(
            demand=demand,
            action="created",
            to_status=DemandStatus.DRAFT,
            by=user,
            detail=f"Drafted to {respondent.name} with {len(items)} item(s).",
        )
    return demand


def _locked_draft(user, demand) -> Demand:
    access.require_edit(user)
    locked = (
        Demand.objects.for_user(user).select_for_update(of=("self",)).filter(pk=demand.pk).first()
    )
    if locked is None:
        raise DraftingError("No such demand.")
    if locked.status != DemandStatus.DRAFT:
        raise DraftingError(
            f"Demand {locked.reference} is {locked.get_status_display().lower()}: "
            "only a draft can be changed."
        )
    return locked


def _event(demand, user, action, detail):
    DemandEvent.objects.create(
        demand=demand,
        action=action,
        from_status=demand.status,
        to_status=demand.status,
        by=user,
        detail=detail,
    )


def add_items(user, demand, item_ids) -> int:
    """Add items to a draft demand; returns how many were new to it."""
    items = selected_items(user, item_ids)
    with transaction.atomic():
        locked = _locked_draft(user, demand)
        if items[0].rights_holder_id != locked.rights_holder_id:
            raise DraftingError(
                f"Demand {locked.reference} is from {locked.rights_holder.name}; the items "
                f"belong to {items[0].rights_holder.name}."
            )
        existing = set(locked.items.values_list("pk", flat=True))
        new = [item for item in items if item.pk not in existing]
        if new:
            locked.items.add(*new)
            _event(
                locked,
                user,
                "items added",
                "Added " + ", ".join(item.reference for item in new) + ".",
            )
            Demand.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return len(new)


def remove_item(user, demand, item_id) -> None:
    with transaction.atomic():
        locked = _locked_draft(user, demand)
        item = locked.items.filter(pk=item_id).first()
        if item is None:
            return  # already removed: a repeated request changes nothing
        locked.items.remove(item)
        _event(locked, user, "item removed", f"Removed {item.reference} “{item.title}”.")


def update_demand(user, demand, *, respondent, response_days, paragraphs) -> None:
    with transaction.atomic():
        locked = _locked_draft(user, demand)
        changes = []
        if respondent.pk != locked.respondent_id:
            changes.append(f"respondent → {respondent.name}")
        if response_days != locked.response_days:
            changes.append(f"response period → {response_days} business days")
        if paragraphs != locked.paragraphs:
            changes.append("paragraphs edited")
        if not changes:
            return
        Demand.objects.filter(pk=locked.pk).update(
            respondent=respondent,
            response_days=response_days,
            paragraphs=paragraphs,
            updated_at=timezone.now(),
        )
        _event(locked, user, "edited", "; ".join(changes).capitalize() + ".")


def add_remedy(user, demand, *, text, kind=RemedyKind.OTHER) -> Remedy:
    with transaction.atomic():
        locked = _locked_draft(user, demand)
        last = locked.remedies.aggregate(m=Max("position"))["m"] or 0
        remedy = Remedy.objects.create(demand=locked, position=last + 1, kind=kind, text=text)
        _event(locked, user, "remedy added", f"Demand {remedy.position}: {text[:200]}")
    return remedy


def edit_remedy(user, remedy, *, text) -> None:
    with transaction.atomic():
        locked = _locked_draft(user, remedy.demand)
        current = locked.remedies.filter(pk=remedy.pk).first()
        if current is None or current.text == text:
            return
        Remedy.objects.filter(pk=current.pk).update(text=text)
        _event(locked, user, "remedy edited", f"Demand {current.position}: {text[:200]}")


def remove_remedy(user, remedy) -> None:
    """Remove a remedy and renumber the rest 1, 2, 3…"""
    with transaction.atomic():
        locked = _locked_draft(user, remedy.demand)
        current = locked.remedies.filter(pk=remedy.pk).first()
        if current is None:
            return
        current.delete()
        for position, rest in enumerate(locked.remedies.order_by("position", "id"), start=1):
            if rest.position != position:
                Remedy.objects.filter(pk=rest.pk).update(position=position)
        _event(locked, user, "remedy removed", f"Removed demand: {current.text[:200]}")
