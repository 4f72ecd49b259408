"""A sent demand as a Lumen notice: the JSON body of Lumen's create-notice API.

Lumen (lumendatabase.org, Berkman Klein Center) publishes takedown notices for
research and transparency. ``lumen_notice(demand)`` gives the request a sender
would POST to ``https://lumendatabase.org/notices`` (without the authentication
token, which is added when submitting), checked against the JSON Schema in
``notices/schemas/lumen_notice.schema.json`` (written from Lumen's documentation
and code; the sources are in its ``$comment``).

What the letter said comes from the letter of record's snapshot, so the export
matches what was sent whatever changed in the case since: the reference, the
date, the respondent, the signatory, one work per franchise (its registration
and the protected elements named) with the demand's item URLs as its infringing
URLs. Only ``action_taken`` is read live, from the remedies' compliance.

Contact details of people (the signatory's email and telephone, the
letterhead's street address) go only to holders that opted in
(``RightsHolder.lumen_share_contacts``): Lumen publishes what it receives.
The respondent's designated agent is never named.

The demand page's download (``notices.views.demand_lumen``) and the REST API's
``/api/v1/demands/{id}/lumen/`` both call ``lumen_notice``; ``refusal`` says
why a demand cannot be exported (both show that text).
"""

from __future__ import annotations

import functools
import json
import re
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import jsonschema
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from notices.choices import DemandStatus, LetterPurpose, RemedyStatus

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "lumen_notice.schema.json"
NOTICE_TYPE = "DMCA"
# Letters are written in English (templates/letters/demand.html).
LANGUAGE = "en"
TITLE_MAX = 255  # Lumen's DMCA notices (app/models/dmca.rb)
SUBJECT_WORKS = 3  # franchises named in the subject before "and N more"

_EMAIL = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
_PHONE = re.compile(r"^\+?[\d\s().\-/]{6,}$")


class LumenExportRefused(Exception):
    """The demand cannot be exported (not sent, or no letter of record); says why."""


class LumenSchemaError(ValueError):
    """The built notice does not match the schema: a bug here, named by its JSON path."""


# --- Rules ---------------------------------------------------------------------------------


def refusal(demand) -> str | None:
    """Why ``demand`` cannot be exported to Lumen, in words; None when it can."""
    reference = demand.reference
    if demand.sent_letter_id is None:
        if demand.status == DemandStatus.WITHDRAWN:
            return (
                f"Demand {reference} was withdrawn before it was sent: there is no notice "
                "to export to Lumen."
            )
        status = DemandStatus(demand.status).label.lower()
        return (
            f"Demand {reference} is {status}: it can be exported to Lumen once it is sent "
            "(the export is its letter of record)."
        )
    snapshot = demand.sent_letter.snapshot or {}
    if snapshot.get("purpose") != LetterPurpose.RECORD or not snapshot.get("items"):
        return (
            f"Demand {reference} has no letter of record to export to Lumen (it was marked "
            "sent without one)."
        )
    return None


def action_taken(statuses: Iterable[str]) -> str:
    """Lumen's ``action_taken`` from the remedies' compliance.

    Every remedy complied: "Yes"; some complied or partly: "Partial"; none complied
    and one refused: "No"; nothing answered yet (or no remedies): "Unspecified".
    """
    statuses = list(statuses)
    if statuses and all(s == RemedyStatus.COMPLIED for s in statuses):
        return "Yes"
    if any(s in (RemedyStatus.COMPLIED, RemedyStatus.PARTLY_COMPLIED) for s in statuses):
        return "Partial"
    if any(s == RemedyStatus.REFUSED for s in statuses):
        return "No"
    return "Unspecified"


def lumen_notice(demand) -> dict:
    """The Lumen create-notice request of a sent ``demand``, checked against the schema.

    Raises ``LumenExportRefused`` (with the reason in words) for a demand not sent.
    """
    why = refusal(demand)
    if why:
        raise LumenExportRefused(why)
    holder = demand.rights_holder
    document = build_notice(
        demand.sent_letter.snapshot,
        remedy_statuses=demand.remedies.values_list("status", flat=True),
        share_contacts=holder.lumen_share_contacts,
        country=holder.country,
    )
    validate(document)
    return document


