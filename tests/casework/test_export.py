"""CSV export: streamed, scoped, filtered like the list, formula cells neutralised."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from casework import exports
from casework.choices import Stage
from tests.factories import ItemFactory

EXPORT = reverse("casework:item-export")


def read(response):
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturn", "'\rReturn"),
        ("Plain title", "Plain title"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


@pytest.mark.django_db
def test_export_neutralises_dangerous_cells(legal_client, netflix):
    ItemFactory(rights_holder=netflix, title="=cmd|' /C calc'!A0", description="@SUM(1+1)")
    response = legal_client.get(EXPORT)
    assert response["Content-Disposition"].startswith('attachment; filename="items-')
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    (row,) = read(response)
    assert row["title"] == "'=cmd|' /C calc'!A0"
    assert row["description"] == "'@SUM(1+1)"


@pytest.mark.django_db
def test_export_follows_the_list_filters(legal_client, netflix, doll, squid_game):
    ItemFactory(rights_holder=netflix, franchise=squid_game, elements=[doll], title="Doll A")
    ItemFactory(rights_holder=netflix, franchise=squid_game, title="Doll B")
    other = ItemFactory(rights_holder=netflix, title="Other")
    from casework import stages

    stages.transition(other, Stage.NOTIFIED)
    rows = read(legal_client.get(EXPORT, {"stage": "identified", "sort": "title"}))
    assert [r["title"] for r in rows] == ["Doll A", "Doll B"]
    assert rows[0]["protected_elements"] == "Young-hee doll"
    assert rows[0]["franchise"] == "Squid Game"
    assert rows[0]["reference"].startswith("NFLX-I")
    assert read(legal_client.get(EXPORT, {"q": "other"}))[0]["stage"] == "notified"


@pytest.mark.django_db
def test_export_of_selected_rows_from_the_bulk_bar(app, legal, netflix):
    from tests.webforms import check, press

    a, b, _ = ItemFactory.create_batch(3, rights_holder=netflix)
    form = app.get(reverse("casework:item-list"), user=legal).forms["bulk-form"]
    check(form, "items", a.pk)
    check(form, "items", b.pk)
    response = press(form, "Export selected (CSV)")
    rows = list(csv.DictReader(io.StringIO(response.body.decode("utf-8-sig"))))
    assert {r["url"] for r in rows} == {a.url, b.url}


@pytest.mark.django_db
def test_export_runs_a_fixed_number_of_queries(
    legal_client, netflix, django_assert_max_num_queries
):
    ItemFactory.create_batch(30, rights_holder=netflix)
    with django_assert_max_num_queries(10):
        rows = read(legal_client.get(EXPORT))
    assert len(rows) == 30


@pytest.mark.django_db
def test_viewer_may_export(viewer_client, netflix):
    ItemFactory(rights_holder=netflix)
    assert len(read(viewer_client.get(EXPORT))) == 1


@pytest.mark.django_db
def test_anonymous_cannot_export(client, netflix):
    ItemFactory(rights_holder=netflix)
    response = client.get(EXPORT)
    assert response.status_code == 302
