"""The letter of a demand: its snapshot, the context of templates/letters/demand.html, its HTML.

A Letter version prints only its ``snapshot``: the case data (holder,
respondent, items, elements, evidence fingerprints, remedies, paragraphs,
template text) and the dates, channel and deadline, taken once when the
version is made. Rendering one version twice therefore gives the same
document, and a sent letter's preview shows what was sent, whatever changed
in the case since.

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
from notices.business_days import calendar_for, describe_deadline
from notices.choices import Channel, LetterPurpose
from notices.completeness import current_template

SNAPSHOT_FORMAT = 1
TEMPLATE_FIELDS = [
    "version",
    "letterhead",
    "signatory_name",
    "signatory_title",
    "contact_details",
    "opening",
    "legal_basis",
    "consequences",
    "good_faith_statement",
    "accuracy_statement",
    "closing",
]


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


def channel_line(channels) -> str:
    """ "By email and courier": the channels actually used, in the order chosen."""
    labels = [Channel(c).label.lower() for c in channels]
    if not labels:
        return ""
    if len(labels) == 1:
        return f"By {labels[0]}"
    return "By " + ", ".join(labels[:-1]) + " and " + labels[-1]


def _element(element) -> dict:
    return {
        "name": element.name,
        "get_kind_display": element.get_kind_display(),
        "registration_number": element.registration_number,
    }


def case_data(demand, template) -> dict:
    """The case as the letter states it: everything but the dates, channel and mark."""
    items = list(exhibit_items(demand))
    works: OrderedDict = OrderedDict()
    platforms: OrderedDict = OrderedDict()
    conducts: set[str] = set()
    rows = []
    for number, item in enumerate(items, start=1):
        elements = [_element(e) for e in item.elements.all()]
        work = works.setdefault(
            item.franchise.pk,
            {"franchise": {"name": item.franchise.name}, "elements": {}, "count": 0},
        )
        work["count"] += 1
        for element, data in zip(item.elements.all(), elements, strict=True):
            work["elements"][element.pk] = data
        platform = platforms.setdefault(
            item.platform.pk,
            {
                "platform": {
                    "name": item.platform.name,
                    "get_kind_display": item.platform.get_kind_display(),
                    "url": item.platform.url,
                },
                "count": 0,
            },
        )
        platform["count"] += 1
        conducts.add(item.conduct)
        rows.append(
            {
                "exhibit_number": number,
                "reference": item.reference,
                "url": item.url,
                "title": item.title,
                "platform": {"name": item.platform.name},
                "franchise": {"name": item.franchise.name},
                "first_seen": item.first_seen,
                "elements": elements,
                "evidence": [
                    {"sha256": ev.sha256, "original_name": ev.original_name}
                    for ev in item.evidence.all()
                ],
            }
        )
    for work in works.values():
        work["elements"] = sorted(work["elements"].values(), key=lambda e: e["name"])
    respondent = demand.respondent
    holder = demand.rights_holder
    return {
        "demand": {"reference": demand.reference},
        "holder": {"name": holder.name, "code": holder.code},
        "respondent": {
            "name": respondent.name,
            "agent_name": respondent.agent_name,
            "agent_email": respondent.agent_email,
            "legal_address": respondent.legal_address,
        },
        "template": (
            {name: getattr(template, name) for name in TEMPLATE_FIELDS} if template else None
        ),
        "works": list(works.values()),
        "platforms": list(platforms.values()),
        "conducts": [Conduct(c).label.lower() for c in Conduct.values if c in conducts],
        "items": rows,
        "remedies": [
            {"position": r.position, "kind": r.kind, "text": r.text}
            for r in demand.remedies.order_by("position", "id")
        ],
        "paragraphs": paragraphs_of(demand.paragraphs),
        "response_days": demand.response_days,
    }


def take_snapshot(
    demand, template, *, purpose: str = LetterPurpose.DRAFT, at: dt.datetime | None = None
) -> dict:
    """Everything a new Letter version of ``demand`` prints, as JSON-ready data.

    A draft is dated the day it is made and has no deadline yet; the letter of
    record is dated the day it was sent and names its channels and its
    concrete deadline (the demand must already carry them).
    """
    calendar = calendar_for(demand.rights_holder)
    at = at or timezone.now()
    data = case_data(demand, template)
    if purpose == LetterPurpose.RECORD:
        letter_date = calendar.local_date(demand.sent_at)
        created = demand.sent_at
        deadline_at = demand.deadline_at.astimezone(calendar.zone)
        data.update(
            channel_line=channel_line(demand.channels),
            deadline_text=describe_deadline(deadline_at),
            deadline_at=deadline_at.isoformat(),
            mark="",
        )
    else:
        letter_date = calendar.local_date(at)
        created = at
        data.update(channel_line="", deadline_text="", deadline_at=None, mark="DRAFT")
    data.update(
        format=SNAPSHOT_FORMAT,
        purpose=str(purpose),
        letter_date=letter_date,
        created=created.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
    )
    return data


def copy_snapshot(record: dict, *, on: dt.date) -> dict:
    """A re-render of a sent letter for the file: the sent text, stamped COPY."""
    data = dict(record)
    data.update(
        purpose=str(LetterPurpose.COPY),
        mark=f"COPY — re-rendered on {on:%B} {on.day}, {on.year}",
    )
    return data


class Related(list):
    """A list that answers ``.all`` like a related manager (the template's ``e.elements.all``)."""

    def all(self):
        return self


def _date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def context_from_snapshot(snapshot: dict) -> dict:
    """The template context of a snapshot (dates back to dates, relations answering .all)."""
    context = dict(snapshot)
    items = []
    for row in snapshot.get("items", []):
        row = dict(row)
        row["first_seen"] = _date(row.get("first_seen"))
        row["elements"] = Related(row.get("elements", []))
        row["evidence"] = Related(row.get("evidence", []))
        items.append(row)
    template = snapshot.get("template") or {}
    context.update(
        items=items,
        letter_date=_date(snapshot.get("letter_date")),
        letterhead_lines=template.get("letterhead", "").splitlines(),
        contact_lines=template.get("contact_details", "").splitlines(),
    )
    return context


def render_snapshot_html(snapshot: dict) -> str:
    """The letter as an HTML document (the PDF's source and the browser preview)."""
    return render_to_string("letters/demand.html", context_from_snapshot(snapshot))


def render_letter_html(demand, template=None) -> str:
    """What a new draft of ``demand`` would print now (the preview before sending)."""
    template = template or current_template(demand.rights_holder_id)
    return render_snapshot_html(take_snapshot(demand, template))