def build_notice(
    snapshot: dict, *, remedy_statuses: Iterable[str], share_contacts: bool, country: str = ""
) -> dict:
    """The request from a letter of record's snapshot (no database access)."""
    reference = snapshot["demand"]["reference"]
    holder = snapshot["holder"]["name"]
    respondent = snapshot["respondent"]["name"]
    works = _works(snapshot)
    names = [w["franchise"]["name"] for w in snapshot.get("works", [])]
    return {
        "notice": {
            "type": NOTICE_TYPE,
            "title": _clip(f"Cease-and-desist demand {reference} from {holder} to {respondent}"),
            "subject": _subject(names),
            "date_sent": str(snapshot["letter_date"]),
            "language": LANGUAGE,
            "action_taken": action_taken(remedy_statuses),
            "works_attributes": works,
            "entity_notice_roles_attributes": _roles(snapshot, share_contacts, country),
        }
    }


# --- Parts ---------------------------------------------------------------------------------


def _clip(text: str, limit: int = TITLE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _subject(names: list[str]) -> str:
    shown = names[:SUBJECT_WORKS]
    rest = len(names) - len(shown)
    listed = ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")
    return f"Copyright: AI-generated copies of {listed}" if listed else "Copyright"


def _work_description(work: dict) -> str:
    franchise = work["franchise"]
    text = franchise["name"]
    if franchise.get("registration_number"):
        text += f" (registration {franchise['registration_number']})"
    elements = [f"{e['name']} ({e['get_kind_display'].lower()})" for e in work.get("elements", [])]
    if elements:
        text += ". Protected elements copied: " + "; ".join(elements) + "."
    return text


def _works(snapshot: dict) -> list[dict]:
    """One work per franchise, in the letter's order, with its items' URLs as infringing URLs."""
    urls: OrderedDict[str, list[str]] = OrderedDict(
        (w["franchise"]["name"], []) for w in snapshot.get("works", [])
    )
    for item in snapshot.get("items", []):
        urls.setdefault(item["franchise"]["name"], []).append(item["url"])
    described = {w["franchise"]["name"]: w for w in snapshot.get("works", [])}
    return [
        {
            "description": _work_description(
                described.get(name, {"franchise": {"name": name}, "elements": []})
            ),
            # The works themselves have no URL in Desist: Lumen takes an empty list.
            "copyrighted_urls_attributes": [],
            "infringing_urls_attributes": [{"url": url} for url in item_urls],
        }
        for name, item_urls in urls.items()
    ]


def _contacts(snapshot: dict) -> dict:
    """The signatory's email, telephone and the letterhead's street address, as printed."""
    template = snapshot.get("template") or {}
    found: dict = {}
    for line in (template.get("contact_details") or "").splitlines():
        line = line.strip()
        match = _EMAIL.search(line)
        if match and "email" not in found:
            try:
                validate_email(match.group())
            except ValidationError:
                pass
            else:
                found["email"] = match.group()
                continue
        if _PHONE.match(line) and sum(c.isdigit() for c in line) >= 6 and "phone" not in found:
            found["phone"] = line
    lines = [line.strip() for line in (template.get("letterhead") or "").splitlines()]
    lines = [line for line in lines if line]
    if lines and lines[0] == snapshot["holder"]["name"]:
        lines = lines[1:]
    if lines:
        found["address_line_1"] = lines[0][:255]
        if lines[1:]:
            found["address_line_2"] = ", ".join(lines[1:])
    return found


def _roles(snapshot: dict, share_contacts: bool, country: str) -> list[dict]:
    template = snapshot.get("template") or {}
    holder = snapshot["holder"]["name"]
    located = {"country_code": country} if re.fullmatch(r"[A-Z]{2}", country or "") else {}
    contacts = _contacts(snapshot) if share_contacts else {}
    address = {k: v for k, v in contacts.items() if k.startswith("address_")}
    sender = {
        "name": template.get("signatory_name") or holder,
        "kind": "individual" if template.get("signatory_name") else "organization",
        **contacts,
        **located,
    }
    principal = {"name": holder, "kind": "organization", **address, **located}
    recipient = {"name": snapshot["respondent"]["name"], "kind": "organization"}
    return [
        {"name": "sender", "entity_attributes": sender},
        {"name": "principal", "entity_attributes": principal},
        {"name": "recipient", "entity_attributes": recipient},
    ]


# --- Schema and file -----------------------------------------------------------------------


@functools.cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator():
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema())
    return cls(schema(), format_checker=cls.FORMAT_CHECKER)


def errors(document) -> list[str]:
    """Every way ``document`` breaks the schema, each named by its JSON path."""
    found = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in found]


def validate(document) -> None:
    problems = errors(document)
    if problems:
        raise LumenSchemaError("The Lumen notice does not match its schema: " + "; ".join(problems))


def dumps(document: dict) -> str:
    """The file's text: UTF-8 JSON, indented, characters as they are."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def filename(demand) -> str:
    return f"{demand.reference}-lumen.json"
