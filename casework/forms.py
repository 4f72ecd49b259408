"""Forms of the items workspace. Every choice is scoped with ``for_user``."""

import datetime as dt

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import format_html

from casework import access, hosts, stages
from casework import evidence as evidence_store
from casework.choices import Conduct, ContentKind, Stage, Theory
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
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


# Changing these would change what a sent letter said about the item: once the item
# is in a sent demand they are shown but not editable (its letter of record stands).
LOCKED_WHEN_SENT = ("franchise", "elements", "platform", "url")


class ItemFieldsForm(forms.ModelForm):
    """The fields of an item, shared by logging and editing it.

    First seen defaults to the holder's today and refuses later dates; content kind
    and conduct start on the usual answers; protected elements are checkboxes grouped
    by franchise; a platform whose listed hosts do not include the URL's host is a
    warning the user overrides by giving a reason (``platform_reason``).
    """

    url = forms.URLField(
        label="URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Tracking parameters and fragments are ignored when checking for duplicates.",
    )
    platform_reason = forms.CharField(
        required=False,
        max_length=500,
        label="Reason to keep this platform",
        help_text="Why the item belongs to this platform although its URL is elsewhere "
        "(recorded on the item's timeline).",
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
        }
        help_texts = {
            "elements": "Tick what the item copies; only elements of its franchise are accepted.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.platform_warning = ""
        franchises = Franchise.objects.for_user(user).select_related("rights_holder")
        elements = ProtectedElement.objects.for_user(user).select_related("franchise")
        if self.instance.pk:
            # An item stays with its rights holder: only that holder's catalogue is offered.
            holder_id = self.instance.rights_holder_id
            franchises = franchises.filter(rights_holder_id=holder_id)
            elements = elements.filter(franchise__rights_holder_id=holder_id)
            self.holder = self.instance.rights_holder
        else:
            holders = access.holders_of(user)
            self.holder = holders[0] if holders else None
        self.fields["franchise"].queryset = franchises
        self.fields["elements"].queryset = elements.order_by("franchise__name", "name")
        self.fields["platform"].queryset = Platform.objects.all()
        self.fields["content_kind"].choices = ContentKind.choices
        self.fields["conduct"].choices = Conduct.choices
        self.fields["theory"].choices = Theory.choices
        today = self.today()
        if not self.instance.pk:
            self.fields["content_kind"].initial = ContentKind.VIDEO
            self.fields["conduct"].initial = Conduct.RECREATION
            self.fields["first_seen"].initial = today
        self.fields["first_seen"].widget.attrs["max"] = today.isoformat()
        self.fields["first_seen"].help_text = "The day you first saw it; not later than today."
        for field in self.fields.values():
            if field.required:
                field.widget.attrs["aria-required"] = "true"

    def today(self, holder=None) -> dt.date:
        holder = holder or self.holder
        return holder.today() if holder else timezone.localdate()

    def element_groups(self):
        """The element checkboxes grouped by franchise: [(franchise, [bound checkbox])]."""
        groups: dict = {}
        for box in self["elements"]:
            element = box.data["value"].instance
            groups.setdefault(element.franchise, []).append(box)
        return list(groups.items())

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
        first_seen = cleaned.get("first_seen")
        holder = franchise.rights_holder if franchise else self.holder
        if first_seen and first_seen > self.today(holder):
            today = self.today(holder)
            self.add_error(
                "first_seen",
                f"First seen cannot be in the future: today is {today:%Y-%m-%d} "
                f"({holder.time_zone if holder else 'server time'}).",
            )
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
        platform, url = cleaned.get("platform"), cleaned.get("url")
        # An edit that leaves the platform and URL alone is not asked about them again.
        moved = not self.instance.pk or {"platform", "url"} & set(self.changed_data)
        if platform and url and moved:
            self.platform_warning = hosts.mismatch(platform, url)
            if self.platform_warning and not cleaned.get("platform_reason", "").strip():
                self.add_error("platform", self.platform_warning)
        return cleaned

    def override_note(self) -> str:
        """The timeline's note when the platform was kept despite the URL's host."""
        reason = self.cleaned_data.get("platform_reason", "").strip()
        if not (self.platform_warning and reason):
            return ""
        host = hosts.host_of(self.cleaned_data["url"])
        return f"Platform {self.cleaned_data['platform'].name} kept for host {host}: {reason}"

    def _refuse_duplicate(self, holder_id, normalized):
        existing = (
            InfringingItem.objects.filter(rights_holder_id=holder_id, normalized_url=normalized)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if existing:
            self.add_error("url", duplicate_message(existing))


class ItemForm(ItemFieldsForm):
    """Log a new infringing item, with its first evidence files."""

    evidence = EvidenceFilesField(
        required=False,
        label="Evidence files",
        help_text="Screenshots, videos or saved pages. You can add more later.",
    )
    evidence_note = forms.CharField(
        required=False, max_length=300, label="Evidence note", help_text="How it was captured."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A browser cannot refill a file input: after a validation error the page names
        # the files that were chosen and asks for them again.
        chosen = self.files.getlist("evidence") if hasattr(self.files, "getlist") else []
        self.reask_files = [f.name for f in chosen if f]

    def save(self, commit=True):
        """Create the item, its first StageEvent and its evidence in one transaction."""
        assert commit, "ItemForm always saves."
        item = super().save(commit=False)
        item.rights_holder = item.franchise.rights_holder
        item.logged_by = self.user
        note = self.override_note()
        if note:
            item._change_reason = note
        stored = []
        try:
            with transaction.atomic():
                item.save()
                self.save_m2m()
                stages.record_logged(item, by=self.user, reason=note)
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


class ItemEditForm(ItemFieldsForm):
    """Correct an item. Every saved change is one history row (the item's timeline)
    naming who changed which fields from what to what, with the note given. Evidence
    is not edited here (it is append-only); once the item is in a sent demand,
    ``LOCKED_WHEN_SENT`` fields are shown but not changed."""

    note = forms.CharField(
        required=False,
        max_length=500,
        label="Note",
        help_text="Why you are changing it (shown on the item's timeline).",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent_demands = list(
            self.instance.demands.filter(sent_at__isnull=False).values_list("reference", flat=True)
        )
        if self.sent_demands:
            for name in LOCKED_WHEN_SENT:
                self.fields[name].disabled = True

    @property
    def locked(self) -> bool:
        return bool(self.sent_demands)

    def save(self, commit=True):
        """Save the changes and their one history row; None when nothing changed."""
        assert commit, "ItemEditForm always saves."
        changed = [n for n in self.changed_data if n not in ("note", "platform_reason")]
        if not changed:
            return None
        item = super().save(commit=False)
        reason = "; ".join(
            part
            for part in (self.cleaned_data.get("note", "").strip(), self.override_note())
            if part
        )
        try:
            with transaction.atomic():
                # Fields and elements first without history, then one row recording both.
                item.skip_history_when_saving = True
                try:
                    item.save()
                    self.save_m2m()
                finally:
                    del item.skip_history_when_saving
                item._change_reason = reason or None
                item.save(update_fields=["updated_at"])
        except IntegrityError:
            # The same URL was logged for this holder between our check and our save.
            self._refuse_duplicate(item.rights_holder_id, item.normalized_url)
            if not self.errors:
                raise
            return None
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
    """Move the selected items of the list: all move, or none do unless ``skip_refused``
    (the "Move the N that can" button of the bulk move page).

    The selected ids come from the list's checkboxes (``items``); any id the
    user cannot see is refused as a whole, without saying whether it exists.
    """

    skip_refused = forms.BooleanField(required=False, widget=forms.HiddenInput)

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
