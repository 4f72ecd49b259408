"""Choice lists of the casework models, in one place for models, forms and filters."""

from django.db import models


class Role(models.TextChoices):
    """A user's role; stored as the name of a Django auth group."""

    LEGAL = "Legal staff", "Legal staff"
    MANAGER = "Manager", "Manager"
    VIEWER = "Viewer", "Viewer"


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    NOTIFIED = "notified", "Notified"
    REMOVED = "removed", "Removed"
    CEASED = "ceased", "Ceased"
    DISMISSED = "dismissed", "Dismissed"


class ElementKind(models.TextChoices):
    CHARACTER = "character", "Character"
    COSTUME = "costume", "Costume"
    SET = "set", "Set"
    PROP = "prop", "Prop"
    EPISODE = "episode", "Episode / season"
    VISUAL_STYLE = "visual_style", "Visual style"
    LOGO = "logo", "Logo"
    MUSIC = "music", "Music"
    OTHER = "other", "Other"


class PlatformKind(models.TextChoices):
    MODEL = "model", "Generative model"
    HOSTING = "hosting", "Hosting site"
    API = "api", "API reseller"
    APP = "app", "Third-party app"


class ContentKind(models.TextChoices):
    VIDEO = "video", "Video"
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"
    TEXT = "text", "Text"


class Conduct(models.TextChoices):
    RECREATION = "recreation", "Recreation"
    REBOOT = "reboot", "Reboot / continuation"
    CROSSOVER = "crossover", "Crossover"
    STYLE = "style", "Style imitation"
    OTHER = "other", "Other"


class Theory(models.TextChoices):
    DIRECT = "direct", "Direct infringement"
    SECONDARY = "secondary", "Secondary infringement"


class EventSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    DEMAND = "demand", "Demand sent"
    CHECK = "check", "Verification check"
    IMPORT = "import", "Import"
    SWEEP = "sweep", "Quiet-period sweep"


class JobStatus(models.TextChoices):
    """Status of a background job kept on its row (imports, exports, reports)."""

    PENDING = "pending", "Waiting for confirmation"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportStatus(models.TextChoices):
    """Status of a CSV import: two steps of work on one row. A large file is checked
    by a worker (uploaded → checking → pending); once confirmed it is written
    (queued → running → done). A small file is checked in the upload request and
    starts at pending."""

    UPLOADED = "uploaded", "Waiting to be checked"
    CHECKING = "checking", "Checking rows"
    PENDING = "pending", "Waiting for confirmation"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class CheckOutcome(models.TextChoices):
    LIVE = "live", "Live"
    GONE = "gone", "Gone"
    REFUSED = "refused", "Refused (private address)"
    ERROR = "error", "Error"


class PaperSize(models.TextChoices):
    """Paper of a rights holder's letters: US Letter for US holders, A4 elsewhere."""

    LETTER = "letter", "US Letter"
    A4 = "a4", "A4"
