"""Exhibit A of a 300-item letter with 120-character unbroken URLs, as a court reads it.

Every URL and every SHA-256 is one unbroken string in the text layer; no glyph leaves
its column or the page; the column header repeats on every exhibit page; the exhibit is
attached as a CSV listing every item; the PDF is tagged (Table structure) and carries
the reference, versions, date and signatory in its metadata.
"""

import csv
import datetime as dt
import hashlib
import io
import random
import re
import string

import pdfplumber
import pytest
import time_machine
from pypdf import PdfReader

from casework.choices import PaperSize
from casework.models import Evidence
from notices import drafting
from notices.letters import render_letter_pdf
from tests.factories import FranchiseFactory, ItemFactory, ProtectedElementFactory

N_ITEMS = 300
HEADER = ["#", "Reference", "URL", "Platform", "Protected elements", "Identified"]


def token_url(n: int) -> str:
    rng = random.Random(n)
    token = "".join(rng.choices(string.ascii_letters + string.digits, k=100))
    url = f"https://s.example/{n:05d}?token={token}"  # no break opportunity in the token
    return url


_RENDERED: dict = {}


@pytest.fixture
def exhibit_pdf(db):
    """One 300-item letter, rendered once for the module (each test's rows roll back)."""
    if not _RENDERED:
        _RENDERED.update(_render_300())
    return _RENDERED


def _render_300():
    from casework.choices import Role
    from notices.demo import template_fields_for
    from notices.models import LetterTemplate
    from tests.factories import PlatformFactory, RightsHolderFactory, UserFactory

    if True:  # one block: the rows the render reads
        holder = RightsHolderFactory(name="Netflix, Inc.", code="NFLX", paper_size=PaperSize.LETTER)
        template = LetterTemplate.objects.create(
            rights_holder=holder, version=4, **template_fields_for(holder)
        )
        legal = UserFactory(username="nf-legal-x", role=Role.LEGAL, holders=[holder])
        platform = PlatformFactory(name="Seedance 2.0")
        squid = FranchiseFactory(rights_holder=holder, name="Squid Game")
        doll = ProtectedElementFactory(franchise=squid, name="Young-hee doll")
        items = [
            ItemFactory(
                rights_holder=holder,
                franchise=squid,
                platform=platform,
                url=token_url(n),
                title=f"Clip {n}",
                elements=[doll],
                first_seen=dt.date(2026, 2, 14),
            )
            for n in range(N_ITEMS)
        ]
        hashes = {}
        for n, item in enumerate(items):
            count = 2 if n % 10 == 0 else 1  # some items have two evidence files
            for k in range(count):
                sha = hashlib.sha256(f"{n}-{k}".encode()).hexdigest()
                Evidence.objects.create(
                    item=item,
                    file=f"evidence/x/{n}-{k}.png",
                    original_name=f"capture-{n}-{k}.png",
                    content_type="image/png",
                    size=10,
                    sha256=sha,
                )
                hashes[sha] = f"capture-{n}-{k}.png"
        demand = drafting.draft_demand(legal, [i.pk for i in items])
        with time_machine.travel(dt.datetime(2026, 11, 25, 15, tzinfo=dt.UTC)):
            pdf = render_letter_pdf(demand, template, letter_version=3)
        reference = demand.reference
        urls = [i.url for i in items]
    return {
        "pdf": pdf,
        "urls": urls,
        "hashes": hashes,
        "reference": reference,
        "signatory": template.signatory_name,
    }


@pytest.fixture
def plumbed(exhibit_pdf):
    with pdfplumber.open(io.BytesIO(exhibit_pdf["pdf"])) as pdf:
        pages = []
        for page in pdf.pages:
            pages.append(
                {
                    "width": page.width,
                    "height": page.height,
                    "text": page.extract_text() or "",
                    "chars": page.chars,
                    "lines": page.extract_text_lines(),
                }
            )
    return pages


def exhibit_pages(pages):
    start = next(i for i, p in enumerate(pages) if "Exhibit A: infringing items" in p["text"])
    return pages[start:]


def header_row(page):
    """The repeated header line: its text and the x where each column title starts."""
    for line in page["lines"]:
        if line["text"].startswith("# Reference URL Platform"):
            return line
    return None


def test_exhibit_is_on_us_letter_landscape_and_the_header_repeats(plumbed, exhibit_pdf):
    pages = exhibit_pages(plumbed)
    assert len(pages) >= 5
    for number, page in enumerate(pages):
        assert (round(page["width"]), round(page["height"])) == (792, 612)  # Letter landscape
        assert header_row(page) is not None, f"no column header on exhibit page {number + 1}"
        continued = f"Exhibit A (continued) · {exhibit_pdf['reference']}"
        if number == 0:
            assert continued not in page["text"]
        else:
            assert continued in page["text"]
    assert (round(plumbed[0]["width"]), round(plumbed[0]["height"])) == (612, 792)


