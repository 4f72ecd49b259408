"""Per-row results of an import, pinned: a file with errors, duplicates of existing items
and repeats within the file gives exactly these results, through every entry point
(the preview's row report, the import, the worker's job) and writes exactly these items.

The expected rows were taken from the row-at-a-time importer before the import moved to
a staging table and set-wise SQL; the set-wise importer must keep them.
"""

import csv
import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile

from casework import imports
from casework.choices import EventSource, Stage
from casework.models import ImportJob, InfringingItem, StageEvent
from tests.factories import ItemFactory, ProtectedElementFactory

HEADER = list(imports.COLUMN_NAMES) + ["Notes"]


def cells(url, title="Clip", **overrides):
    values = {
        "url": url,
        "title": title,
        "franchise": "Squid Game",
        "platform": "Seedance 2.0",
        "content_kind": "video",
        "conduct": "recreation",
        "theory": "direct",
        "first_seen": "2026-02-14",
        "protected_elements": "Young-hee doll",
        "description": "Generated recreation.",
        "Notes": "ignored",
    }
    values.update(overrides)
    return [values[c] for c in HEADER]


def mixed_file() -> bytes:
    """Errors, duplicates of existing items, repeats in the file, and new rows (lines in
    the comments; a quoted line break and a blank line shift the later ones)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    rows = [
        # 2: new, two elements (one named twice), label instead of value, no theory
        cells(
            "https://Seedance.example/share/new-1/?utm_source=mail",
            "First",
            conduct="Reboot / continuation",
            theory="",
            protected_elements="Young-hee doll; red light, green light set;Young-hee doll",
        ),
        # 3: duplicate of Netflix's existing item (another spelling of its URL)
        cells("HTTPS://seedance.example/share/existing#top", "Dup"),
        # 4: new although Warner has this URL (another holder's item does not count)
        cells("https://seedance.example/share/warner", "Warner's URL"),
        # 5: repeats line 2
        cells("https://seedance.example/share/new-1", "Repeat"),
        # 6: error with three problems; its URL is valid but the row does not count
        cells(
            "https://seedance.example/share/later",
            "Bad",
            platform="Nowhere",
            conduct="",
            first_seen="14/02/2026",
        ),
        # 7-8: new (the first to use the URL of line 6), description with a line break
        cells("https://seedance.example/share/later", "Later", description="two\nlines"),
        # 9: error: not an http(s) URL, element of no franchise of the row
        cells("ftp://files.example/x", "Ftp", protected_elements="Demogorgon"),
        # 10: duplicate again of the same existing item (not a repeat of line 3)
        cells("https://seedance.example/share/existing/", "Dup again"),
        # 11: error: franchise of another holder, future date, long title
        cells(
            "https://seedance.example/share/other",
            "t" * 301,
            franchise="Stranger Things",
            first_seen="2999-01-01",
        ),
        # 12: repeats line 7 (tracking parameter and fragment)
        cells("https://seedance.example/share/later?fbclid=1#x", "Repeat later"),
        # 13: error: required cells empty, unknown kind, theory
        cells("", "", content_kind="hologram", theory="vicarious", franchise=""),
        # 14: new, secondary theory, image, query parameters sorted
        cells(
            "https://seedance.example/watch?v=2&a=1",
            "Query",
            content_kind="Image",
            theory="secondary",
            protected_elements="",
            description="",
        ),
    ]
    for r in rows[:6]:
        writer.writerow(r)
    out.write("\r\n")  # a blank line: skipped, but counted
    for r in rows[6:]:
        writer.writerow(r)
    out.write("https://x.example/extra,a,b,c,d,e,f,g,h,i,j,EXTRA\r\n")  # 15: too many values
    return out.getvalue().encode()


def expected_rows(existing_id):
    return [
        {
            "line": 2,
            "status": "new",
            "url": "https://Seedance.example/share/new-1/?utm_source=mail",
            "title": "First",
        },
        {
            "line": 3,
            "status": "duplicate",
            "url": "HTTPS://seedance.example/share/existing#top",
            "title": "Dup",
            "item_id": existing_id,
        },
        {
            "line": 4,
            "status": "new",
            "url": "https://seedance.example/share/warner",
            "title": "Warner's URL",
        },
        {
            "line": 5,
            "status": "repeat",
            "url": "https://seedance.example/share/new-1",
            "title": "Repeat",
            "first_line": 2,
        },
        {
            "line": 6,
            "status": "error",
            "url": "https://seedance.example/share/later",
            "title": "Bad",
            "problems": [
                {"column": "platform", "message": "“Nowhere” is not a known platform."},
                {"column": "conduct", "message": "is required and empty."},
                {
                    "column": "first_seen",
                    "message": "“14/02/2026” is not a date in the form YYYY-MM-DD.",
                },
            ],
        },
        {
            "line": 7,
            "status": "new",
            "url": "https://seedance.example/share/later",
            "title": "Later",
        },
        {
            "line": 10,
            "status": "error",
            "url": "ftp://files.example/x",
            "title": "Ftp",
            "problems": [
                {"column": "url", "message": "“ftp://files.example/x” is not a valid http(s) URL."},
                {
                    "column": "protected_elements",
                    "message": "“Demogorgon” is not an element of the franchise “Squid Game”.",
                },
            ],
        },
        {
            "line": 11,
            "status": "duplicate",
            "url": "https://seedance.example/share/existing/",
            "title": "Dup again",
            "item_id": existing_id,
        },
        {
            "line": 12,
            "status": "error",
            "url": "https://seedance.example/share/other",
            "title": "t" * 300,
            "problems": [
                {"column": "title", "message": "is 301 characters long; at most 300."},
                {
                    "column": "franchise",
                    "message": "“Stranger Things” is not a franchise of Netflix, Inc.",
                },
                {"column": "first_seen", "message": "2999-01-01 is in the future."},
            ],
        },
        {
            "line": 13,
            "status": "repeat",
            "url": "https://seedance.example/share/later?fbclid=1#x",
            "title": "Repeat later",
            "first_line": 7,
        },
        {
            "line": 14,
            "status": "error",
            "url": "",
            "title": "",
            "problems": [
                {"column": "url", "message": "is required and empty."},
                {"column": "title", "message": "is required and empty."},
                {"column": "franchise", "message": "is required and empty."},
                {
                    "column": "content_kind",
                    "message": "“hologram” is not one of video, image, audio, text.",
                },
                {"column": "theory", "message": "“vicarious” is not one of direct, secondary."},
            ],
        },
        {
            "line": 15,
            "status": "new",
            "url": "https://seedance.example/watch?v=2&a=1",
            "title": "Query",
        },
        {
            "line": 16,
            "status": "error",
            "url": "",
            "title": "",
            "problems": [
                {"column": "—", "message": "has 12 values but the header names 11 columns."}
            ],
        },
    ]


# The items the import writes: normalised URL → (title, conduct, theory, kind, element
# names, description).
EXPECTED_ITEMS = {
    "https://seedance.example/share/new-1": (
        "First",
        "reboot",
        "direct",
        "video",
        ["Red Light, Green Light set", "Young-hee doll"],
        "Generated recreation.",
    ),
    "https://seedance.example/share/warner": (
        "Warner's URL",
        "recreation",
        "direct",
        "video",
        ["Young-hee doll"],
        "Generated recreation.",
    ),
    "https://seedance.example/share/later": (
        "Later",
        "recreation",
        "direct",
        "video",
        ["Young-hee doll"],
        "two\nlines",
    ),
    "https://seedance.example/watch?a=1&v=2": ("Query", "recreation", "secondary", "image", [], ""),
}


@pytest.fixture
def world(catalogue, netflix, warner, squid_game, seedance):
    """Netflix's existing item (the duplicates' target), Warner's item with a URL that is
    new for Netflix, and an element of another holder's franchise."""
    existing = ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        url="https://seedance.example/share/existing",
    )
    ItemFactory(rights_holder=warner, url="https://seedance.example/share/warner")
    ProtectedElementFactory(name="Demogorgon")
    return existing


