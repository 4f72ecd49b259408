"""Forms of the catalogue: a rights holder's franchises, protected elements (with their
registrations) and letter signatory. Choices are scoped to the user's rights holders."""

from django import forms

from casework import access
from casework.models import Franchise, ProtectedElement, RightsHolder

REGISTRATION = ["registration_number", "registration_office", "registration_date"]
DATE = forms.DateInput(attrs={"type": "date"})


class _Required:
    def mark_required(self):
        for field in self.fields.values():
            if field.required:
                field.widget.attrs["aria-required"] = "true"


class FranchiseForm(_Required, forms.ModelForm):
    """A franchise of one of the user's rights holders; its holder is fixed once created."""

    class Meta:
        model = Franchise
        fields = ["rights_holder", "name", *REGISTRATION]
        widgets = {"registration_date": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rights_holder"].queryset = RightsHolder.objects.for_user(user)
        holders = access.holders_of(user)
        if self.instance.pk:
            self.fields["rights_holder"].disabled = True
        elif len(holders) == 1:
            self.fields["rights_holder"].initial = holders[0].pk
        self.mark_required()


class ElementForm(_Required, forms.ModelForm):
    """A protected element of one of the user's franchises (moved only within its holder)."""

    class Meta:
        model = ProtectedElement
        fields = ["franchise", "name", "kind", "description", *REGISTRATION]
        widgets = {"registration_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        franchises = Franchise.objects.for_user(user).select_related("rights_holder")
        if self.instance.pk:
            franchises = franchises.filter(
                rights_holder_id=self.instance.franchise.rights_holder_id
            )
        self.fields["franchise"].queryset = franchises
        self.mark_required()


class SignatoryForm(_Required, forms.ModelForm):
    """Who signs a rights holder's letters, and how the respondent reaches them."""

    class Meta:
        model = RightsHolder
        fields = ["signatory_name", "signatory_title", "signatory_email", "contact_phone"]
        labels = {
            "signatory_name": "Signatory's name",
            "signatory_title": "Signatory's title",
            "signatory_email": "Signatory's email",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("signatory_name", "signatory_title"):
            self.fields[name].required = True
        self.mark_required()
