"""Exhibit A lists a variant group once, with all its URLs; the exhibit stays a real
table in a tagged PDF, its CSV still lists every URL, and a snapshot taken before
variant groups prints as it did."""

import io

from bs4 import BeautifulSoup
from pypdf import PdfReader

from casework import variants
from notices import letters


def test_a_group_is_one_row_with_all_its_urls(netflix, items, draft):
    doll, red_light, gown = items
    variants.apply_pairs(netflix.pk, [(doll.pk, gown.pk)])  # the same clip, two URLs
    group = f"NFLX-V{type(doll).objects.get(pk=doll.pk).variant_group_id}"

    snapshot = letters.take_snapshot(draft, None)
    # Exhibit order (franchise, first seen) puts Bridgerton first; its copy joins it.
    assert [i["url"] for i in snapshot["items"]] == [gown.url, doll.url, red_light.url]
    assert [i["variant"] for i in snapshot["items"]] == [group, group, ""]

    html = BeautifulSoup(letters.render_snapshot_html(snapshot), "html.parser")
    rows = html.select("table.exhibit-table tbody tr")
    assert len(rows) == 2
    grouped = rows[0]
    assert "variant-group" in grouped["class"]
    assert grouped.select_one("td.n").text == "1–2"
    assert [a["href"] for a in grouped.select("td.url a")] == [gown.url, doll.url]
    assert group in grouped.select_one("td.ref").text
    assert grouped.select_one("td.date").text == "2026-02-14"
    assert "Young-hee doll" in grouped.select_one("td.elem").text
    assert "Lady in Silver gown" in grouped.select_one("td.elem").text
    assert rows[1].select_one("td.n").text == "3"
    assert [a["href"] for a in rows[1].select("td.url a")] == [red_light.url]

    csv_text = letters.exhibit_csv(snapshot).decode()
    assert all(i.url in csv_text for i in items)  # the CSV keeps one line per URL

    pdf = letters.render_snapshot_pdf(snapshot)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Variant group " + group in text
    structure = set()
    stack = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        kids = stack.pop().get("/K")
        for kid in kids if isinstance(kids, list) else ([kids] if kids is not None else []):
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                structure.add(kid.get("/S"))
                stack.append(kid)
    assert {"/Table", "/TR", "/TH", "/TD"} <= structure


def test_a_snapshot_from_before_variant_groups_prints_one_row_per_item(netflix, items, draft):
    variants.apply_pairs(netflix.pk, [(items[0].pk, items[1].pk)])
    snapshot = letters.take_snapshot(draft, None)
    for row in snapshot["items"]:
        del row["variant"]
    html = BeautifulSoup(letters.render_snapshot_html(snapshot), "html.parser")
    assert len(html.select("table.exhibit-table tbody tr")) == 3
    assert not html.select("tr.variant-group")
