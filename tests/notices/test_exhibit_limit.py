"""A letter whose Exhibit A would be too large is refused at submission, with the way out."""

import pytest

from notices import drafting, workflow
from notices.choices import DemandStatus
from notices.models import Demand

pytestmark = pytest.mark.django_db


def test_a_demand_over_the_exhibit_limit_cannot_be_submitted(legal, items, settings):
    demand = drafting.draft_demand(legal, [i.pk for i in items])
    settings.LETTER_MAX_EXHIBIT_ITEMS = len(items) - 1
    with pytest.raises(workflow.WorkflowError, match=r"at most \d+ items.*split it"):
        workflow.perform(demand, "submit", by=legal)
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.DRAFT

    settings.LETTER_MAX_EXHIBIT_ITEMS = len(items)
    workflow.perform(demand, "submit", by=legal)
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.IN_REVIEW


def test_a_draft_render_over_the_exhibit_limit_is_refused(legal, items, settings):
    from notices import rendering

    demand = drafting.draft_demand(legal, [i.pk for i in items])
    settings.LETTER_MAX_EXHIBIT_ITEMS = len(items) - 1
    with pytest.raises(rendering.RenderRefused, match=r"at most \d+ items.*split it"):
        rendering.request_render(demand, by=legal)
    assert not demand.letters.exists()
