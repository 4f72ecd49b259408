"""Demand references: "NFLX-2026-0007", sequential per rights holder and year.

The counter row is locked while a number is taken, inside the caller's
transaction: two people drafting at once get consecutive numbers, and a
rolled-back draft gives its number back, so there are no gaps.
"""

from django.db import transaction

from notices.models import DemandCounter


def format_reference(code: str, year: int, number: int) -> str:
    return f"{code}-{year}-{number:04d}"


def take_number(rights_holder, year: int) -> int:
    """Reserve the next demand number; must run inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number must run inside transaction.atomic().")
    DemandCounter.objects.get_or_create(rights_holder=rights_holder, year=year)
    counter = DemandCounter.objects.select_for_update().get(rights_holder=rights_holder, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number
