"""Another rights holder's ids are a 404 on every endpoint; naming its catalogue in a
body is a 400 naming the field; lists show only the key's holder."""

import pytest
from django.urls import get_resolver

from tests.api.conftest import item_row

pytestmark = pytest.mark.django_db


def _routes():
    """Every /api/v1/ route that takes an id (so a new endpoint cannot skip this test)."""
    from config.urls import api_v1

    return sorted({str(p.pattern).lstrip("^") for p in api_v1 if "<pk>" in str(p.pattern)})


FOREIGN = {
    # route pattern (regex) → (method, the Warner object whose id goes in, body)
    "items/(?P<pk>[0-9]{1,18})/$": [("get", "item", None)],
    "items/(?P<pk>[0-9]{1,18})/evidence/$": [("get", "item", None), ("post", "item", "file")],
    "items/(?P<pk>[0-9]{1,18})/transitions/$": [
        ("get", "item", None),
        ("post", "item", {"target": "dismissed", "reason": "x"}),
    ],
    "franchises/(?P<pk>[0-9]{1,18})/$": [("get", "franchise", None)],
    "elements/(?P<pk>[0-9]{1,18})/$": [("get", "element", None)],
    "demands/(?P<pk>[0-9]{1,18})/$": [("get", "demand", None)],
    "demands/(?P<pk>[0-9]{1,18})/lumen/$": [("get", "demand", None)],
    "remedies/(?P<pk>[0-9]{1,18})/$": [("get", "remedy", None)],
    "remedies/(?P<pk>[0-9]{1,18})/compliance/$": [("post", "remedy", {"status": "complied"})],
}
SHARED = {"platforms/(?P<pk>[0-9]{1,18})/$", "respondents/(?P<pk>[0-9]{1,18})/$"}


def test_every_id_route_is_checked():
    assert get_resolver()  # the URLconf loads
    assert set(_routes()) == set(FOREIGN) | SHARED


def test_another_holders_ids_are_404_everywhere(api, warner_side, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    warner_side["item"].refresh_from_db()
    stage = warner_side["item"].stage
    wrong = []
    for route, calls in FOREIGN.items():
        for method, kind, body in calls:
            url = "/api/v1/" + route.replace("(?P<pk>[0-9]{1,18})", str(warner_side[kind].pk))
            url = url.rstrip("$")
            if body == "file":
                png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")
                response = api.post(url, {"file": png}, format="multipart")
            elif body is not None:
                response = api.post(url, body, format="json")
            else:
                response = getattr(api, method)(url)
            if response.status_code != 404:
                wrong.append((method, url, response.status_code))
            else:
                assert response["Content-Type"] == "application/problem+json"
    assert not wrong, wrong
    warner_side["item"].refresh_from_db()
    assert warner_side["item"].stage == stage
    assert not warner_side["item"].evidence.exists()


def test_lists_show_only_the_keys_holder(api, warner_side, item, catalogue):
    def ids(url):
        body = api.get(url).json()
        rows = body["results"] if isinstance(body, dict) else body
        return {row["id"] for row in rows}

    assert ids("/api/v1/items/") == {item.pk}
    assert ids("/api/v1/franchises/") == {catalogue["franchise"].pk}
    assert warner_side["element"].pk not in ids("/api/v1/elements/")
    assert ids("/api/v1/demands/") == set()
    assert api.get(f"/api/v1/remedies/?demand={warner_side['demand'].pk}").json() == []
    # The item list's own filters cannot reach the other holder either.
    response = api.get(f"/api/v1/items/?franchise={warner_side['franchise'].pk}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "franchise"


@pytest.mark.parametrize("field", ["franchise", "elements"])
def test_naming_another_holders_catalogue_is_a_400_naming_the_field(
    api, warner_side, catalogue, field
):
    value = warner_side["franchise"].pk if field == "franchise" else [warner_side["element"].pk]
    response = api.post("/api/v1/items/", item_row(catalogue, **{field: value}), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not type(catalogue["franchise"]).objects.filter(items__title="Doll clip 0").exists()
