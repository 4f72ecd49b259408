"""Notices: cease-and-desist demands, their remedies, letter templates and rendered letters."""

from django.conf import settings
from django.db import models

from casework.choices import JobStatus
from casework.models import InfringingItem, Respondent, RightsHolder, choices_check, scoped
from notices.choices import Channel, DemandStatus, LetterStatus, RemedyKind, RemedyStatus


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
    deadline = models.DateField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
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

    def __str__(self):
        return f"{self.demand_id} {self.action}"


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

    class Meta:
        ordering = ["rights_holder", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["rights_holder", "version"], name="template_unique_version"
            )
        ]

    def __str__(self):
        return f"{self.rights_holder.code} template v{self.version}"


def letter_path(instance, filename):
    return f"letters/{instance.demand.rights_holder_id}/{instance.demand_id}/{filename}"


class Letter(models.Model):
    """One rendered version of a demand's letter. Immutable once ready."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="letters")
    version = models.PositiveIntegerField()
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=LetterStatus.choices, default=LetterStatus.QUEUED
    )
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=letter_path, blank=True, max_length=500)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField("render time (ms)", null=True, blank=True)

    objects = scoped("demand__rights_holder")

    class Meta:
        ordering = ["demand", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "version"], name="letter_unique_version"),
            choices_check("status", LetterStatus),
        ]
        indexes = [
            # The sweeper: renders stuck in queued or rendering.
            models.Index(
                fields=["status", "queued_at"],
                name="letter_unfinished",
                condition=models.Q(status__in=["queued", "rendering"]),
            )
        ]

    def __str__(self):
        return f"{self.demand.reference} v{self.version}"


def export_path(instance, filename):
    return f"exports/{instance.created_by_id}/{filename}"


class ExportJob(models.Model):
    """Several demands' letters as one ZIP, built by a Celery task.

    The row is the source of truth for status and progress; the page polls it.
    Only the user who asked for an export sees it.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    demands = models.ManyToManyField(Demand, related_name="+")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, blank=True, max_length=500)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [choices_check("status", JobStatus)]

    def __str__(self):
        return f"Export {self.pk}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0
