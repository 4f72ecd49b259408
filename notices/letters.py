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
from dataclasses import dataclass

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from casework.choices import Conduct, PaperSize
from casework.exports import lines, neutralise
from casework.models import Evidence, ProtectedElement
from notices.business_days import calendar_for, describe_deadline
from notices.choices import Channel, LetterPurpose
from notices.completeness import current_template
from notices.pdf import PdfAttachment

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
    "fair_use",
    "preservation",
    "cc",
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


def variant_order(items, holder_code: str):
    """Exhibit A's order with the copies of one variant group side by side (at the place
    of the group's first item), and {item id: group reference} of the groups that have
    two or more items in this demand: the exhibit lists such a group once."""
    blocks: list[list] = []
    by_group: dict[int, list] = {}
    for item in items:
        group = item.variant_group_id
        if group is None:
            blocks.append([item])
        elif group in by_group:
            by_group[group].append(item)
        else:
            by_group[group] = [item]
            blocks.append(by_group[group])
    variant_of = {
        item.pk: f"{holder_code}-V{group}"
        for group, members in by_group.items()
        if len(members) > 1
        for item in members
    }
    return [item for block in blocks for item in block], variant_of


def exhibit_rows(items: list[dict]) -> list[dict]:
    """Exhibit A's table rows: one per item, or one per variant group listing all its
    URLs (consecutive items of one ``variant``). A snapshot made before variant groups
    has no ``variant``: one row per item, as it was printed then."""
    rows: list[dict] = []
    for item in items:
        group = item.get("variant") or ""
        if group and rows and rows[-1]["group"] == group:
            rows[-1]["items"].append(item)
        else:
            rows.append({"group": group, "items": [item]})
    for row in rows:
        if not row["group"]:
            continue
        members = row["items"]
        elements = {}
        for item in members:
            for e in item["elements"]:
                elements.setdefault(e["name"], e)
        row.update(
            first_number=members[0]["exhibit_number"],
            last_number=members[-1]["exhibit_number"],
            platforms=list(dict.fromkeys(i["platform"]["name"] for i in members)),
            franchises=list(dict.fromkeys(i["franchise"]["name"] for i in members)),
            elements=[elements[name] for name in sorted(elements)],
            first_seen=min(i["first_seen"] for i in members),
            evidence=[ev for i in members for ev in i["evidence"]],
        )
    return rows


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
    items, variant_of = variant_order(list(exhibit_items(demand)), demand.rights_holder.code)
    works: OrderedDict = OrderedDict()
    platforms: OrderedDict = OrderedDict()
    conducts: set[str] = set()
    rows = []
    for number, item in enumerate(items, start=1):
        elements = [_element(e) for e in item.elements.all()]
        work = works.setdefault(
            item.franchise.pk,
            {
                "franchise": {
                    "name": item.franchise.name,
                    "registration_number": item.franchise.registration_number,
                },
                "elements": {},
                "count": 0,
            },
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
                    # what the letter says it is, and its designated agent
                    "description": item.platform.description,
                    "agent_name": item.platform.agent_name,
                    "agent_email": item.platform.agent_email,
                    "agent_address": item.platform.agent_address,
                },
                "count": 0,
                "numbers": [],
            },
        )
        platform["count"] += 1
        platform["numbers"].append(number)
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
                # The variant group it shares with other items of this demand, or "".
                "variant": variant_of.get(item.pk, ""),
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
        "holder": {"name": holder.name, "code": holder.code, "paper_size": holder.paper_size},
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
        # The PDF's dates, as the holder's clock read them: the same day as the letter.
        created=created.astimezone(calendar.zone).replace(microsecond=0).isoformat(),
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


def context_from_snapshot(snapshot: dict, *, letter_version=None) -> dict:
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
        exhibit_rows=exhibit_rows(items),
        letter_date=_date(snapshot.get("letter_date")),
        letterhead_lines=template.get("letterhead", "").splitlines(),
        contact_lines=template.get("contact_details", "").splitlines(),
    )
    # Legal sections, copies to platform agents, Exhibit A's CSV, paper and PDF metadata.
    context.update(legal_sections(snapshot.get("template")))
    context.update(
        agent_platforms=[p for p in snapshot.get("platforms", []) if has_agent(p["platform"])],
        exhibit_csv_name=exhibit_csv_name(snapshot),
        paper=paper_for((snapshot.get("holder") or {}).get("paper_size")),
        pdf_meta=pdf_metadata(snapshot, letter_version),
    )
    return context


def render_snapshot_html(snapshot: dict, *, letter_version=None) -> str:
    """The letter as an HTML document (the PDF's source and the browser preview)."""
    return render_to_string(
        "letters/demand.html", context_from_snapshot(snapshot, letter_version=letter_version)
    )


