"""The "Waiting for you" page and its count: per person, per role, scoped to their holders."""

import pytest
from django.urls import reverse

from casework.choices import Role
from notices import drafting, workflow
from tests.factories import UserFactory

WAITING = reverse("notices:waiting")
COUNT = reverse("notices:waiting-count")


def rows(client):
    response = client.get(WAITING)
    assert response.status_code == 200
    return [d.reference for d in response.context["demands"]]


@pytest.mark.django_db
def test_each_person_sees_what_waits_for_them_and_nothing_of_another_holder(
    client, legal, manager, manager2, viewer, draft, items, warner
):
    wb_manager = UserFactory(username="wb-manager", role=Role.MANAGER, holders=[warner])
    own = drafting.draft_demand(manager, [items[0].pk])  # a manager's own demand
    workflow.perform(draft, "submit", by=legal)
    workflow.perform(own, "submit", by=manager)

    def seen(user):
        client.force_login(user)
        return rows(client)

    # Four eyes: a manager is not asked to review what they prepared.
    assert seen(manager) == [draft.reference]
    assert seen(manager2) == [draft.reference, own.reference]
    assert seen(legal) == [] and seen(viewer) == [] and seen(wb_manager) == []

    workflow.perform(draft, "return", by=manager2, note="Name the doll's registration.")
    client.force_login(legal)
    page = client.get(WAITING).content.decode()
    assert draft.reference in page and "Name the doll&#x27;s registration." in page
    assert seen(manager) == [] and seen(wb_manager) == []
    client.force_login(legal)
    assert '> 1<span class="sr-only"> demand</span>' in client.get(COUNT).content.decode()
    client.force_login(viewer)
    assert client.get(COUNT).content.decode().strip() == '<span id="waiting-count"></span>'


@pytest.mark.django_db
def test_the_page_runs_the_same_queries_for_few_and_many(
    client, legal, manager2, items, django_assert_num_queries
):
    client.force_login(manager2)
    rows(client)  # the first request reads the session and the user's groups

    def submit(n):
        for _ in range(n):
            workflow.perform(drafting.draft_demand(legal, [items[0].pk]), "submit", by=legal)

    submit(2)
    with django_assert_num_queries(3) as few:
        assert len(rows(client)) == 2
    submit(20)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(rows(client)) == 22
