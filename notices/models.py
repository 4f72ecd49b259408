"""Notices: cease-and-desist demands, their remedies, letter templates and rendered letters."""

import json

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from casework.choices import JobStatus
from casework.jobs import Job
from casework.models import (
    AppendOnly,
    InfringingItem,
    Respondent,
    RightsHolder,
    choices_check,
    scoped,
)
from notices.choices import (
    Channel,
    DemandStatus,
    LetterPurpose,
    LetterStatus,
    RemedyKind,
    RemedyStatus,
)


class HolderClosureDay(models.Model):
    """A day a rights holder's office is closed besides public holidays: not a business day."""

    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.CASCADE, related_name="closure_days"
    )
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    objects = scoped("rights_holder")

    class Meta:
        ordering = ["rights_holder", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["rights_holder", "date"],
                name="closure_day_unique",
                violation_error_message="This day is already a closure day of the rights holder.",
            )
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()


class DemandCounter(models.Model):
    """The last demand number used per rights holder and year.

    Locked while a reference is taken, so references are sequential with no
    gaps or duplicates even when two people draft at once.
    """

    rights_holder = models.ForeignKey(RightsHolder, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    objects = scoped("rights_holder")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rights_holder", "year"], name="counter_unique_year")
        ]

    def __str__(self):
        return f"{self.rights_holder_id}/{self.year}: {self.last_number}"


class Demand(models.Model):
    """A cease-and-desist demand from one rights holder to one respondent."""

    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.PROTECT, related_name="demands"
    )
    respondent = models.ForeignKey(Respondent, on_delete=models.PROTECT, related_name="demands")
    reference = models.CharField(max_length=30, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False)
    items = models.ManyToManyField(InfringingItem, related_name="demands", blank=True)
    status = models.CharField(
        max_length=20, choices=DemandStatus.choices, default=DemandStatus.DRAFT, editable=False
    )
    response_days = models.PositiveSmallIntegerField("response period (business days)", default=3)
    paragraphs = models.TextField(
        blank=True, help_text="Paragraphs written for this demand; a blank line separates them."
    )
    # The date of the deadline in the holder's zone (overdue, dashboards, reminders)
    # and the moment itself (the letter's "no later than 5:00 p.m. PT on ...").
    deadline = models.DateField(null=True, blank=True, editable=False)
    deadline_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The letter's date (the day it was sent where the holder works: what the letter,
    # the lists and their filters say) and the moment the sending was recorded.
    sent_on = models.DateField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The first channel chosen (lists and the load generator) and all of them, in order.
    sent_channel = models.CharField(
        max_length=10, choices=Channel.choices, blank=True, editable=False
    )
    sent_channels = ArrayField(
        models.CharField(max_length=10, choices=Channel.choices),
        default=list,
        blank=True,
        editable=False,
    )
    sent_letter = models.ForeignKey(
        "Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue = models.BooleanField(default=False, editable=False)
    status_changed_at = models.DateTimeField(auto_now_add=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped("rights_holder")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rights_holder", "year", "number"],
                name="demand_unique_number",
                violation_error_message="This demand number is already taken.",
            ),
            choices_check("status", DemandStatus),
        ]
        indexes = [
            models.Index(fields=["rights_holder", "status"], name="demand_holder_status"),
            models.Index(fields=["respondent", "status"], name="demand_respondent_status"),
            models.Index(fields=["deadline"], name="demand_deadline"),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("notices:demand-detail", args=[self.pk])

    @property
    def channels(self) -> list[str]:
        return list(self.sent_channels) or ([self.sent_channel] if self.sent_channel else [])

    @property
    def deadline_display(self) -> str:
        """ "5:00 p.m. PT on Tuesday, December 1, 2026" in the holder's zone, or ""."""
        from notices.business_days import describe_deadline

        if self.deadline_at is None:
            return ""
        return describe_deadline(self.deadline_at.astimezone(self.rights_holder.zone))

    @property
    def channels_display(self) -> str:
        from notices.letters import channel_line

        return channel_line(self.channels).removeprefix("By ")


class Remedy(models.Model):
    """One thing a demand asks for, and whether the respondent complied."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="remedies")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=RemedyKind.choices, default=RemedyKind.OTHER)
    text = models.TextField()
    status = models.CharField(
        max_length=20, choices=RemedyStatus.choices, default=RemedyStatus.PENDING
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_on = models.DateField("compliance date", null=True, blank=True)
    note = models.TextField(blank=True)

    objects = scoped("demand__rights_holder")

    class Meta:
        ordering = ["demand", "position", "id"]
        verbose_name_plural = "remedies"
        constraints = [choices_check("kind", RemedyKind), choices_check("status", RemedyStatus)]

    def __str__(self):
        return f"{self.position}. {self.get_kind_display()}"


class DemandEvent(models.Model):
    """Audit trail of a demand: every status change and edit (who, when, what)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    detail = models.TextField(blank=True)

    objects = scoped("demand__rights_holder")

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # notices.notifications.send_unsent: the last day's submissions and returns.
            models.Index(
                fields=["at"],
                condition=models.Q(action__in=["submit", "return"]),
                name="demand_event_review_at",
            ),
        ]

    def __str__(self):
        return f"{self.demand_id} {self.action}"


