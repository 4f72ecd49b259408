"""The letter of a demand: the context of templates/letters/demand.html and its HTML.

Everything typed by people (titles, paragraphs, template text) reaches the
letter only through autoescaped template variables, so markup in it is shown as
text and never fetched.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from casework.choices import Conduct, PaperSize
from casework.exports import lines, neutralise
from casework.models import Evidence, ProtectedElement
from notices.completeness import current_template
from notices.pdf import PdfAttachment, html_to_pdf


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


# --- Exhibit A, the PDF's metadata and paper ---------------------------------------------

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


def exhibit_csv_name(demand) -> str:
    return f"{demand.reference}-exhibit-a.csv"


def exhibit_csv(items) -> bytes:
    """Exhibit A as CSV (UTF-8), one row per item, cells formula-neutralised.

    ``items`` are numbered exhibit items (``build_context``'s). Several evidence files of
    one item are listed in the same order in both evidence columns, separated by "; ".
    """

    def row(item):
        evidence = list(item.evidence.all())
        return [
            item.exhibit_number,
            item.reference,
            item.url,
            item.title,
            item.platform.name,
            item.franchise.name,
            "; ".join(e.name for e in item.elements.all()),
            item.first_seen.isoformat(),
            "; ".join(ev.original_name for ev in evidence),
            "; ".join(ev.sha256 for ev in evidence),
        ]

    table = [EXHIBIT_CSV_COLUMNS] + [[neutralise(v) for v in row(item)] for item in items]
    return "".join(lines(table)).encode()


@dataclass(frozen=True)
class Paper:
    """A holder's paper: the class on <html> that letter.css's named pages size."""

    html_class: str
    label: str


PAPERS = {
    PaperSize.LETTER: Paper("paper-letter", "US Letter"),
    PaperSize.A4: Paper("paper-a4", "A4"),
}


def paper_for(holder) -> Paper:
    return PAPERS.get(getattr(holder, "paper_size", None), PAPERS[PaperSize.A4])


def pdf_metadata(demand, template, letter_date: dt.date, letter_version=None) -> dict:
    """What the PDF's Info/XMP carry: the signatory as author, reference, versions, date."""
    template_version = template.version if template else ""
    author = template.signatory_name if template else demand.rights_holder.name
    keywords = [demand.reference, "cease and desist", demand.rights_holder.name]
    if letter_version:
        keywords.append(f"letter version {letter_version}")
    if template_version:
        keywords.append(f"template version {template_version}")
    return {
        "author": author,
        "keywords": keywords,
        "created": letter_date.isoformat(),
        "letter_version": letter_version or "",
        "template_version": template_version,
    }


def has_agent(platform) -> bool:
    """A platform with a designated agent gets a copy and a notice of its own items."""
    return bool(platform.agent_name or platform.agent_email)


def legal_sections(template) -> dict:
    """The template's multi-paragraph sections, split on blank lines, and its cc lines."""
    if template is None:
        return {"legal_basis": [], "fair_use": [], "preservation": [], "cc_lines": []}
    return {
        "legal_basis": paragraphs_of(template.legal_basis),
        "fair_use": paragraphs_of(template.fair_use),
        "preservation": paragraphs_of(template.preservation),
        "cc_lines": [line.strip() for line in template.cc.splitlines() if line.strip()],
    }


# --- the letter's context ------------------------------------------------------------------


def build_context(
    demand, template=None, *, letter_date: dt.date | None = None, letter_version=None
) -> dict:
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
        platform = platforms.setdefault(
            item.platform.pk, {"platform": item.platform, "count": 0, "numbers": []}
        )
        platform["count"] += 1
        platform["numbers"].append(number)
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
        # Legal substance: paragraphs of the template's sections, copies to platform agents.
        **legal_sections(template),
        "agent_platforms": [p for p in platforms.values() if has_agent(p["platform"])],
        # Exhibit A, metadata and paper (see the functions above).
        "exhibit_csv_name": exhibit_csv_name(demand),
        "pdf_meta": pdf_metadata(demand, template, letter_date, letter_version),
        "paper": paper_for(demand.rights_holder),
    }


def render_letter_html(demand, template=None, *, letter_date=None, letter_version=None) -> str:
    """The letter as an HTML document (the PDF's source and the browser preview)."""
    context = build_context(
        demand, template, letter_date=letter_date, letter_version=letter_version
    )
    return render_to_string("letters/demand.html", context)


def render_letter_pdf(demand, template=None, *, letter_date=None, letter_version=None) -> bytes:
    """The letter as tagged PDF/A-3a, with Exhibit A attached as a CSV file."""
    context = build_context(
        demand, template, letter_date=letter_date, letter_version=letter_version
    )
    html = render_to_string("letters/demand.html", context)
    stamp = dt.datetime.combine(context["letter_date"], dt.time(), tzinfo=dt.UTC)
    exhibit = PdfAttachment(
        name=context["exhibit_csv_name"],
        content=exhibit_csv(context["items"]),
        description=f"Exhibit A to {demand.reference} ({len(context['items'])} items, CSV)",
        created=stamp,
    )
    # The items and their prefetched rows are not needed for the layout: free them first,
    # so WeasyPrint reuses their memory (a 1,000-row letter's peak is mostly layout boxes).
    del context
    gc.collect()
    return html_to_pdf(html, attachments=[exhibit])
