"""Actions that cannot be undone ask first.

With JavaScript, a button carrying ``Confirmation.attrs()`` opens a native
<dialog> (static/js/app.js) that asks the question; confirming posts the form
with ``confirmed=yes``. Without it, the view receives the post without that
field and answers with ``page()``: the same question on a page of its own,
whose button re-posts the same fields, confirmed. Either way nothing happens
until the person has read what will.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils.html import format_html

FIELD = "confirmed"


@dataclass(frozen=True)
class Confirmation:
    """What an action asks first: "Dismiss 25 items?" and what follows from it."""

    question: str
    detail: str

    @property
    def button(self) -> str:
        """The confirming button says what it does: "Dismiss 25 items"."""
        return self.question.removesuffix("?")

    def attrs(self):
        """The attributes that make a submit button ask in the dialog (escaped)."""
        return format_html(
            ' data-confirm="{}" data-confirm-detail="{}"', self.question, self.detail
        )


def confirmed(request) -> bool:
    return request.POST.get(FIELD) == "yes"


def page(request, confirmation: Confirmation, *, cancel_url: str):
    """The confirmation page of a post that was not confirmed yet (no JavaScript)."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", FIELD)
        for value in values
    ]
    return render(
        request,
        "casework/confirm.html",
        {"confirmation": confirmation, "fields": fields, "cancel_url": cancel_url},
    )