# --- Exhibit A's CSV, the PDF's metadata and paper, the legal sections -----------------------

EXHIBIT_CSV_COLUMNS = [
    "number",
    "reference",
    "url",
    "title",
    "platform",
    "franchise",
    "protected_elements",
    "identified",
    "evidence_files",
    "evidence_sha256",
]


def exhibit_csv_name(snapshot: dict) -> str:
    return f"{snapshot['demand']['reference']}-exhibit-a.csv"


def exhibit_csv(snapshot: dict) -> bytes:
    """Exhibit A as CSV (UTF-8), one row per item, cells formula-neutralised.

    Several evidence files of one item are listed in the same order in both evidence
    columns, separated by "; ".
    """

    def row(item):
        evidence = item.get("evidence", [])
        return [
            item["exhibit_number"],
            item["reference"],
            item["url"],
            item["title"],
            item["platform"]["name"],
            item["franchise"]["name"],
            "; ".join(e["name"] for e in item.get("elements", [])),
            str(item["first_seen"]),
            "; ".join(ev["original_name"] for ev in evidence),
            "; ".join(ev["sha256"] for ev in evidence),
        ]

    items = snapshot.get("items", [])
    table = [EXHIBIT_CSV_COLUMNS] + [[neutralise(v) for v in row(item)] for item in items]
    return "".join(lines(table)).encode()


def letter_attachments(snapshot: dict) -> list[PdfAttachment]:
    """The files a letter's PDF embeds: Exhibit A as CSV, dated like the letter."""
    created = dt.datetime.fromisoformat(snapshot["created"]) if snapshot.get("created") else None
    count = len(snapshot.get("items", []))
    return [
        PdfAttachment(
            name=exhibit_csv_name(snapshot),
            content=exhibit_csv(snapshot),
            description=f"Exhibit A to {snapshot['demand']['reference']} ({count} items, CSV)",
            created=created or dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        )
    ]


@dataclass(frozen=True)
class Paper:
    """A holder's paper: the class on <html> that letter.css's named pages size."""

    html_class: str
    label: str


PAPERS = {
    PaperSize.LETTER: Paper("paper-letter", "US Letter"),
    PaperSize.A4: Paper("paper-a4", "A4"),
}


def paper_for(paper_size) -> Paper:
    return PAPERS.get(paper_size, PAPERS[PaperSize.A4])


def pdf_metadata(snapshot: dict, letter_version=None) -> dict:
    """What the PDF's Info/XMP carry besides the dates: the signatory as author, the
    reference, the letter and template versions."""
    template = snapshot.get("template") or {}
    holder = (snapshot.get("holder") or {}).get("name", "")
    reference = snapshot["demand"]["reference"]
    template_version = template.get("version", "")
    keywords = [reference, "cease and desist", holder]
    if letter_version:
        keywords.append(f"letter version {letter_version}")
    if template_version:
        keywords.append(f"template version {template_version}")
    return {
        "author": template.get("signatory_name") or holder,
        "keywords": keywords,
        "letter_version": letter_version or "",
        "template_version": template_version,
    }


def has_agent(platform: dict) -> bool:
    """A platform with a designated agent gets a copy and a notice of its own items."""
    return bool(platform.get("agent_name") or platform.get("agent_email"))


def legal_sections(template: dict | None) -> dict:
    """The template's multi-paragraph sections, split on blank lines, and its cc lines."""
    template = template or {}
    return {
        "legal_basis": paragraphs_of(template.get("legal_basis", "")),
        "fair_use": paragraphs_of(template.get("fair_use", "")),
        "preservation": paragraphs_of(template.get("preservation", "")),
        "cc_lines": [line.strip() for line in template.get("cc", "").splitlines() if line.strip()],
    }


def render_letter_html(demand, template=None) -> str:
    """What a new draft of ``demand`` would print now (the preview before sending)."""
    template = template or current_template(demand.rights_holder_id)
    return render_snapshot_html(take_snapshot(demand, template))


def render_snapshot_pdf(snapshot: dict, *, letter_version=None) -> bytes:
    """A snapshot as the tagged PDF/A-3a a Letter stores, with Exhibit A attached as CSV."""
    from notices.pdf import html_to_pdf

    html = render_snapshot_html(snapshot, letter_version=letter_version)
    return html_to_pdf(html, attachments=letter_attachments(snapshot))


def render_letter_pdf(demand, template=None, *, letter_version=None) -> bytes:
    """What a new draft of ``demand`` would print now, as PDF (tests, previews)."""
    template = template or current_template(demand.rights_holder_id)
    return render_snapshot_pdf(take_snapshot(demand, template), letter_version=letter_version)
