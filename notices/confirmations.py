"""What the demand page's actions that cannot be undone ask first (casework.confirm):
the workflow's final steps (withdraw, close, escalate, the outcome), marking a demand
as sent, removing a demand from the letter, removing an item from a draft."""

from casework.confirm import Confirmation

# Workflow actions with no way back (notices.workflow.TRANSITIONS): a mistaken click on one
# cannot be corrected. Each asks "question" (with the demand's reference) and says "detail".
OUTCOME = (
    "The outcome cannot be changed afterwards: the demand can then only be escalated or closed."
)
FINAL_ACTIONS = {
    "withdraw": (
        "Withdraw demand {}?",
        "A withdrawn demand cannot be submitted, approved or sent again.",
    ),
    "close": (
        "Close demand {}?",
        "A closed demand cannot be escalated or reopened; responses can still be recorded.",
    ),
    "escalate": (
        "Escalate demand {}?",
        "An escalated demand cannot go back; a later response can still be recorded.",
    ),
    "complied": ("Record that the respondent complied with demand {}?", OUTCOME),
    "partly_complied": ("Record that the respondent partly complied with demand {}?", OUTCOME),
    "refused": ("Record that the respondent refused demand {}?", OUTCOME),
}


def action(demand, name) -> Confirmation | None:
    """The question a workflow button asks first, or None if it just acts."""
    if name not in FINAL_ACTIONS:
        return None
    question, detail = FINAL_ACTIONS[name]
    return Confirmation(question.format(demand.reference), detail)


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
