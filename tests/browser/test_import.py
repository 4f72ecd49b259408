"""Import a CSV through Chromium: read a bad row's error on the preview, confirm, see the count."""

import pytest

from casework.models import InfringingItem
from tests.browser.conftest import sign_in
from tests.factories import ProtectedElementFactory

pytestmark = pytest.mark.browser

CSV = (
    "\ufeffurl,title,franchise,platform,content_kind,conduct,theory,first_seen,"
    "protected_elements,description\r\n"
    "https://seedance.example/share/1,Young-hee doll turns around,Squid Game,Seedance 2.0,"
    'video,recreation,direct,2026-02-14,Young-hee doll,"Doll scene,\r\nfrom the share link"\r\n'
    "https://seedance.example/share/2,Red light green light,Squid Game,Seedance 2.0,"
    "video,recreation,direct,14.02.2026,,\r\n"
    "https://seedance.example/share/3,Guards in pink,Squid Game,Seedance 2.0,"
    "video,crossover,secondary,2026-02-15,,\r\n"
)


def test_legal_staff_imports_a_csv_with_one_bad_row(page, legal, netflix, squid_game, seedance):
    ProtectedElementFactory(franchise=squid_game, name="Young-hee doll")
    sign_in(page, legal.username)
    page.get_by_role("link", name="Import").click()
    page.wait_for_url("**/import/")
    assert page.locator("h1").inner_text() == "Import items from CSV"
    page.get_by_label("CSV file").set_input_files(
        {"name": "netflix-items.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8")}
    )
    page.get_by_role("button", name="Upload and preview").click()

    page.wait_for_url("**/import/*/")
    assert page.locator("[data-count=new]").inner_text() == "2"
    assert page.locator("[data-count=error]").inner_text() == "1"
    error = page.locator("tr[data-status=error]")
    assert error.count() == 1
    # The multi-line quoted field of the first row makes the bad row start on line 4.
    text = error.inner_text()
    assert "Line 4, column first_seen" in text
    assert "“14.02.2026” is not a date in the form YYYY-MM-DD" in text

    page.get_by_role("button", name="Import 2 new items").click()
    page.wait_for_url("**/import/*/")
    assert page.get_by_text("Imported 2 new items.").is_visible()
    assert page.locator("[data-created]").inner_text() == "2"
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 2
    page.get_by_role("link", name="See the items").click()
    assert page.get_by_text("Young-hee doll turns around").is_visible()