class ImmutableError(ValidationError):
    """A letter or template version was asked to change after it was made."""


class LetterTemplate(models.Model):
    """A rights holder's letter text; each save is a new version, older ones are kept."""

    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.PROTECT, related_name="letter_templates"
    )
    version = models.PositiveIntegerField(editable=False)
    letterhead = models.TextField(help_text="Name and address lines at the top of the letter.")
    signatory_name = models.CharField(max_length=200)
    signatory_title = models.CharField(max_length=200)
    contact_details = models.TextField(help_text="Email and telephone for the reply.")
    opening = models.TextField()
    legal_basis = models.TextField()
    consequences = models.TextField(help_text="What follows if the deadline is missed.")
    fair_use = models.TextField(
        blank=True, help_text="Why fair use does not apply, factor by factor (17 U.S.C. § 107)."
    )
    preservation = models.TextField(
        "preservation of evidence",
        blank=True,
        help_text="The litigation hold: what the respondent must preserve.",
    )
    cc = models.TextField(
        "copies to",
        blank=True,
        help_text="Other recipients of a copy, one per line (platform agents are added).",
    )
    good_faith_statement = models.TextField()
    accuracy_statement = models.TextField()
    closing = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped("rights_holder")
    history = HistoricalRecords()

    class Meta:
        ordering = ["rights_holder", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["rights_holder", "version"], name="template_unique_version"
            )
        ]

    def __str__(self):
        return f"{self.rights_holder.code} template v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None and LetterTemplate.objects.filter(pk=self.pk).exists():
            raise ImmutableError(
                f"Letter template v{self.version} cannot be changed: save a new version instead."
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("notices:template-edit", args=[self.rights_holder_id])

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"Letter template v{self.version} cannot be deleted.")


def _as_stored(field, value):
    """A value as the database gives it back (a snapshot's dates become ISO strings)."""
    if isinstance(field, models.JSONField):
        return json.loads(json.dumps(value, cls=field.encoder))
    return value


def letter_path(instance, filename):
    return f"letters/{instance.demand.rights_holder_id}/{instance.demand_id}/{filename}"


class Letter(Job):
    """One rendered version of a demand's letter. Immutable once ready.

    A job (casework.jobs): its render is claimed, leased, retried and swept like
    every other kind; its statuses are called rendering and ready.
    """

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="letters")
    version = models.PositiveIntegerField()
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(
        max_length=10, choices=LetterPurpose.choices, default=LetterPurpose.DRAFT
    )
    # Everything the letter prints, taken when the version was created; the PDF
    # (and the preview of a sent demand) is rendered from this alone.
    snapshot = models.JSONField(default=dict, encoder=DjangoJSONEncoder, editable=False)
    status = models.CharField(
        max_length=10, choices=LetterStatus.choices, default=LetterStatus.QUEUED
    )
    file = models.FileField(upload_to=letter_path, blank=True, max_length=500)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    render_ms = models.PositiveIntegerField("render time (ms)", null=True, blank=True)

    RUNNING = LetterStatus.RENDERING
    DONE = LetterStatus.READY
    task_name = "notices.tasks.render_letter"
    work = "the render"

    objects = scoped("demand__rights_holder")

    class Meta:
        ordering = ["demand", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "version"], name="letter_unique_version"),
            models.UniqueConstraint(
                fields=["demand"],
                condition=models.Q(purpose="record"),
                name="letter_one_of_record",
                violation_error_message="A demand has one letter of record.",
            ),
            choices_check("status", LetterStatus),
            choices_check("purpose", LetterPurpose),
        ]
        indexes = [
            # The sweeper: renders stuck in queued or rendering.
            models.Index(
                fields=["status", "queued_at"],
                name="letter_unfinished",
                condition=models.Q(status__in=["queued", "rendering"]),
            )
        ]

    # What the rendering task fills in; everything else is fixed at creation.
    RENDER_FIELDS = frozenset(
        {"status", "error", "file", "sha256", "pages", "size", "attempts"}
        | {"queued_at", "started_at", "finished_at", "render_ms"}
    )

    def __str__(self):
        return f"{self.demand.reference} v{self.version}"

    def save(self, *args, **kwargs):
        """Create, or record a render's outcome on a letter not yet ready; nothing else."""
        if self.pk is not None:
            stored = Letter.objects.filter(pk=self.pk).values().first()
            if stored is not None:
                changed = {
                    f.attname
                    for f in self._meta.concrete_fields
                    if _as_stored(f, getattr(self, f.attname)) != stored[f.attname]
                }
                if stored["status"] == LetterStatus.READY and changed:
                    raise ImmutableError(
                        f"Letter {self} is ready and cannot be changed "
                        f"({', '.join(sorted(changed))})."
                    )
                if changed - self.RENDER_FIELDS:
                    raise ImmutableError(
                        f"Letter {self}: {', '.join(sorted(changed - self.RENDER_FIELDS))} "
                        "cannot be changed after the version is made."
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"Letter {self} cannot be deleted.")

    @property
    def of_record(self) -> bool:
        return self.purpose == LetterPurpose.RECORD

    def get_absolute_url(self):
        return reverse("notices:letter-download", args=[self.pk])


