"""What a demand's letter still lacks before it can be submitted or approved.

``missing(demand)`` returns plain sentences, empty when nothing is missing; the
workflow refuses submission and approval while the list is not empty, and the
demand page shows it.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from notices.models import LetterTemplate


class Gap(str):
    """One missing thing, as a sentence; ``links`` are (label, URL) pairs of the pages
    where it is fixed (the demand page shows them as links after ``lead``)."""

    lead: str = ""
    links: tuple = ()

    @classmethod
    def with_links(cls, lead: str, links) -> Gap:
        links = tuple(links)
        gap = cls(lead + ", ".join(label for label, _ in links))
        gap.lead, gap.links = lead, links
        return gap


def current_template(rights_holder):
    """The newest letter template version of a rights holder, or None."""
    return LetterTemplate.objects.filter(rights_holder=rights_holder).order_by("-version").first()


def exhibit_too_large(count: int) -> str:
    """Why a letter listing ``count`` items is refused, or "" when it is not too large."""
    limit = settings.LETTER_MAX_EXHIBIT_ITEMS
    if count <= limit:
        return ""
    return (
        f"a smaller Exhibit A: one letter lists at most {limit:,} items and this demand "
        f"has {count:,}; split it into several demands (by platform or franchise)"
    )


def missing(demand, template=None) -> list[str]:
    """What the letter still lacks (signatory, contact, works, items, statements, deadline).

    An item without protected elements is named with a link to its edit page.
    """
    gaps: list[str] = []
    template = template or current_template(demand.rights_holder_id)
    if template is None:
        return ["a letter template for this rights holder"]
    if not template.signatory_name.strip() or not template.signatory_title.strip():
        gaps.append("a signatory (name and title)")
    if not template.contact_details.strip():
        gaps.append("contact details for the reply")
    if not template.good_faith_statement.strip():
        gaps.append("the good-faith statement")
    if not template.accuracy_statement.strip():
        gaps.append("the accuracy statement")
    if not template.legal_basis.strip():
        gaps.append("the legal basis")
    items = list(demand.items.all().prefetch_related("elements"))
    if not items:
        gaps.append("at least one infringing item")
    elif too_large := exhibit_too_large(len(items)):
        gaps.append(too_large)
    else:
        unnamed = sorted(
            (item.reference, reverse("casework:item-edit", args=[item.pk]))
            for item in items
            if not item.elements.all()
        )
        if unnamed:
            gaps.append(
                Gap.with_links(
                    "the works identified: no protected element named for item(s) ", unnamed
                )
            )
    if not demand.remedies.exists():
        gaps.append("at least one numbered demand (remedy)")
    if not demand.response_days or demand.response_days < 1:
        gaps.append("a deadline (a response period of at least one business day)")
    return gaps
