"""Demands and remedies through the API: read, and compliance recorded by write keys
through notices.workflow's rule."""

import datetime as dt

import pytest

from casework.api import keys
from notices import workflow
from notices.models import DemandEvent
from tests.api.conftest import client_with, warner_side  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(draft, legal, manager):
    workflow.perform(draft, "submit", by=legal)
    workflow.perform(draft, "approve", by=manager)
    return workflow.send(draft, by=legal, sent_on=draft.rights_holder.today(), channels=["email"])


def test_demands_and_remedies_read(netflix, manager, sent):
    _, token = keys.create_key(netflix, name="reader", scope="read", by=manager)
    api = client_with(token)
    [row] = api.get("/api/v1/demands/").json()["results"]
    assert (row["reference"], row["status"], row["item_count"]) == (sent.reference, "sent", 3)
    assert [r["kind"] for r in row["remedies"]] == ["cease", "remove", "account", "access"]
    remedies = api.get(f"/api/v1/remedies/?demand={sent.pk}").json()
    assert [r["id"] for r in remedies] == [r["id"] for r in row["remedies"]]
    response = api.post(f"/api/v1/remedies/{remedies[0]['id']}/compliance/", {"status": "complied"})
    assert response.status_code == 403


def test_a_write_key_records_compliance(netflix, manager, sent, draft):
    _, token = keys.create_key(netflix, name="writer", scope="write", by=manager)
    api = client_with(token)
    remedy = sent.remedies.get(kind="remove")
    response = api.post(
        f"/api/v1/remedies/{remedy.pk}/compliance/",
        {"status": "partly_complied", "on": "2026-11-20", "note": "Two of three removed."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "partly_complied"
    remedy.refresh_from_db()
    assert (remedy.status, remedy.status_on) == ("partly_complied", dt.date(2026, 11, 20))
    event = DemandEvent.objects.filter(demand=sent, action="remedy").get()
    assert event.by.api_key.name == "writer"
    bad = api.post(f"/api/v1/remedies/{remedy.pk}/compliance/", {"status": "maybe"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"


def test_compliance_before_sending_is_a_conflict(netflix, manager, draft):
    _, token = keys.create_key(netflix, name="writer", scope="write", by=manager)
    remedy = draft.remedies.first()
    response = client_with(token).post(
        f"/api/v1/remedies/{remedy.pk}/compliance/", {"status": "complied"}
    )
    assert response.status_code == 409
    assert "only after it is sent" in response.json()["detail"]
    remedy.refresh_from_db()
    assert remedy.status == "pending"


def test_the_lumen_notice_of_a_sent_demand(netflix, manager, sent, warner_side):  # noqa: F811
    """/api/v1/demands/{id}/lumen/ is the page's Lumen document; unsent is a 409 problem
    that says why; another holder's demand is a 404."""
    import json

    from notices import lumen

    _, token = keys.create_key(netflix, name="transparency", scope="read", by=manager)
    api = client_with(token)
    response = api.get(f"/api/v1/demands/{sent.pk}/lumen/")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(lumen.lumen_notice(sent)))
    infringing = [
        url["url"]
        for work in response.json()["notice"]["works_attributes"]
        for url in work["infringing_urls_attributes"]
    ]
    assert sorted(infringing) == sorted(sent.items.values_list("url", flat=True))

    outsider = api.get(f"/api/v1/demands/{warner_side['demand'].pk}/lumen/")
    assert outsider.status_code == 404


def test_the_lumen_notice_of_a_draft_is_a_conflict(netflix, manager, draft):
    _, token = keys.create_key(netflix, name="transparency", scope="read", by=manager)
    response = client_with(token).get(f"/api/v1/demands/{draft.pk}/lumen/")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert "sent" in response.json()["detail"]
