"""Forms of the demand pages. Choices are scoped to what the user may see."""

from django import forms
from django.utils import timezone

from casework.models import Respondent
from notices.choices import Channel, DemandStatus, LetterStatus, RemedyStatus
from notices.models import Demand, Letter, LetterTemplate


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


class DemandEditForm(DraftForm):
    pass


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
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ComplianceForm(forms.Form):
    status = forms.ChoiceField(choices=RemedyStatus.choices)
    on = forms.DateField(
        label="Date", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ActionForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000)


class SendForm(forms.Form):
    letter = forms.ModelChoiceField(queryset=Letter.objects.none(), label="Letter version")
    sent_on = forms.DateField(
        label="Sent on", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(choices=Channel.choices)
    note = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, demand, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letter"].queryset = Letter.objects.filter(
            demand=demand, status=LetterStatus.READY
        ).order_by("-version")
        self.fields["letter"].label_from_instance = lambda letter: (
            f"Version {letter.version} · {letter.pages} pages · {letter.sha256[:12]}…"
        )
        first = self.fields["letter"].queryset.first()
        if first:
            self.fields["letter"].initial = first.pk


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


class ExportForm(forms.Form):
    demands = forms.ModelMultipleChoiceField(queryset=Demand.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demands"].queryset = Demand.objects.for_user(user)
