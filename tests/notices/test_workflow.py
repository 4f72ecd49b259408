"""The demand workflow: every allowed and refused transition, four eyes, audit, repeats."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from casework.choices import EventSource, Role, Stage
from casework.models import StageEvent
from notices import workflow
from notices.choices import DemandStatus, LetterPurpose, LetterStatus, RemedyStatus
from notices.models import Demand, DemandEvent
from tests.factories import UserFactory
from tests.notices.conftest import advance

S = DemandStatus

# What DESIGN.md and issue 4 allow, written out independently of the module's table.
EXPECTED = {
    (S.DRAFT, S.IN_REVIEW),
    (S.DRAFT, S.WITHDRAWN),
    (S.IN_REVIEW, S.APPROVED),
    (S.IN_REVIEW, S.DRAFT),
    (S.IN_REVIEW, S.WITHDRAWN),
    (S.APPROVED, S.SENT),
    (S.APPROVED, S.WITHDRAWN),
    (S.SENT, S.RESPONDED),
    (S.SENT, S.ESCALATED),
    (S.RESPONDED, S.COMPLIED),
    (S.RESPONDED, S.PARTLY_COMPLIED),
    (S.RESPONDED, S.REFUSED),
    (S.COMPLIED, S.ESCALATED),
    (S.COMPLIED, S.CLOSED),
    (S.PARTLY_COMPLIED, S.ESCALATED),
    (S.PARTLY_COMPLIED, S.CLOSED),
    (S.REFUSED, S.ESCALATED),
    (S.REFUSED, S.CLOSED),
    (S.ESCALATED, S.RESPONDED),  # a reply after escalating (issue 8: responses)
    (S.ESCALATED, S.CLOSED),
}
PAIRS = [(a, b) for a in S.values for b in S.values]


def test_table_is_what_the_design_says():
    table = {(a, b) for a, targets in workflow.TRANSITIONS.items() for b in targets}
    assert table == EXPECTED
    assert set(workflow.TRANSITIONS) == set(S.values)


def _action_for(target):
    return next(a.name for a in workflow.ACTIONS.values() if a.target == target)


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_transition_is_allowed_or_refused(draft, manager2, source, target):
    Demand.objects.filter(pk=draft.pk).update(status=source)
    draft.refresh_from_db()
    events_before = DemandEvent.objects.filter(demand=draft).count()
    allowed = (source, target) in EXPECTED

    def act():
        if target == S.SENT:
            return workflow.send(
                draft, by=manager2, sent_on=dt.date(2026, 3, 6), channels=["email"]
            )
        return workflow.perform(draft, _action_for(target), by=manager2, note="A reason.")

    if allowed:
        result = act()
        assert result.status == target
        event = (
            DemandEvent.objects.filter(demand=draft).exclude(action="letter requested").latest("id")
        )
        assert (event.from_status, event.to_status, event.by) == (source, target, manager2)
    else:
        with pytest.raises(workflow.WorkflowError) as caught:
            act()
        message = str(caught.value)
        assert draft.reference in message
        assert S(source).label.lower() in message
        assert S(target).label.lower() in message
        draft.refresh_from_db()
        assert draft.status == source
        assert DemandEvent.objects.filter(demand=draft).count() == events_before


def test_four_eyes_the_preparer_cannot_approve(manager, manager2, items):
    from notices import drafting

    demand = drafting.draft_demand(manager, [i.pk for i in items])
    workflow.perform(demand, "submit", by=manager)
    with pytest.raises(workflow.WorkflowError, match="Four eyes"):
        workflow.perform(demand, "approve", by=manager)
    assert workflow.ACTIONS["approve"] not in workflow.allowed_actions(
        Demand.objects.get(pk=demand.pk), manager
    )
    approved = workflow.perform(demand, "approve", by=manager2)
    assert approved.status == S.APPROVED
    assert approved.approved_by == manager2
    assert approved.approved_at is not None
    # The approved text is rendered at once (queued on commit).
    assert approved.letters.get().status == LetterStatus.QUEUED


def test_legal_staff_and_viewers_cannot_approve(draft, legal, viewer):
    workflow.perform(draft, "submit", by=legal)
    with pytest.raises(workflow.WorkflowError, match="Only a manager"):
        workflow.perform(draft, "approve", by=legal)
    with pytest.raises(workflow.WorkflowError, match="Viewers"):
        workflow.perform(draft, "approve", by=viewer)
    assert Demand.objects.get(pk=draft.pk).status == S.IN_REVIEW


def test_a_manager_of_another_rights_holder_cannot_approve(draft, legal, warner):
    other = UserFactory(username="wb-manager", role=Role.MANAGER, holders=[warner])
    workflow.perform(draft, "submit", by=legal)
    with pytest.raises(workflow.WorkflowError, match="not a member"):
        workflow.perform(draft, "approve", by=other)


def test_viewer_cannot_submit(draft, viewer):
    with pytest.raises(workflow.WorkflowError, match="Viewers"):
        workflow.perform(draft, "submit", by=viewer)


def test_a_repeated_request_changes_nothing(draft, legal):
    workflow.perform(draft, "submit", by=legal)
    with pytest.raises(workflow.WorkflowError, match="already"):
        workflow.perform(draft, "submit", by=legal)
    assert DemandEvent.objects.filter(demand=draft, action="submit").count() == 1


def test_sending_sets_deadline_letter_of_record_and_notifies_items(draft, legal, manager, items):
    demand = advance(draft, S.APPROVED, legal=legal, manager=manager)
    approved_render = demand.letters.get()
    # Friday 6 March 2026 + 3 business days = Wednesday 11 March, 5:00 p.m. in Los Gatos.
    sent = workflow.send(demand, by=legal, sent_on=dt.date(2026, 3, 6), channels=["courier"])
    assert sent.status == S.SENT
    assert sent.deadline == dt.date(2026, 3, 11)
    assert sent.deadline_at == dt.datetime(2026, 3, 11, 17, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert sent.deadline_display == "5:00 p.m. PT on Wednesday, March 11, 2026"
    assert (sent.sent_channel, sent.sent_channels) == ("courier", ["courier"])
    assert sent.sent_at.astimezone(ZoneInfo("America/Los_Angeles")).date() == dt.date(2026, 3, 6)
    record = sent.sent_letter
    assert record != approved_render and record.purpose == LetterPurpose.RECORD
    assert (record.version, record.status) == (2, LetterStatus.QUEUED)
    assert record.snapshot["letter_date"] == "2026-03-06"
    assert record.snapshot["channel_line"] == "By courier"
    assert record.snapshot["deadline_text"] == "5:00 p.m. PT on Wednesday, March 11, 2026"
    assert record.snapshot["mark"] == ""
    for item in items:
        item.refresh_from_db()
        assert item.stage == Stage.NOTIFIED
    events = StageEvent.objects.filter(source=EventSource.DEMAND, demand_id=sent.pk)
    assert events.count() == len(items)
    event = DemandEvent.objects.get(demand=sent, action="sent")
    assert "deadline 5:00 p.m. PT on Wednesday, March 11, 2026" in event.detail
    assert event.by == legal


def test_several_channels_are_named_in_the_order_chosen(draft, legal, manager):
    demand = advance(draft, S.APPROVED, legal=legal, manager=manager)
    sent = workflow.send(
        demand, by=legal, sent_on=dt.date(2026, 3, 6), channels=["email", "courier", "email"]
    )
    assert sent.sent_channels == ["email", "courier"]
    assert sent.sent_letter.snapshot["channel_line"] == "By email and courier"


def test_sending_refuses_a_future_date_or_no_channel_and_changes_nothing(
    draft, legal, manager, items
):
    demand = advance(draft, S.APPROVED, legal=legal, manager=manager)
    with pytest.raises(workflow.WorkflowError, match="future"):
        workflow.send(
            demand,
            by=legal,
            sent_on=demand.rights_holder.today() + dt.timedelta(days=1),
            channels=["email"],
        )
    with pytest.raises(workflow.WorkflowError, match="at least one channel"):
        workflow.send(demand, by=legal, sent_on=dt.date(2026, 3, 6), channels=[])
    with pytest.raises(workflow.WorkflowError, match="Unknown channel 'fax'"):
        workflow.send(demand, by=legal, sent_on=dt.date(2026, 3, 6), channels=["email", "fax"])
    assert Demand.objects.get(pk=demand.pk).status == S.APPROVED
    assert Demand.objects.get(pk=demand.pk).sent_letter is None
    assert not demand.letters.filter(purpose=LetterPurpose.RECORD).exists()
    assert not StageEvent.objects.filter(source=EventSource.DEMAND).exists()


def test_sending_leaves_items_past_identified_alone(draft, legal, manager, items):
    from casework.stages import transition

    transition(items[0], Stage.NOTIFIED, by=legal)
    transition(items[0], Stage.REMOVED, by=legal)
    demand = advance(draft, S.SENT, legal=legal, manager=manager)
    items[0].refresh_from_db()
    assert items[0].stage == Stage.REMOVED
    assert StageEvent.objects.filter(demand_id=demand.pk).count() == 2


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        (dt.date(2026, 3, 2), 3, dt.date(2026, 3, 5)),  # Monday → Thursday
        (dt.date(2026, 3, 5), 3, dt.date(2026, 3, 10)),  # Thursday → Tuesday
        (dt.date(2026, 3, 7), 1, dt.date(2026, 3, 9)),  # Saturday → Monday
        (dt.date(2026, 3, 6), 10, dt.date(2026, 3, 20)),
    ],
)
def test_business_days_skip_weekends(start, days, deadline):
    assert workflow.add_business_days(start, days) == deadline


def test_submission_and_approval_wait_for_completeness(legal, manager, items, template):
    from notices import drafting

    items[0].elements.clear()
    demand = drafting.draft_demand(legal, [i.pk for i in items])
    with pytest.raises(
        workflow.WorkflowError, match=f"protected element named for item.*{items[0].reference}"
    ):
        workflow.perform(demand, "submit", by=legal)
    items[0].elements.add(items[1].elements.first())
    workflow.perform(demand, "submit", by=legal)
    template.pk = None
    template.version = 2
    template.signatory_name = ""
    template.good_faith_statement = " "
    template.save()
    with pytest.raises(workflow.WorkflowError, match="signatory.*good-faith"):
        workflow.perform(demand, "approve", by=manager)
    assert Demand.objects.get(pk=demand.pk).status == S.IN_REVIEW


def test_compliance_is_recorded_with_note_and_date(draft, legal, manager):
    remedy = draft.remedies.get(position=2)
    with pytest.raises(ValueError, match="only after it is sent"):
        workflow.record_compliance(remedy, by=legal, status=RemedyStatus.COMPLIED)
    advance(draft, S.RESPONDED, legal=legal, manager=manager)
    workflow.record_compliance(
        remedy,
        by=legal,
        status=RemedyStatus.PARTLY_COMPLIED,
        on=dt.date(2026, 3, 12),
        note="Removed 2 of 3 URLs.",
    )
    remedy.refresh_from_db()
    assert remedy.status == RemedyStatus.PARTLY_COMPLIED
    assert remedy.status_on == dt.date(2026, 3, 12)
    assert remedy.note == "Removed 2 of 3 URLs."
    event = DemandEvent.objects.filter(demand=draft, action="remedy").get()
    assert "2026-03-12" in event.detail and event.by == legal
    # The same request again writes nothing.
    workflow.record_compliance(
        remedy,
        by=legal,
        status=RemedyStatus.PARTLY_COMPLIED,
        on=dt.date(2026, 3, 12),
        note="Removed 2 of 3 URLs.",
    )
    assert DemandEvent.objects.filter(demand=draft, action="remedy").count() == 1


def test_overdue_means_deadline_passed_and_a_remedy_pending(draft, legal, manager):
    demand = advance(draft, S.SENT, legal=legal, manager=manager, sent_on=dt.date(2026, 3, 2))
    assert Demand.objects.filter(workflow.is_overdue_q()).get() == demand
    demand.remedies.update(status=RemedyStatus.COMPLIED)
    assert not Demand.objects.filter(workflow.is_overdue_q()).exists()


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_send_sends_once(legal, manager, items, template):
    from notices import drafting

    demand = drafting.draft_demand(legal, [i.pk for i in items])
    demand = advance(demand, S.APPROVED, legal=legal, manager=manager)
    barrier = threading.Barrier(2)
    outcomes = []

    def click():
        try:
            barrier.wait()
            workflow.send(demand, by=legal, sent_on=dt.date(2026, 3, 6), channels=["email"])
            outcomes.append("sent")
        except workflow.WorkflowError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "sent"]
    assert DemandEvent.objects.filter(demand=demand, action="sent").count() == 1
    assert StageEvent.objects.filter(demand_id=demand.pk).count() == len(items)
    assert demand.letters.filter(purpose=LetterPurpose.RECORD).count() == 1
