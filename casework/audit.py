"""What changed on a record and who changed it, from its django-simple-history rows.

Every save of a rights holder, franchise, protected element, item or letter
template (the admin's included) writes a history row; the admin shows them
under "History", and the item page lists the latest here as the record's
timeline: when, who, which fields went from what to what, and the reason given.
"""

from django.apps import apps
from django.utils.text import Truncator, capfirst

SKIPPED = {"normalized_url", "updated_at"}  # derived from other fields


def _shown(value, field, seen: dict) -> str:
    """``value`` of ``field`` as a person reads it; related rows named once per call (``seen``)."""
    if value in (None, ""):
        return "—"
    if getattr(field, "choices", None):
        value = dict(field.flatchoices).get(value, value)
    elif field is not None and field.is_relation:
        key = (field.related_model, value)
        if key not in seen:
            seen[key] = field.related_model._base_manager.filter(pk=value).first() or value
        value = seen[key]
    return Truncator(str(value)).chars(80)


def _m2m_sets(history_model, field, history_ids) -> dict[int, set[int]]:
    """The related ids each history row recorded for a many-to-many field (one query)."""
    name = f"{history_model.__name__}_{field.name}"
    try:
        through = apps.get_model(history_model._meta.app_label, name)
    except LookupError:
        return {}
    target = field.related_model._meta.model_name
    sets: dict[int, set[int]] = {hid: set() for hid in history_ids}
    for hid, pk in through.objects.filter(history_id__in=history_ids).values_list(
        "history_id", f"{target}_id"
    ):
        sets[hid].add(pk)
    return sets


def changes(obj, limit: int = 20) -> list[dict]:
    """The latest ``limit`` changes of ``obj``, newest first: when, who, what kind, what
    changed (old → new) and why.

    A fixed number of queries whatever the number of rows: one for the history, one
    per recorded many-to-many field, and one per distinct related row named.
    """
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    m2m_fields = [f for f in obj._meta.many_to_many if f.name in _recorded_m2m(obj.history.model)]
    excluded = SKIPPED | {f.name for f in obj._meta.many_to_many}
    fields = {f.name: f for f in obj._meta.fields}
    ids = [r.history_id for r in records]
    m2m = [(f, _m2m_sets(obj.history.model, f, ids)) for f in m2m_fields]
    rows, seen = [], {}
    for newer, older in zip(records[:limit], records[1:] + [None], strict=False):
        what = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=excluded)
            for c in delta.changes:
                field = fields.get(c.field)
                label = capfirst(str(field.verbose_name if field else c.field))
                old, new = _shown(c.old, field, seen), _shown(c.new, field, seen)
                what.append(f"{label}: {old} → {new}")
            for field, sets in m2m:
                before, after = sets.get(older.history_id, set()), sets.get(newer.history_id)
                if after is None or before == after:
                    continue
                names = field.related_model._base_manager.in_bulk(before ^ after)
                parts = [f"+{names.get(pk, pk)}" for pk in sorted(after - before)]
                parts += [f"−{names.get(pk, pk)}" for pk in sorted(before - after)]
                what.append(f"{capfirst(str(field.verbose_name))}: {', '.join(parts)}")
        rows.append(
            {
                "at": newer.history_date,
                "by": newer.history_user,
                "kind": newer.get_history_type_display(),
                "fields": what,
                "reason": newer.history_change_reason or "",
            }
        )
    return rows


def _recorded_m2m(history_model) -> set[str]:
    return {f.name for f in getattr(history_model, "_history_m2m_fields", [])}
