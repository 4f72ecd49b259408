"""User-written markup in a letter is text: nothing is fetched, nothing is embedded.

A local HTTP server records every request; file:// targets would embed
/etc/passwd. The control test shows the same document with WeasyPrint's default
fetcher does fetch, so these tests can fail.
"""

import http.server
import io
import re
import threading

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from notices import rendering
from notices.choices import LetterStatus
from notices.models import Demand, Remedy
from notices.pdf import html_to_pdf


@pytest.fixture
def spy_server():
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], requests
    server.shutdown()


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f645"
    "400000000049454e44ae426082"
)


@pytest.fixture
def local_png(tmp_path):
    path = tmp_path / "pixel.png"
    path.write_bytes(PNG_1PX)
    return path.as_uri()


def hostile(port, png=""):
    return [
        '<img src="file:///etc/passwd">',
        f'<img src="{png}">',
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/">',
        '<a rel="attachment" href="file:///etc/passwd">passwd</a>',
        "<script>alert(1)</script>",
        f'<img src="http://127.0.0.1:{port}/pixel.png">',
    ]


def flat(text):
    return re.sub(r"\s+", "", text)


def file_annotations(reader):
    return [
        annot
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Subtype") == "/FileAttachment"
    ]


def assert_nothing_embedded(pdf: bytes, own_csv: str = ""):
    """Nothing embedded but (for a letter) our own Exhibit A CSV, which holds no file."""
    reader = PdfReader(io.BytesIO(pdf))
    files = dict(reader.attachments)
    assert set(files) == ({own_csv} if own_csv else set())
    for contents in files.values():
        assert all(b"root:x:0:0" not in content for content in contents)
        assert all(not content.startswith(PNG_1PX[:8]) for content in contents)
    assert file_annotations(reader) == []
    assert pdf.count(b"/EmbeddedFile") == (1 if own_csv else 0)
    assert b"root:x:0:0" not in pdf
    assert sum(len(page.images) for page in reader.pages) == 0


def test_hostile_text_in_titles_paragraphs_and_remedies_renders_as_text(
    draft, legal, items, spy_server, local_png
):
    port, requests = spy_server
    snippets = hostile(port, local_png)
    for item, snippet in zip(items, snippets, strict=False):
        item.title = snippet
        item.save()
    Demand.objects.filter(pk=draft.pk).update(paragraphs="\n\n".join(snippets))
    Remedy.objects.create(demand=draft, position=5, text=" ".join(snippets))
    letter = rendering.request_render(draft, by=legal)
    rendering.render_letter(letter.pk)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY, letter.error
    pdf = letter.file.open("rb").read()
    text = flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    for snippet in snippets:
        assert flat(snippet) in text
    assert requests == []
    assert_nothing_embedded(pdf, own_csv=f"{draft.reference}-exhibit-a.csv")


def test_the_fetcher_refuses_even_raw_markup(spy_server, local_png):
    port, requests = spy_server
    html = "<html><body><p>Raw</p>" + "".join(hostile(port, local_png)) + "</body></html>"
    pdf = html_to_pdf(html)
    assert requests == []
    assert_nothing_embedded(pdf)


def test_control_the_default_fetcher_would_fetch_and_embed(spy_server, local_png):
    port, requests = spy_server
    html = "<html><body><p>Raw</p>" + "".join(hostile(port, local_png)) + "</body></html>"
    pdf = HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")
    reader = PdfReader(io.BytesIO(pdf))
    assert "/" in requests  # the stylesheet was fetched over http
    assert file_annotations(reader)  # /etc/passwd was embedded
    assert sum(len(page.images) for page in reader.pages) >= 1  # the file:// PNG loaded


def test_the_letter_stylesheet_does_load(draft, legal):
    """The allow-list serves letters/letter.css: the exhibit page is landscape."""
    letter = rendering.request_render(draft, by=legal)
    rendering.render_letter(letter.pk)
    letter.refresh_from_db()
    reader = PdfReader(letter.file.open("rb"))
    first, last = reader.pages[0].mediabox, reader.pages[-1].mediabox
    assert first.width < first.height  # A4 portrait letter
    assert last.width > last.height  # landscape Exhibit A


def test_the_attached_csv_neutralises_spreadsheet_formulas(draft, items):
    from notices.letters import render_letter_pdf

    items[0].title = '=HYPERLINK("http://evil.example","click")'
    items[0].save()
    pdf = render_letter_pdf(draft)
    files = PdfReader(io.BytesIO(pdf)).attachments
    content = files[f"{draft.reference}-exhibit-a.csv"][0].decode()
    assert "'=HYPERLINK(" in content
    assert ',"=HYPERLINK' not in content and ",=HYPERLINK" not in content
