"""Review findings on the demand pages: roles answer 403, exports are neutralised."""

from django.urls import reverse

from notices.choices import DemandStatus
from notices.models import DemandEvent
from tests.notices.conftest import advance


def test_viewer_gets_403_on_workflow_actions_and_changes_nothing(viewer_client, draft):
    remedy = draft.remedies.first()
    before = DemandEvent.objects.filter(demand=draft).count()
    posts = [
        reverse("notices:demand-action", args=[draft.pk, "submit"]),
        reverse("notices:demand-action", args=[draft.pk, "withdraw"]),
        reverse("notices:demand-return", args=[draft.pk]),
        reverse("notices:demand-send", args=[draft.pk]),
        reverse("notices:remedy-compliance", args=[draft.pk, remedy.pk]),
    ]
    for url in posts:
        assert viewer_client.post(url, {"note": "x", "reason": "x"}).status_code == 403, url
    draft.refresh_from_db()
    assert draft.status == DemandStatus.DRAFT
    assert DemandEvent.objects.filter(demand=draft).count() == before


def test_viewer_gets_403_on_compliance_of_a_sent_demand(viewer_client, draft, legal, manager):
    demand = advance(draft, DemandStatus.SENT, legal=legal, manager=manager)
    remedy = demand.remedies.first()
    url = reverse("notices:remedy-compliance", args=[demand.pk, remedy.pk])
    response = viewer_client.post(url, {"status": "complied", "on": "2026-03-07"})
    assert response.status_code == 403
    remedy.refresh_from_db()
    assert remedy.status == "pending"


def test_legal_staff_get_403_on_manager_only_actions(legal_client, client, draft, legal, netflix):
    """Approving is a manager's (four eyes); legal staff get a 403 like other manager-only pages."""
    from casework.choices import Role
    from notices import workflow
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nf-legal-2", role=Role.LEGAL, holders=[netflix]))
    workflow.perform(draft, "submit", by=legal)
    urls = [
        reverse("notices:demand-action", args=[draft.pk, "approve"]),
        reverse("notices:demand-return", args=[draft.pk]),
    ]
    for url in urls:
        for user_client in (legal_client, client):
            assert user_client.post(url, {"reason": "x"}).status_code == 403, url
    draft.refresh_from_db()
    assert draft.status == DemandStatus.IN_REVIEW


def test_export_manifest_neutralises_formulas(legal, items):
    import csv
    import io
    import zipfile

    from notices import drafting, exports
    from notices.models import ExportJob
    from tests.factories import RespondentFactory

    hostile = RespondentFactory(name='=HYPERLINK("https://evil.example","x")')
    demand = drafting.draft_demand(legal, [items[0].pk], respondent=hostile)
    job = exports.request_export(legal, [demand.pk])
    exports.build_export(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    with job.file.open("rb") as fh, zipfile.ZipFile(fh) as archive:
        manifest = archive.read("MANIFEST.csv").decode()
    rows = list(csv.reader(io.StringIO(manifest)))
    assert rows[1][1] == "'" + hostile.name


def test_export_of_a_holder_the_user_left_is_a_404(legal, legal_client, items, netflix):
    from notices import drafting, exports

    demand = drafting.draft_demand(legal, [items[0].pk])
    job = exports.request_export(legal, [demand.pk])
    exports.build_export(job.pk)
    for name in ("notices:export-detail", "notices:export-download"):
        assert legal_client.get(reverse(name, args=[job.pk])).status_code == 200
    netflix.members.remove(legal)
    legal_client.force_login(legal)  # a fresh request reads memberships anew
    for name in ("notices:export-detail", "notices:export-download"):
        assert legal_client.get(reverse(name, args=[job.pk])).status_code == 404, name


def test_template_list_runs_a_fixed_number_of_queries(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.choices import Role
    from notices.demo import template_fields_for
    from notices.models import LetterTemplate
    from tests.factories import RightsHolderFactory, UserFactory

    def add_holder(user, versions):
        holder = RightsHolderFactory()
        holder.members.add(user)
        for version in range(1, versions + 1):
            LetterTemplate.objects.create(
                rights_holder=holder, version=version, **template_fields_for(holder)
            )

    def count():
        client.force_login(user)  # a new request reads memberships anew
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("notices:template-list"))
        assert response.status_code == 200
        return len(ctx), response.content.decode()

    user = UserFactory(username="many-holders", role=Role.LEGAL)
    add_holder(user, 2)
    few, _ = count()
    for _ in range(3):
        add_holder(user, 1)
    many, body = count()
    assert many == few
    assert body.count(">v2<") == 1 and body.count(">v1<") == 3
