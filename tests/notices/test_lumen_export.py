"""A sent demand exports as a Lumen notice (their create-notice API's JSON): it matches the
schema kept in the repository, names exactly the demand's items as it sent them, says what
the respondent did, leaves people's contact details out unless the holder opts in, and
carries user text as data. Downloaded from the demand page as rendered; scoped."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from casework.models import InfringingItem, ProtectedElement, RightsHolder
from notices import lumen, workflow
from notices.choices import DemandStatus, RemedyStatus
from tests.notices.conftest import advance

C, P, R, N = (
    RemedyStatus.COMPLIED,
    RemedyStatus.PARTLY_COMPLIED,
    RemedyStatus.REFUSED,
    RemedyStatus.PENDING,
)


@pytest.fixture
def sent(draft, legal, manager):
    return advance(draft, DemandStatus.SENT, legal=legal, manager=manager)


def _by_franchise(notice) -> dict[str, list[str]]:
    return {
        work["description"].split(" (registration")[0].split(". Protected")[0]: [
            u["url"] for u in work["infringing_urls_attributes"]
        ]
        for work in notice["notice"]["works_attributes"]
    }


def _role(notice, name) -> dict:
    (role,) = [r for r in notice["notice"]["entity_notice_roles_attributes"] if r["name"] == name]
    return role["entity_attributes"]


def test_export_validates_against_the_schema_and_the_schema_refuses_what_lumen_refuses(sent):
    notice = lumen.lumen_notice(sent)
    assert lumen.errors(notice) == []
    body = notice["notice"]
    assert body["type"] == "DMCA"
    assert body["title"] == (
        f"Cease-and-desist demand {sent.reference} from Netflix, Inc. to ByteDance Ltd."
    )
    assert body["subject"] == "Copyright: AI-generated copies of Bridgerton, Squid Game"
    assert body["date_sent"] == "2026-03-06"
    assert body["language"] == "en"
    assert [r["name"] for r in body["entity_notice_roles_attributes"]] == [
        "sender",
        "principal",
        "recipient",
    ]
    assert _role(notice, "sender") == {
        "name": "Jordan Avery",
        "kind": "individual",
        "country_code": "US",
    }
    assert _role(notice, "recipient") == {"name": "ByteDance Ltd.", "kind": "organization"}
    # The schema is not a rubber stamp: each of these is refused, named by its path.
    broken = [
        ({"type": "dmca"}, "$.notice.type"),
        ({"action_taken": "Maybe"}, "$.notice.action_taken"),
        ({"works_attributes": []}, "$.notice.works_attributes"),
        ({"title": "x" * 256}, "$.notice.title"),
        ({"title": "null\u0000byte"}, "$.notice.title"),
        ({"date_sent": "6 March 2026"}, "$.notice.date_sent"),
        ({"entity_notice_roles_attributes": [{"name": "judge"}]}, "$.notice.entity_notice_roles"),
        ({"colour": "red"}, "$.notice"),
    ]
    for change, path in broken:
        document = {"notice": {**body, **change}}
        problems = lumen.errors(document)
        assert problems and any(p.startswith(path) for p in problems), (change, problems)


def test_infringing_urls_are_exactly_the_demands_items_grouped_by_franchise(sent):
    notice = lumen.lumen_notice(sent)
    expected: dict[str, list[str]] = {}
    for item in sent.items.select_related("franchise").order_by("first_seen", "pk"):
        expected.setdefault(item.franchise.name, []).append(item.url)
    assert _by_franchise(notice) == expected
    assert sum(len(urls) for urls in _by_franchise(notice).values()) == sent.items.count() == 3
    works = notice["notice"]["works_attributes"]
    assert [w["copyrighted_urls_attributes"] for w in works] == [[], []]
    squid = next(w for w in works if w["description"].startswith("Squid Game"))
    assert squid["description"] == (
        "Squid Game. Protected elements copied: Red Light, Green Light set (set); "
        "Young-hee doll (prop)."
    )


def test_the_export_is_the_letter_of_record_not_the_case_as_it_is_now(sent):
    item = sent.items.order_by("pk").first()
    sent_url = item.url
    InfringingItem.objects.filter(pk=item.pk).update(url="https://elsewhere.example/moved")
    ProtectedElement.objects.filter(name="Young-hee doll").update(name="Renamed later")
    text = lumen.dumps(lumen.lumen_notice(sent))
    assert sent_url in text and "elsewhere.example" not in text
    assert "Young-hee doll" in text and "Renamed later" not in text


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([C, C, C, C], "Yes"),
        ([C, P, C, C], "Partial"),
        ([C, R, N, N], "Partial"),
        ([R, R, R, R], "No"),
        ([R, N, N, N], "No"),
        ([N, N, N, N], "Unspecified"),
        ([], "Unspecified"),
    ],
)
def test_action_taken_follows_compliance(statuses, expected):
    assert lumen.action_taken(statuses) == expected


def test_action_taken_reads_the_remedies_as_recorded_after_sending(sent, legal):
    assert lumen.lumen_notice(sent)["notice"]["action_taken"] == "Unspecified"
    remedies = list(sent.remedies.order_by("position"))
    assert len(remedies) == 4
    workflow.record_compliance(remedies[0], by=legal, status=R)
    assert lumen.lumen_notice(sent)["notice"]["action_taken"] == "No"
    workflow.record_compliance(remedies[1], by=legal, status=C)
    assert lumen.lumen_notice(sent)["notice"]["action_taken"] == "Partial"
    for remedy in remedies:
        workflow.record_compliance(remedy, by=legal, status=C)
    assert lumen.lumen_notice(sent)["notice"]["action_taken"] == "Yes"


def test_contact_details_only_when_the_holder_opts_in(sent, netflix):
    # The letter printed an email, a telephone and a street address, and the respondent
    # has a designated agent with an email: none of it goes out by default.
    text = lumen.dumps(lumen.lumen_notice(sent))
    for detail in ("@", "408 555 0100", "Albright", "Los Gatos", "Legal Department"):
        assert detail not in text, detail
    RightsHolder.objects.filter(pk=netflix.pk).update(lumen_share_contacts=True)
    sent.rights_holder.refresh_from_db()
    notice = lumen.lumen_notice(sent)
    assert _role(notice, "sender") == {
        "name": "Jordan Avery",
        "kind": "individual",
        "email": "content-protection@netflix.example",
        "phone": "+1 408 555 0100",
        "address_line_1": "121 Albright Way",
        "address_line_2": "Los Gatos, CA 95032, United States",
        "country_code": "US",
    }
    assert _role(notice, "principal")["address_line_1"] == "121 Albright Way"
    # The respondent's agent is not the holder's to publish.
    assert "bytedance.example" not in lumen.dumps(notice)
    assert lumen.errors(notice) == []


def test_the_opt_in_is_edited_in_the_admin(app, netflix):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345678")
    url = reverse("admin:casework_rightsholder_change", args=[netflix.pk])
    form = app.get(url, user=admin).forms["rightsholder_form"]
    assert form["lumen_share_contacts"].checked is False
    form["lumen_share_contacts"] = True
    form.submit().follow()
    netflix.refresh_from_db()
    assert netflix.lumen_share_contacts is True


HOSTILE = {
    "respondent": 'ByteDance "Ltd." <b>&amp;</b> 字节跳动',
    "element": "Young-hee \"doll\" <script>alert('x')</script> 🦑",
    "franchise": "Squid Game: 오징어 게임 & <i>co</i>",
}


def test_user_text_with_quotes_html_and_unicode_survives_as_data(
    app, draft, legal, manager, bytedance
):
    from casework.models import Franchise, Respondent

    Respondent.objects.filter(pk=draft.respondent_id).update(name=HOSTILE["respondent"])
    ProtectedElement.objects.filter(name="Young-hee doll").update(name=HOSTILE["element"])
    Franchise.objects.filter(name="Squid Game").update(name=HOSTILE["franchise"])
    draft.refresh_from_db()
    sent = advance(draft, DemandStatus.SENT, legal=legal, manager=manager)
    response = app.get(reverse("notices:demand-lumen", args=[sent.pk]), user=legal)
    notice = json.loads(response.body.decode("utf-8"))
    assert lumen.errors(notice) == []
    assert _role(notice, "recipient")["name"] == HOSTILE["respondent"]
    assert HOSTILE["respondent"] in notice["notice"]["title"]
    squid = next(
        w
        for w in notice["notice"]["works_attributes"]
        if w["description"].startswith(HOSTILE["franchise"])
    )
    assert f"{HOSTILE['element']} (prop)" in squid["description"]
    # As written, not escaped for HTML nor as \u escapes: the file is data.
    raw = response.body.decode("utf-8")
    assert "字节跳动" in raw and "🦑" in raw and "&lt;" not in raw and "&amp;amp;" not in raw


@pytest.mark.parametrize("who", ["legal", "viewer"])
def test_download_from_the_demand_page_as_rendered(app, sent, who, request):
    user = request.getfixturevalue(who)
    page = app.get(sent.get_absolute_url(), user=user)
    download = page.click(linkid="lumen-export")
    assert download.status_int == 200
    assert download.content_type == "application/json"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{sent.reference}-lumen.json"'
    )
    assert download.json == lumen.lumen_notice(sent)
    assert lumen.errors(download.json) == []


def test_another_holders_demand_is_a_404(app, sent, outsider):
    app.get(reverse("notices:demand-lumen", args=[sent.pk]), user=outsider, status=404)


def test_an_unsent_demand_says_why_not(app, draft, legal, manager):
    page = app.get(draft.get_absolute_url(), user=legal)
    assert "lumen-export" not in page.text
    why = f"Demand {draft.reference} is draft: it can be exported to Lumen once it is sent"
    assert why in page.html.select_one("#lumen").get_text(" ", strip=True)
    answer = app.get(reverse("notices:demand-lumen", args=[draft.pk]), user=legal)
    assert answer.status_int == 302
    assert why in answer.follow().html.select_one(".messages").get_text(" ", strip=True)
    with pytest.raises(lumen.LumenExportRefused, match="is draft"):
        lumen.lumen_notice(draft)
    withdrawn = workflow.perform(draft, "withdraw", by=legal)
    assert "was withdrawn before it was sent" in lumen.refusal(withdrawn)