def export_path(instance, filename):
    return f"exports/{instance.created_by_id}/{filename}"


class ExportJob(Job):
    """Several demands' letters as one ZIP, built by a Celery task.

    The row is the source of truth for status and progress; the page polls it.
    Only the user who asked for an export sees it.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    demands = models.ManyToManyField(Demand, related_name="+")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, blank=True, max_length=500)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    task_name = "notices.tasks.build_export_zip"
    work = "the export"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [choices_check("status", JobStatus)]

    def __str__(self):
        return f"Export {self.pk}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    def get_absolute_url(self):
        return reverse("notices:export-detail", args=[self.pk])


def response_file_path(instance, filename):
    demand = instance.response.demand
    return f"responses/{demand.rights_holder_id}/{demand.pk}/{filename}"


class Response(AppendOnly):
    """The respondent's reply to a demand, or to one of its remedies, as received.

    A counter-notice disputes the demand (e.g. claims fair use or a licence).
    Recorded through ``notices.responses.record`` only: it checks the dates and
    the remedy, and moves a demand awaiting an answer to responded.
    """

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="responses")
    remedy = models.ForeignKey(
        Remedy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        help_text="The remedy the reply answers; blank for the demand as a whole.",
    )
    received_on = models.DateField("date received")
    text = models.TextField("reply")
    is_counter_notice = models.BooleanField("counter-notice", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = scoped("demand__rights_holder")

    class Meta:
        ordering = ["demand", "received_on", "id"]
        indexes = [
            # The demand page and the status board: a demand's responses, newest first.
            models.Index(fields=["demand", "-received_on", "-id"], name="response_demand_received"),
        ]

    def __str__(self):
        kind = "Counter-notice" if self.is_counter_notice else "Response"
        return f"{kind} to {self.demand_id} received {self.received_on:%Y-%m-%d}"


class ResponseFile(AppendOnly):
    """A file that came with a response, stored and hashed like evidence."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=response_file_path, max_length=500)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)

    objects = scoped("response__demand__rights_holder")

    class Meta:
        ordering = ["response", "id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("notices:response-file-download", args=[self.pk])


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Deadline next business day"
    DUE = "due", "Deadline reached"


class DemandReminder(models.Model):
    """A deadline reminder sent for one demand. One row per demand and kind: the
    unique constraint is what makes a reminder go out once, even when two sweeps
    run at the same time (the second insert fails and sends nothing)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    sent_at = models.DateTimeField()
    recipients = models.TextField(blank=True, help_text="Addresses, one per line.")

    objects = scoped("demand__rights_holder")

    class Meta:
        ordering = ["demand", "sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "kind"],
                name="reminder_once_per_demand_kind",
                violation_error_message="This reminder was already sent for this demand.",
            ),
            choices_check("kind", ReminderKind),
        ]

    def __str__(self):
        return f"{self.demand_id} {self.kind}"


class DemandNotification(models.Model):
    """The email sent about one workflow event (a submission for review, a return to
    draft). One row per event: the unique event is what makes the email go out once,
    even when a redelivered task runs again (the second insert fails and sends nothing)."""

    event = models.OneToOneField(DemandEvent, on_delete=models.CASCADE, related_name="notification")
    sent_at = models.DateTimeField()
    recipients = models.TextField(blank=True, help_text="Addresses, one per line.")

    objects = scoped("event__demand__rights_holder")

    class Meta:
        ordering = ["sent_at"]

    def __str__(self):
        return f"{self.event_id} {self.sent_at:%Y-%m-%d %H:%M}"