def test_every_url_and_hash_is_one_unbroken_string_in_the_text_layer(exhibit_pdf):
    reader = PdfReader(io.BytesIO(exhibit_pdf["pdf"]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "\u200b" not in text and "\u00ad" not in text
    # A wrapped URL continues on the next line of its cell: the text layer holds its
    # characters in order with nothing added between them.
    joined = re.sub(r"\n", "", text)
    for url in exhibit_pdf["urls"]:
        assert url in joined, url
    # A SHA-256 is printed on one line, so it is found exactly as it is.
    lines = set(text.splitlines())
    for sha in exhibit_pdf["hashes"]:
        assert sha in lines, sha


def test_urls_are_links(exhibit_pdf):
    reader = PdfReader(io.BytesIO(exhibit_pdf["pdf"]))
    uris = {
        annot.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Subtype") == "/Link" and "/A" in annot.get_object()
    }
    assert set(exhibit_pdf["urls"]) <= uris


PAD = 1.5 * 72 / 25.4 + 0.5  # cell padding and border, in points
RIGHT_EDGE = 792 - 12 * 72 / 25.4  # the landscape page's right margin


def columns(page):
    """(left, right) of each exhibit column, from where the header titles start."""
    head = header_row(page)
    starts = []
    for title in [*HEADER, "Evidence:"]:
        first = title.split()[0]
        word = next(w for w in _words(page, head) if w["text"] == first)
        starts.append(word["x0"] - PAD)
    return head, list(zip(starts, [*starts[1:], RIGHT_EDGE], strict=True))


def body_chars(page, head):
    return [c for c in page["chars"] if c["top"] > head["bottom"] + 1 and c["text"].strip()]


def test_hashes_are_labelled_with_their_file_name(plumbed, exhibit_pdf):
    found = {}
    for page in exhibit_pages(plumbed):
        head, bounds = columns(page)
        left = bounds[6][0]
        chars = [c for c in body_chars(page, head) if c["x0"] >= left]
        lines = _lines(chars)
        for above, line in zip(lines, lines[1:], strict=False):
            if len(line) == 64 and set(line) <= set("0123456789abcdef"):
                found[line] = above
    assert found == exhibit_pdf["hashes"]


def _lines(chars):
    rows = {}
    for c in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        rows.setdefault(round(c["top"], 1), []).append(c["text"])
    return ["".join(texts) for _, texts in sorted(rows.items())]


def test_no_glyph_leaves_its_column_or_the_page(plumbed, exhibit_pdf):
    url_glyphs = 0
    for number, page in enumerate(exhibit_pages(plumbed)):
        head, bounds = columns(page)
        for char in body_chars(page, head):
            assert char["bottom"] <= page["height"] and char["x0"] >= 0
            if char["top"] > page["height"] - 18 * 72 / 25.4:  # the footer
                continue
            column = max(i for i, (left, _) in enumerate(bounds) if char["x0"] >= left - 0.5)
            left, right = bounds[column]
            assert char["x1"] <= right + 0.5, (number + 1, column, char["text"], char["x1"], right)
            if column == 2 and char["fontname"].endswith("Mono"):
                url_glyphs += 1
        # Hash digits sit in the evidence column, URL glyphs in the URL column.
        for char in body_chars(page, head):
            if char["fontname"].endswith("Mono") and char["size"] < 6:
                assert char["x0"] >= bounds[6][0]
            elif char["fontname"].endswith("Mono"):
                assert bounds[2][0] <= char["x0"] and char["x1"] <= bounds[2][1] + 0.5
    assert url_glyphs == sum(len(url) for url in exhibit_pdf["urls"])


def test_the_csv_attachment_lists_every_item(exhibit_pdf):
    reader = PdfReader(io.BytesIO(exhibit_pdf["pdf"]))
    files = reader.attachments
    name = f"{exhibit_pdf['reference']}-exhibit-a.csv"
    assert list(files) == [name]
    rows = list(csv.DictReader(io.StringIO(files[name][0].decode())))
    assert [r["url"] for r in rows] == exhibit_pdf["urls"]
    assert [r["number"] for r in rows] == [str(n) for n in range(1, N_ITEMS + 1)]
    listed = {sha for r in rows for sha in r["evidence_sha256"].split("; ")}
    assert listed == set(exhibit_pdf["hashes"])


def test_metadata_names_reference_versions_date_and_signatory(exhibit_pdf):
    reader = PdfReader(io.BytesIO(exhibit_pdf["pdf"]))
    info = reader.metadata
    assert info["/Author"] == exhibit_pdf["signatory"]
    assert exhibit_pdf["reference"] in info["/Keywords"]
    assert "letter version 3" in info["/Keywords"]
    assert "template version 4" in info["/Keywords"]
    assert info["/reference"] == exhibit_pdf["reference"]
    assert info["/letterversion"] == "3"
    assert info["/templateversion"] == "4"
    assert info["/CreationDate"].startswith("D:20261125")
    xmp = reader.xmp_metadata
    assert xmp.pdfaid_part == "3" and xmp.pdfaid_conformance == "A"


def test_the_pdf_is_tagged_with_a_table_structure(exhibit_pdf):
    reader = PdfReader(io.BytesIO(exhibit_pdf["pdf"]))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    tree = root["/StructTreeRoot"].get_object()
    seen = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        kids = kids if isinstance(kids, list) else [kids]
        for kid in kids:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                if "/S" in kid:
                    seen.add(kid["/S"])
                stack.append(kid)
    assert {"/Table", "/TR", "/TH", "/TD"} <= seen


def _words(page, head):
    """Words of the header line with the x where each starts."""
    chars = sorted(
        (c for c in page["chars"] if abs(c["top"] - head["top"]) < 2), key=lambda c: c["x0"]
    )
    words, word, first, last = [], "", None, None
    for c in chars:
        if c["text"] == " " or (last is not None and c["x0"] - last["x1"] > 1.5):
            if word:
                words.append({"text": word, "x0": first["x0"]})
            word, first = "", None
        if c["text"] != " ":
            if not word:
                first = c
            word += c["text"]
        last = c
    if word:
        words.append({"text": word, "x0": first["x0"]})
    return words
