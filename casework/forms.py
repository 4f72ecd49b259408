"""Forms of the items workspace. Every choice is scoped with ``for_user``."""

from django import forms
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import format_html

from casework import evidence as evidence_store
from casework import stages
from casework.choices import Stage
from casework.filters import ElementChoiceField
from casework.models import Franchise, InfringingItem, Platform, ProtectedElement
from casework.urlnorm import InvalidURL, normalize_url


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several evidence files at once; each is checked for size, type and contents."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        uploads = [u for u in uploads if u]
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        cleaned, errors = [], []
        for upload in uploads:
            upload = super().clean(upload, initial)
            try:
                cleaned.append((upload, evidence_store.validate_upload(upload)))
            except forms.ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class ElementsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return ElementChoiceField.label_from_instance(self, obj)


class ItemForm(forms.ModelForm):
    """Log a new infringing item, with its first evidence files."""

    url = forms.URLField(
        label="URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Tracking parameters and fragments are ignored when checking for duplicates.",
    )
    evidence = EvidenceFilesField(
        required=False,
        label="Evidence files",
        help_text="Screenshots, videos or saved pages. You can add more later.",
    )
    evidence_note = forms.CharField(
        required=False, max_length=300, label="Evidence note", help_text="How it was captured."
    )

    class Meta:
        model = InfringingItem
        fields = [
            "franchise",
            "elements",
            "platform",
            "url",
            "title",
            "description",
            "content_kind",
            "conduct",
            "theory",
            "first_seen",
        ]
        field_classes = {"elements": ElementsField}
        widgets = {
            "first_seen": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "elements": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "elements": "Only elements of the chosen franchise are accepted.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["franchise"].queryset = Franchise.objects.for_user(user).select_related(
            "rights_holder"
        )
        elements = ProtectedElement.objects.for_user(user).select_related("franchise")
        franchise_id = self.data.get("franchise") if self.is_bound else None
        if franchise_id and str(franchise_id).isdigit():
            # The choices shown are that franchise's; clean() enforces it anyway.
            elements = elements.filter(franchise_id=franchise_id)
        self.fields["elements"].queryset = elements
        self.fields["platform"].queryset = Platform.objects.all()
        self.fields["franchise"].widget.attrs.update(
            {
                "hx-get": reverse("casework:element-options"),
                "hx-target": "#id_elements",
                "hx-trigger": "change",
            }
        )

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            self.normalized_url = normalize_url(url)
        except InvalidURL as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url

    def clean(self):
        cleaned = super().clean()
        franchise = cleaned.get("franchise")
        elements = cleaned.get("elements") or []
        if franchise:
            foreign = [e.name for e in elements if e.franchise_id != franchise.pk]
            if foreign:
                self.add_error(
                    "elements",
                    f"Not part of {franchise.name}: {', '.join(foreign)}.",
                )
            normalized = getattr(self, "normalized_url", None)
            if normalized:
                self._refuse_duplicate(franchise.rights_holder_id, normalized)
        return cleaned

    def _refuse_duplicate(self, holder_id, normalized):
        existing = InfringingItem.objects.filter(
            rights_holder_id=holder_id, normalized_url=normalized
        ).first()
        if existing:
            self.add_error("url", duplicate_message(existing))

    def save(self, commit=True):
        """Create the item, its first StageEvent and its evidence in one transaction."""
        assert commit, "ItemForm always saves."
        item = super().save(commit=False)
        item.rights_holder = item.franchise.rights_holder
        item.logged_by = self.user
        stored = []
        try:
            with transaction.atomic():
                item.save()
                self.save_m2m()
                stages.record_logged(item, by=self.user)
                for upload, content_type in self.cleaned_data.get("evidence") or []:
                    stored.append(
                        evidence_store.store(
                            item,
                            upload,
                            by=self.user,
                            note=self.cleaned_data.get("evidence_note", ""),
                            content_type=content_type,
                        )
                    )
        except IntegrityError:
            # Someone logged the same URL between our check and our insert.
            evidence_store.discard([e.file.name for e in stored])
            item.pk = None
            self._refuse_duplicate(item.rights_holder_id, item.normalized_url)
            if not self.errors:
                raise
            return None
        except Exception:
            evidence_store.discard([e.file.name for e in stored])
            raise
        return item


def duplicate_message(existing):
    return format_html(
        'This URL is already logged as <a href="{}">{} “{}”</a>.',
        existing.get_absolute_url(),
        existing.reference,
        existing.title,
    )


class EvidenceForm(forms.Form):
    """Add evidence to an existing item."""

    evidence = EvidenceFilesField(label="Evidence files")
    note = forms.CharField(required=False, max_length=300, label="Note")

    def save(self, item, by):
        stored = []
        try:
            with transaction.atomic():
                for upload, content_type in self.cleaned_data["evidence"]:
                    stored.append(
                        evidence_store.store(
                            item,
                            upload,
                            by=by,
                            note=self.cleaned_data["note"],
                            content_type=content_type,
                        )
                    )
        except Exception:
            evidence_store.discard([e.file.name for e in stored])
            raise
        return stored


class TransitionForm(forms.Form):
    """Move one item to another stage, with a note (required to dismiss)."""

    target = forms.ChoiceField(choices=Stage.choices)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target") == Stage.DISMISSED and not cleaned.get("note", "").strip():
            self.add_error("note", "A dismissal needs a reason: say why in the note.")
        return cleaned


class BulkStageForm(TransitionForm):
    """Move the selected items of the list; all move, or none do.

    The selected ids come from the list's checkboxes (``items``); any id the
    user cannot see is refused as a whole, without saying whether it exists.
    """

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.item_ids = []

    def clean(self):
        cleaned = super().clean()
        raw = self.data.getlist("items") if hasattr(self.data, "getlist") else []
        try:
            ids = {int(v) for v in raw}
        except ValueError as exc:
            raise forms.ValidationError("The selection is not a list of items.") from exc
        if not ids:
            raise forms.ValidationError("Select at least one item to move.")
        visible = InfringingItem.objects.for_user(self.user).filter(pk__in=ids)
        if set(visible.values_list("pk", flat=True)) != ids:
            raise forms.ValidationError("Some selected items no longer exist or are not yours.")
        self.item_ids = sorted(ids)
        return cleaned
