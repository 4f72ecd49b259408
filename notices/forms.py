"""Forms of the demand pages. Choices are scoped to what the user may see."""

from django import forms
from django.core.exceptions import ValidationError

from casework.forms import EvidenceFilesField
from casework.models import Respondent
from notices import responses
from notices.choices import Channel, DemandStatus, RemedyStatus
from notices.models import Demand, LetterTemplate, Remedy


def errors_in_words(form) -> str:
    """A form's errors on one line, each named by its field's label as the page shows it
    ("Date: Enter a valid date."), for the message of a form that redirects back."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(errors)
        parts.append(text if name == "__all__" else f"{form[name].label}: {text}")
    return " ".join(parts)


class DraftForm(forms.Form):
    """Confirm a new demand: respondent, response period, the staff's own paragraphs."""

    respondent = forms.ModelChoiceField(queryset=Respondent.objects.all())
    response_days = forms.IntegerField(
        label="Response period (business days)", min_value=1, max_value=90
    )
    paragraphs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Paragraphs written for this demand; a blank line separates them.",
    )


class AddItemsForm(forms.Form):
    demand = forms.ModelChoiceField(queryset=Demand.objects.none(), label="Draft demand")

    def __init__(self, *args, user, holder_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand"].queryset = (
            Demand.objects.for_user(user)
            .filter(status=DemandStatus.DRAFT, rights_holder_id__in=holder_ids)
            .select_related("respondent")
        )


class RemedyForm(forms.Form):
    """The text of one remedy, or of a new one.

    The demand page shows one form per remedy, so each has its own prefix; the page
    and the views both build them through ``for_remedy`` / ``for_new`` to agree on it.
    """

    NEW_PREFIX = "new"

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    @classmethod
    def for_remedy(cls, remedy, data=None):
        return cls(data, initial={"text": remedy.text}, prefix=f"r{remedy.pk}")

    @classmethod
    def for_new(cls, data=None):
        return cls(data, prefix=cls.NEW_PREFIX)


class ComplianceForm(forms.Form):
    """Whether the respondent complied with one remedy (prefixed per remedy, like RemedyForm)."""

    status = forms.ChoiceField(choices=RemedyStatus.choices)
    on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    @classmethod
    def for_remedy(cls, remedy, data=None, *, today=None):
        """Shows what is recorded (status, its date, note), so saving again changes only
        what the person changed; a remedy never recorded offers ``today`` (the holder's)."""
        initial = {"status": remedy.status, "note": remedy.note, "on": remedy.status_on or today}
        return cls(data, initial=initial, prefix=f"c{remedy.pk}")


class ActionForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000)


class ReturnForm(forms.Form):
    """A manager sends a demand in review back to draft, saying why (its preparer sees it)."""

    reason = forms.CharField(
        label="Reason for returning it",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to whoever prepared the demand until they submit it again.",
    )


class SendForm(forms.Form):
    """Sending an approved demand: the letter of record is made from these."""

    sent_on = forms.DateField(label="Sent on", widget=forms.DateInput(attrs={"type": "date"}))
    channels = forms.MultipleChoiceField(
        label="Sent by",
        choices=Channel.choices,
        initial=[Channel.EMAIL],
        widget=forms.CheckboxSelectMultiple,
        help_text="Every channel it goes out by; the letter names them.",
    )
    note = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, demand, **kwargs):
        super().__init__(*args, **kwargs)
        # The letter is dated where its holder works (at 00:30 UTC it is still
        # yesterday in Los Angeles); a later date is refused by workflow.send.
        today = demand.rights_holder.today()
        self.fields["sent_on"].initial = today
        self.fields["sent_on"].widget.attrs["max"] = today.isoformat()


class LetterTemplateForm(forms.ModelForm):
    """The letter text of a rights holder; saving creates a new version."""

    class Meta:
        model = LetterTemplate
        fields = [
            "letterhead",
            "signatory_name",
            "signatory_title",
            "contact_details",
            "opening",
            "legal_basis",
            "consequences",
            "fair_use",
            "preservation",
            "good_faith_statement",
            "accuracy_statement",
            "closing",
            "cc",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in [
                "letterhead",
                "contact_details",
                "opening",
                "legal_basis",
                "consequences",
                "fair_use",
                "preservation",
                "good_faith_statement",
                "accuracy_statement",
                "closing",
                "cc",
            ]
        }


class ResponseForm(forms.Form):
    """The respondent's reply to a demand, or to one of its remedies, with its files."""

    received_on = forms.DateField(
        label="Date received", widget=forms.DateInput(attrs={"type": "date"})
    )
    remedy = forms.ModelChoiceField(
        queryset=Remedy.objects.none(),
        required=False,
        empty_label="The demand as a whole",
        label="Answers",
    )
    text = forms.CharField(
        label="Reply",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        help_text="What the respondent said, or a summary with the attached files.",
    )
    is_counter_notice = forms.BooleanField(
        label="Counter-notice",
        required=False,
        help_text="The respondent disputes the demand (fair use, licence, not infringing).",
    )
    files = EvidenceFilesField(
        label="Files",
        required=False,
        help_text="The reply as received (PDF, e-mail, screenshots); each is hashed with SHA-256.",
    )

    def __init__(self, *args, demand, **kwargs):
        super().__init__(*args, **kwargs)
        self.demand = demand
        self.fields["remedy"].queryset = demand.remedies.order_by("position", "pk")
        self.fields["remedy"].label_from_instance = lambda remedy: (
            f"Demand {remedy.position}: {remedy.get_kind_display()}"
        )
        # The browser's date picker offers only possible dates, the holder's today at
        # most; clean_received_on decides.
        today = demand.rights_holder.today()
        self.fields["received_on"].initial = today
        attrs = self.fields["received_on"].widget.attrs
        attrs["max"] = today.isoformat()
        if demand.sent_on is not None:
            attrs["min"] = demand.sent_on.isoformat()

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        try:
            responses.check_received_on(self.demand, value)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["received_on"]) from exc
        return value
