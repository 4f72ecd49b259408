"""Choice lists of the notices models."""

from django.db import models


class DemandStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SENT = "sent", "Sent"
    RESPONDED = "responded", "Responded"
    COMPLIED = "complied", "Complied"
    PARTLY_COMPLIED = "partly_complied", "Partly complied"
    REFUSED = "refused", "Refused"
    ESCALATED = "escalated", "Escalated"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RemedyKind(models.TextChoices):
    CEASE = "cease", "Cease generating infringing content"
    REMOVE = "remove", "Remove the infringing content"
    ACCOUNT = "account", "Identify and account for all infringements"
    ACCESS = "access", "Remove third-party access"
    OTHER = "other", "Other"


class RemedyStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    COMPLIED = "complied", "Complied"
    PARTLY_COMPLIED = "partly_complied", "Partly complied"
    REFUSED = "refused", "Refused"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    COURIER = "courier", "Courier"
    POST = "post", "Registered post"
    PORTAL = "portal", "Platform portal"


class LetterPurpose(models.TextChoices):
    DRAFT = "draft", "Draft"  # before sending: stamped DRAFT
    RECORD = "record", "Letter of record"  # rendered at sending: what was sent
    COPY = "copy", "Copy"  # re-rendered after sending: stamped COPY, never of record


class LetterStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


# The four standard remedies of a new demand, in the order the letter numbers them.
STANDARD_REMEDIES = [
    (
        RemedyKind.CEASE,
        "Immediately cease generating images, video or other content that copies or "
        "is derived from the works identified in this letter.",
    ),
    (
        RemedyKind.REMOVE,
        "Remove all infringing content identified in Exhibit A from your platforms, and "
        "remove the works from the training data of your models.",
    ),
    (
        RemedyKind.ACCOUNT,
        "Identify and account for all infringements of the works, including every "
        "output, dataset and model that uses them.",
    ),
    (
        RemedyKind.ACCESS,
        "Remove third-party access to the tool, including through APIs, resellers and "
        "applications, until the infringing capability is removed.",
    ),
]
