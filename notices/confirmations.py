"""What the demand page's actions that cannot be undone ask first (casework.confirm):
withdrawing and closing a demand, marking it as sent, removing a demand from the
letter, removing an item from a draft."""

from casework.confirm import Confirmation
from notices.workflow import ACTIONS

# Workflow actions with no way back (notices.workflow.TRANSITIONS: nothing leaves them).
FINAL_ACTIONS = {
    "withdraw": "A withdrawn demand cannot be submitted, approved or sent again.",
    "close": "A closed demand cannot be escalated or reopened; responses can still be recorded.",
}


def action(demand, name) -> Confirmation | None:
    """The question a workflow button asks first, or None if it just acts."""
    if name not in FINAL_ACTIONS:
        return None
    return Confirmation(f"{ACTIONS[name].label} demand {demand.reference}?", FINAL_ACTIONS[name])


def send(demand) -> Confirmation:
    return Confirmation(
        f"Mark demand {demand.reference} as sent?",
        "The letter of record is made now with the sending date, the channels and the "
        "deadline, and the demand's identified items move to notified. Sending cannot be "
        "undone.",
    )


def remove_remedy(demand, remedy) -> Confirmation:
    return Confirmation(
        f"Remove demand {remedy.position} from {demand.reference}?",
        "Its text is deleted from the letter and the demands after it are renumbered.",
    )


def remove_item(demand, item) -> Confirmation:
    return Confirmation(
        f"Remove {item.reference} from demand {demand.reference}?",
        "The letter will no longer name it. The item stays in the item list, from where "
        "it can be added to this draft again.",
    )
