"""The demo's letter says what Netflix's letter to ByteDance said, with its legal substance:
registered works, the statutes, a four-factor fair-use paragraph, a litigation hold, a
named addressee, a copy and a separate notice to each platform's designated agent."""

import io
import re

import pytest
from pypdf import PdfReader

from notices.demo import load_demo
from notices.letters import render_letter_html, render_letter_pdf, render_snapshot_pdf
from notices.models import Demand


def flat(text: str) -> str:
    """Lines joined (a word broken after its hyphen joined again), runs of spaces as one."""
    return re.sub(r"\s+", " ", re.sub(r"-\n", "-", text))


_LETTER: dict = {}


@pytest.fixture
def sent_letter(db):
    """The demo's sent letter as PDF: (platforms, reader, flat text of each page).

    Rendered once for the module; each test's demo rows are rolled back.
    """
    if not _LETTER:
        load_demo()
        demand = Demand.objects.get(rights_holder__code="NFLX", status="sent")
        pdf = render_snapshot_pdf(demand.sent_letter.snapshot, letter_version=1)
        reader = PdfReader(io.BytesIO(pdf))
        platforms = {item.platform for item in demand.items.select_related("platform")}
        _LETTER["value"] = (platforms, reader, [flat(p.extract_text()) for p in reader.pages])
    return _LETTER["value"]


def test_the_letter_names_registered_works_statutes_and_fair_use_factors(sent_letter):
    _, _, pages = sent_letter
    text = " ".join(pages)
    for reg in ["PA 2-000-101", "PA 2-000-202", "PA 2-000-303", "PA 2-000-404"]:
        assert f"U.S. Copyright Reg. No. {reg}" in text
    assert "17 U.S.C. § 106" in text and "17 U.S.C. § 501" in text
    assert "relies on 17 U.S.C. §§ 106 and 501–505" in text
    for section in ["§ 502", "§ 503", "§ 504", "§ 505"]:
        assert section in text
    assert "Fair use does not apply" in text
    for factor in ["(1) Purpose and character", "(2) Nature of the works", "(3) Amount and "]:
        assert factor in text
    assert "(4) Effect on the market" in text
    assert "Preservation of evidence (litigation hold)" in text
    assert "suspend any deletion" in text


def test_the_letter_says_what_netflixs_letter_said(sent_letter):
    text = " ".join(sent_letter[2])
    for quote in [
        "will not stand by and watch ByteDance treat our valued IP as free, public domain clip art",
        "unauthorized depictions of Season 4 content",
        "Sophie Baek's “Lady in Silver” gown",
        "high-fidelity reboots of the series finale",
        "“Red Light, Green Light” sets and the iconic Young-hee doll",
        "unauthorized crossovers",
        "specific visual style and character designs",
        "ByteDance's activities are willful, and constitute direct and secondary copyright "
        "infringement",
        "is not protected by fair use",
    ]:
        assert quote in text, quote


def test_addressee_agents_and_copies(sent_letter):
    platforms, _, pages = sent_letter
    text = " ".join(pages)
    assert "Dear Legal Department, ByteDance Ltd.:" in text
    assert len(platforms) == 3
    for platform in platforms:
        copy = f"Designated agent of {platform.name}: {platform.agent_name}"
        assert copy in text, copy
        # A page of its own for the platform's agent, naming the platform's items.
        notices = [p for p in pages if f"Notice of copyright infringement: {platform.name}" in p]
        assert len(notices) == 1
        assert platform.agent_email in notices[0]
        assert "17 U.S.C. § 512(c)(3)" in notices[0]
        assert ".." not in notices[0]
    assert "Netflix, Inc., Litigation Department" in text  # the template's own cc line


def test_the_third_party_app_is_not_said_to_be_bytedances(sent_letter):
    text = " ".join(sent_letter[2])
    assert "operated by or for ByteDance" not in text
    assert "an independent app, operated by ClipForge Labs, Inc. (not by ByteDance)" in text


def test_the_signature_stays_with_the_closing_paragraph(sent_letter):
    _, _, pages = sent_letter
    closing = [n for n, p in enumerate(pages) if "expressly reserved" in p]
    signature = [n for n, p in enumerate(pages) if "Director, Content Protection Legal" in p]
    assert closing and closing[0] == signature[0]


def test_us_holders_print_on_us_letter(sent_letter):
    _, reader, _ = sent_letter
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == (612, 792)


def test_an_a4_holder_prints_on_a4(db):
    load_demo()
    demand = Demand.objects.get(rights_holder__code="NFLX", status="sent")
    holder = demand.rights_holder
    holder.paper_size = "a4"
    holder.save(update_fields=["paper_size"])
    html = render_letter_html(Demand.objects.get(pk=demand.pk))
    assert '<html lang="en" class="paper-a4">' in html
    pdf = render_letter_pdf(Demand.objects.get(pk=demand.pk), demand.sent_letter.template)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == (595, 842)
