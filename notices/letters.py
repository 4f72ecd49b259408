"""The letter of a demand: the context of templates/letters/demand.html and its HTML.

Everything typed by people (titles, paragraphs, template text) reaches the
letter only through autoescaped template variables, so markup in it is shown as
text and never fetched.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from casework.choices import Conduct
from casework.models import Evidence, ProtectedElement
from notices.completeness import current_template


def paragraphs_of(text: str) -> list[str]:
    """Split text into paragraphs on blank lines; single newlines stay (shown as <br>)."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def exhibit_items(demand):
    """The demand's items in Exhibit A order, with what each row shows prefetched."""
    return (
        demand.items.select_related("platform", "franchise", "rights_holder")
        .prefetch_related(
            Prefetch("elements", queryset=ProtectedElement.objects.order_by("name")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("captured_at", "id")),
        )
        .order_by("franchise__name", "first_seen", "pk")
    )


def build_context(demand, template=None, *, letter_date: dt.date | None = None) -> dict:
    """Everything the letter says, computed from the demand and a template version."""
    template = template or current_template(demand.rights_holder_id)
    items = list(exhibit_items(demand))
    works: OrderedDict = OrderedDict()
    platforms: OrderedDict = OrderedDict()
    conducts: set[str] = set()
    for number, item in enumerate(items, start=1):
        item.exhibit_number = number
        work = works.setdefault(
            item.franchise.pk, {"franchise": item.franchise, "elements": {}, "count": 0}
        )
        work["count"] += 1
        for element in item.elements.all():
            work["elements"][element.pk] = element
        platform = platforms.setdefault(item.platform.pk, {"platform": item.platform, "count": 0})
        platform["count"] += 1
        conducts.add(item.conduct)
    for work in works.values():
        work["elements"] = sorted(work["elements"].values(), key=lambda e: e.name)
    conduct_labels = [Conduct(c).label.lower() for c in Conduct.values if c in conducts]
    if letter_date is None:
        letter_date = (
            timezone.localtime(demand.sent_at).date() if demand.sent_at else timezone.localdate()
        )
    return {
        "demand": demand,
        "holder": demand.rights_holder,
        "respondent": demand.respondent,
        "template": template,
        "letterhead_lines": template.letterhead.splitlines() if template else [],
        "contact_lines": template.contact_details.splitlines() if template else [],
        "letter_date": letter_date,
        "works": list(works.values()),
        "platforms": list(platforms.values()),
        "conducts": conduct_labels,
        "items": items,
        "remedies": list(demand.remedies.order_by("position", "id")),
        "paragraphs": paragraphs_of(demand.paragraphs),
        "deadline": demand.deadline,
        "response_days": demand.response_days,
    }


def render_letter_html(demand, template=None, *, letter_date=None) -> str:
    """The letter as an HTML document (the PDF's source and the browser preview)."""
    context = build_context(demand, template, letter_date=letter_date)
    return render_to_string("letters/demand.html", context)
