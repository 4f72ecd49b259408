"""What changed on a record and who changed it, from its django-simple-history rows.

Every save of a rights holder, franchise, protected element, item or letter
template (the admin's included) writes a history row; the admin shows them
under "History", and the item page lists the latest here.
"""

from django.utils.text import capfirst

SKIPPED = {"normalized_url", "updated_at"}  # derived from other fields


def changes(obj, limit: int = 20) -> list[dict]:
    """The latest ``limit`` changes of ``obj``, newest first: when, who, what kind, which fields.

    Two queries whatever the number of rows (many-to-many fields are left out
    of the comparison: their history is in the admin).
    """
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    excluded = SKIPPED | {f.name for f in obj._meta.many_to_many}
    labels = {f.name: f.verbose_name for f in obj._meta.fields}
    rows = []
    for newer, older in zip(records[:limit], records[1:] + [None], strict=False):
        fields = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=excluded)
            fields = [capfirst(str(labels.get(c.field, c.field))) for c in delta.changes]
        rows.append(
            {
                "at": newer.history_date,
                "by": newer.history_user,
                "kind": newer.get_history_type_display(),
                "fields": fields,
            }
        )
    return rows