def assert_items_written(netflix, legal, existing, reason=""):
    items = InfringingItem.objects.filter(rights_holder=netflix).exclude(pk=existing.pk)
    written = {
        item.normalized_url: (
            item.title,
            item.conduct,
            item.theory,
            item.content_kind,
            sorted(item.elements.values_list("name", flat=True)),
            item.description,
        )
        for item in items
    }
    assert written == EXPECTED_ITEMS
    for item in items:
        assert (item.stage, item.logged_by_id, item.first_seen) == (
            Stage.IDENTIFIED,
            legal.pk,
            dt.date(2026, 2, 14),
        )
        assert item.platform.name == "Seedance 2.0" and item.franchise.name == "Squid Game"
    events = StageEvent.objects.filter(item__in=items)
    assert sorted(e.item_id for e in events) == sorted(i.pk for i in items)
    assert {(e.from_stage, e.to_stage, e.source, e.by_id, e.reason) for e in events} == {
        ("", Stage.IDENTIFIED, EventSource.IMPORT, legal.pk, reason)
    }


@pytest.mark.django_db
def test_the_preview_classifies_every_row_as_pinned(world, netflix):
    summary = imports.check(netflix, io.BytesIO(mixed_file()))
    assert summary.rows == expected_rows(world.pk)
    assert summary.ignored_columns == ["Notes"]
    assert summary.counts == {"new": 4, "duplicate": 2, "repeat": 2, "error": 5}
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 1  # nothing written


@pytest.mark.django_db
def test_import_csv_gives_the_pinned_rows_and_writes_the_new_ones(world, netflix, legal):
    result = imports.import_csv(netflix, io.BytesIO(mixed_file()), legal)
    assert result.summary.rows == expected_rows(world.pk)
    assert (result.total_rows, result.created, result.duplicates, result.repeats) == (13, 4, 2, 2)
    assert result.errors == 5
    assert_items_written(netflix, legal, world)

    again = imports.import_csv(netflix, io.BytesIO(mixed_file()), legal)
    # Every valid row now names an existing item: a duplicate (that outranks a repeat).
    assert (again.created, again.duplicates, again.repeats, again.errors) == (0, 8, 0, 5)
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 5


@pytest.mark.django_db
def test_the_import_job_reports_the_pinned_rows(world, netflix, legal):
    job = ImportJob(rights_holder=netflix, original_name="mixed.csv", created_by=legal)
    job.file.save("mixed.csv", ContentFile(mixed_file()), save=False)
    job.status = ImportJob.RUNNING
    job.save()
    job = imports.run_job(job)
    assert (job.status, job.created_count, job.total_rows) == (ImportJob.DONE, 4, 13)
    assert (job.error_count, job.duplicate_count) == (5, 4)
    assert imports.job_report(job) == {
        "rows": expected_rows(world.pk),
        "ignored_columns": ["Notes"],
        "repeat_count": 2,
    }
    assert_items_written(
        netflix, legal, world, reason=f"Imported from mixed.csv (import {job.pk})."
    )
