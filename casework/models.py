"""Casework: who owns what, what was found where, and how far each item has come."""

import datetime as dt
import zoneinfo

import holidays
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

from casework.choices import (
    CheckOutcome,
    Conduct,
    ContentKind,
    ElementKind,
    EventSource,
    ImportStatus,
    JobStatus,
    PaperSize,
    PlatformKind,
    Stage,
    Theory,
)
from casework.jobs import Job


def choices_check(field: str, choices) -> models.CheckConstraint:
    """A database check that ``field`` holds one of ``choices``."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )


def validate_country(value: str) -> None:
    """An ISO country code the holidays library knows (its public holidays count)."""
    if value not in holidays.list_supported_countries():
        raise ValidationError(f"{value!r} is not a country code with known public holidays.")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. America/Los_Angeles).")


# The text search configuration of the items' tsvector and of every query against it.
SEARCH_CONFIG = "english"


class ScopedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what one user may see.

    ``holder_path`` names the lookup from the model to its RightsHolder. Every
    view, form choice, filter, export and admin page goes through ``for_user``.
    """

    holder_path = "rights_holder"

    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        holder_ids = member_holder_ids(user)
        if self.holder_path == "self":
            return self.filter(pk__in=holder_ids)
        return self.filter(**{f"{self.holder_path}_id__in": holder_ids})


def member_holder_ids(user) -> list[int]:
    """The ids of the rights holders ``user`` belongs to, read once per user object.

    A literal list, not a subquery: PostgreSQL then plans list queries with the
    (rights_holder, stage, created_at) index instead of scanning by date and
    discarding other holders' rows (measured in `make bench`).
    """
    if not hasattr(user, "_desist_holder_ids"):
        user._desist_holder_ids = list(
            RightsHolder.members.through.objects.filter(user_id=user.pk).values_list(
                "rightsholder_id", flat=True
            )
        )
    return user._desist_holder_ids


def scoped(path: str):
    """A manager whose ``for_user`` follows ``path`` to the rights holder."""
    return type(f"ScopedQuerySet_{path}", (ScopedQuerySet,), {"holder_path": path}).as_manager()


class RightsHolder(models.Model):
    """A company that owns works and sends demands: "Netflix, Inc."."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=8, unique=True, help_text="Short code used in demand references: NFLX."
    )
    address = models.TextField(blank=True)
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=200, blank=True)
    signatory_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=50, blank=True)
    paper_size = models.CharField(
        max_length=10,
        choices=PaperSize.choices,
        default=PaperSize.A4,
        help_text="Paper of its letters: US Letter for US rights holders, A4 otherwise.",
    )
    response_days = models.PositiveSmallIntegerField(
        default=3, help_text="Default response period of a demand, in business days."
    )
    quiet_period_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days a removed item must stay gone before it counts as ceased."
    )
    gone_after_checks = models.PositiveSmallIntegerField(
        default=2, help_text="Consecutive 'gone' verification results that mark an item removed."
    )
    removal_page_markers = models.TextField(
        blank=True,
        help_text="One text per line; a page containing any of them counts as removed.",
    )
    # Its working calendar: deadlines count business days of this country (and
    # subdivision) and end at deadline_time in time_zone (notices.business_days).
    country = models.CharField(
        max_length=2,
        default="US",
        validators=[validate_country],
        help_text="ISO 3166 code whose public holidays are not business days: US.",
    )
    subdivision = models.CharField(
        max_length=10,
        blank=True,
        help_text="State or region whose holidays also count (CA); blank for national only.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="America/Los_Angeles",
        validators=[validate_time_zone],
        help_text="IANA zone of deadlines: America/Los_Angeles.",
    )
    deadline_time = models.TimeField(
        default=dt.time(17, 0), help_text="Time of day a deadline ends, holder-local."
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="rights_holders", blank=True
    )
    # Lumen exports (notices.lumen) name the signatory, the holder and the respondent;
    # the signatory's email, telephone and address only when the holder opts in.
    lumen_share_contacts = models.BooleanField(
        "share contact details with Lumen",
        default=False,
        help_text="Include the signatory's email, telephone and the letterhead's street "
        "address in Lumen exports (published in the Lumen database). Off: names only.",
    )

    objects = scoped("self")
    # Every change, who made it and when (admin "History"); members are who may see the cases.
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)

    def local_date(self, moment: dt.datetime) -> dt.date:
        """The date of ``moment`` where the holder works, not on the server."""
        return moment.astimezone(self.zone).date()

    def today(self) -> dt.date:
        """Today where the holder works: the day its letters, replies and compliance
        dates are measured against (at 00:30 UTC it is still yesterday in Los Angeles)."""
        return self.local_date(timezone.now())

    def clean(self):
        super().clean()
        if self.subdivision:
            known = holidays.list_supported_countries().get(self.country, [])
            if self.subdivision not in known:
                raise ValidationError(
                    {"subdivision": f"{self.country} has no subdivision {self.subdivision!r}."}
                )


class Franchise(models.Model):
    """A work or series a rights holder owns: "Squid Game"."""

    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.PROTECT, related_name="franchises"
    )
    name = models.CharField(max_length=200)
    registration_number = models.CharField(
        max_length=100,
        blank=True,
        help_text="Copyright registration of the work, e.g. U.S. Copyright Office PA 2-345-678.",
    )
    registration_office = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where it is registered: U.S. Copyright Office, EUIPO.",
    )
    registration_date = models.DateField(null=True, blank=True)

    objects = scoped("rights_holder")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["rights_holder", "name"],
                name="franchise_unique_name_per_holder",
                violation_error_message="This rights holder already has a franchise of that name.",
            )
        ]

    def __str__(self):
        return self.name


class ProtectedElement(models.Model):
    """One protected thing within a franchise that is being copied: "Young-hee doll"."""

    franchise = models.ForeignKey(Franchise, on_delete=models.PROTECT, related_name="elements")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ElementKind.choices)
    registration_number = models.CharField(max_length=100, blank=True)
    registration_office = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where it is registered: U.S. Copyright Office, EUIPO.",
    )
    registration_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    objects = scoped("franchise__rights_holder")
    history = HistoricalRecords()

    class Meta:
        ordering = ["franchise__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["franchise", "name"],
                name="element_unique_name_per_franchise",
                violation_error_message="This franchise already has an element of that name.",
            ),
            choices_check("kind", ElementKind),
        ]

    def __str__(self):
        return self.name


class Respondent(models.Model):
    """The party a demand goes to: "ByteDance Ltd.". Shared by all rights holders."""

    name = models.CharField(max_length=200, unique=True)
    legal_address = models.TextField(blank=True)
    agent_name = models.CharField("designated agent", max_length=200, blank=True)
    agent_email = models.EmailField("agent email", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Platform(models.Model):
    """A service of a respondent where infringing content is made or shown: "Seedance 2.0"."""

    respondent = models.ForeignKey(Respondent, on_delete=models.PROTECT, related_name="platforms")
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=PlatformKind.choices)
    url = models.URLField(blank=True)
    # The item form warns when an item's URL is on none of these (casework.hosts).
    hosts = models.TextField(
        blank=True,
        help_text="Hosts its items are served from, one per line (tiktok.com also covers "
        "www.tiktok.com). Blank: any host.",
    )
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="What it is and who runs it, as a letter says it: 'an independent app, "
        "operated by ClipForge Labs, Inc., that gives access to Seedance 2.0'.",
    )
    # Where the platform hosts the items, its designated agent (e.g. a DMCA § 512(c)(2)
    # agent) gets a copy of the demand.
    agent_name = models.CharField("designated agent", max_length=200, blank=True)
    agent_email = models.EmailField("agent email", blank=True)
    agent_address = models.TextField("agent address", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [choices_check("kind", PlatformKind)]

    def __str__(self):
        return self.name

    @property
    def host_list(self) -> list[str]:
        return [h.strip().lower().strip(".") for h in self.hosts.split() if h.strip()]


class InfringingItem(models.Model):
    """One URL of infringing content, tracked identify → remove → cease.

    ``stage`` is changed only through ``casework.stages.transition``.
    """

    # No single-column indexes on rights_holder and franchise: the indexes below lead
    # with them (item_holder_*, item_franchise_stage_platform) and serve their lookups, and
    # every index slows an import down (issue 10).
    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.PROTECT, related_name="items", db_index=False
    )
    franchise = models.ForeignKey(
        Franchise, on_delete=models.PROTECT, related_name="items", db_index=False
    )
    elements = models.ManyToManyField(
        ProtectedElement, related_name="items", blank=True, verbose_name="protected elements"
    )
    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        related_name="items",
        db_index=False,  # item_platform below leads with it
    )
    url = models.URLField("URL", max_length=2000)
    normalized_url = models.CharField(max_length=2000, editable=False)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    content_kind = models.CharField(max_length=10, choices=ContentKind.choices)
    conduct = models.CharField(max_length=20, choices=Conduct.choices)
    theory = models.CharField(max_length=10, choices=Theory.choices, default=Theory.DIRECT)
    stage = models.CharField(
        max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED, editable=False
    )
    stage_changed_at = models.DateTimeField(auto_now_add=True, editable=False)
    dismissal_reason = models.TextField(blank=True, editable=False)
    relapse_count = models.PositiveIntegerField(default=0, editable=False)
    first_seen = models.DateField()
    # Not indexed: no query filters on it (deleting a user, which PROTECT checks here,
    # reads the table instead; users are deactivated, not deleted).
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_index=False,
    )
    # Indexed: the admin changelist (every holder, newest first, date hierarchy) and
    # the list of a member of several holders (rights_holder IN (...)) read it.
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Verification: consecutive "gone" answers and the last check time.
    gone_streak = models.PositiveSmallIntegerField(default=0, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When a periodic check may next be enqueued: moved forward in the UPDATE that
    # enqueues one (verification.claim_due_items), so no item is enqueued twice.
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The near-duplicates this item is one copy of (casework.variants): set and merged
    # only by that module, never by hand; null while no other item's evidence is close.
    variant_group = models.ForeignKey(
        "VariantGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="items",
        db_index=False,  # the partial index item_variant_group below
    )
    # The time of the item's first StageEvent to notified / to removed, kept by the
    # database in the transaction that writes the event (casework/rollups.py), for
    # the dashboard's medians.
    first_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The item list's full-text search (casework/search.py): title and URL weigh most,
    # then the description. Kept by PostgreSQL on every write (a stored generated
    # column), so no import or edit path can forget it.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("url", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = scoped("rights_holder")
    # variant_group is derived from the evidence (regrouped set-wise), not a change
    # anyone made: it stays out of the record's history; search_vector is derived too.
    history = HistoricalRecords(
        m2m_fields=[elements], excluded_fields=["variant_group", "search_vector"]
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rights_holder", "normalized_url"],
                name="item_unique_url_per_holder",
                violation_error_message="An item with this URL is already logged for this "
                "rights holder.",
            ),
            choices_check("stage", Stage),
            choices_check("content_kind", ContentKind),
            choices_check("conduct", Conduct),
            choices_check("theory", Theory),
        ]
        indexes = [
            # The item list (casework/paging.py): one holder's items, in a stage or not,
            # newest first. The keyset condition ``(created_at, id) < (%s, %s)`` is an
            # index condition only with ``id`` as the last column: a deep page then
            # starts where the cursor is instead of filtering every newer row away.
            models.Index(
                fields=["rights_holder", "stage", "-created_at", "-id"],
                name="item_holder_stage_new",
            ),
            models.Index(fields=["rights_holder", "-created_at", "-id"], name="item_holder_new"),
            # The list filtered by franchise (with stage), and the franchise FK's lookups.
            # (The platform filter uses item_platform, below.)
            # Franchise, then stage, then platform: the item list's filters in one index
            # condition (a bitmap of only the rows they keep, not every row of the
            # franchise in the stage), and the franchise and franchise-stage lookups.
            models.Index(
                fields=["franchise", "stage", "platform"], name="item_franchise_stage_platform"
            ),
            # verification.due_items: items of a stage least recently checked (the bench's
            # never-checked items make that a sequential scan; once items are checked
            # every few hours, the few due ones are found here).
            models.Index(fields=["stage", "last_checked_at"], name="item_check_due"),
            # The item list's ``q`` search (casework/search.py): words through the
            # tsvector's GIN index; fragments of a title or URL ("ballr", a path) through
            # ``icontains``, UPPER(col) LIKE UPPER('%q%'), which a trigram GIN index on
            # UPPER(col) answers without a scan (pg_trgm, migration 0001_extensions).
            # The description has no trigram index: its words are in the tsvector, and
            # each trigram index costs an import dearly (issue 12).
            GinIndex(fields=["search_vector"], name="item_search"),
            *(
                GinIndex(OpClass(Upper(column), name="gin_trgm_ops"), name=f"item_{column}_trgm")
                for column in ("title", "url")
            ),
            # The dashboard's medians (dashboards/figures.py): a holder's (and each of
            # its franchises') removed items in the order of days identified → removed
            # and notified → removed, so the middle one is read at an OFFSET from the
            # index alone instead of sorting every removed item. Partial: an item
            # enters them once, when first removed (an import never writes them).
            *(
                models.Index(
                    *group,
                    F("first_removed_at") - F(start),
                    include=sorted(
                        {
                            "franchise",
                            "platform",
                            "created_at",
                            "first_removed_at",
                            "first_notified_at",
                        }
                        - {g.name for g in group}
                    ),
                    condition=Q(first_removed_at__isnull=False, **nonnull),
                    name=f"item_median_{label}_{level}",
                )
                for start, label, nonnull in (
                    ("created_at", "ident", {}),
                    ("first_notified_at", "notif", {"first_notified_at__isnull": False}),
                )
                for group, level in (
                    ((F("rights_holder"), F("franchise")), "fr"),
                    ((F("rights_holder"),), "holder"),
                )
            ),
            # A variant group's items (its page, the list's group filter, the foreign key
            # check when a merged group is deleted) and the dashboard's distinct count.
            # Partial: the many ungrouped items (every import) cost it nothing.
            models.Index(
                fields=["variant_group", "rights_holder"],
                condition=Q(variant_group__isnull=False),
                name="item_variant_group",
            ),
            # The platform filter and the platform FK's lookups; with ``id``, a platform
            # scorecard's demands (those covering one of its items: dashboards/scorecards.py)
            # join the demands' items to the platform's from the index alone.
            models.Index(fields=["platform", "id"], name="item_platform"),
            # The scorecards' relapses (dashboards/scorecards.py): a holder's items found
            # live again after a removal, per platform. Partial: few items ever relapse.
            models.Index(
                fields=["rights_holder", "platform"],
                include=["relapse_count"],
                condition=Q(relapse_count__gt=0),
                name="item_relapsed",
            ),
        ]

    def __str__(self):
        return self.title

    # Kept by the database (casework/rollups.py): an edit of a copy read before the
    # item's first removal must not write the old value back.
    DATABASE_KEPT = frozenset({"first_notified_at", "first_removed_at"})

    def save(self, *args, **kwargs):
        from casework.urlnorm import normalize_url

        self.normalized_url = normalize_url(self.url)
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not (kwargs.get("force_insert") or (args and args[0]))
        ):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and not f.generated and f.name not in self.DATABASE_KEPT
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("casework:item-detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"{self.rights_holder.code}-I{self.pk}" if self.pk else ""


class AppendOnly(models.Model):
    """A record that is added, never edited or deleted: evidence, and the respondent's
    replies as received."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError(
                f"{capfirst(self._meta.verbose_name)} is never edited: add a new one instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{capfirst(self._meta.verbose_name)} is never deleted.")


def evidence_path(instance, filename):
    return f"evidence/{instance.item.rights_holder_id}/{instance.item_id}/{filename}"


class Evidence(AppendOnly):
    """A file captured for an item: screenshot, video, saved page. Never edited or deleted."""

    item = models.ForeignKey(InfringingItem, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=500)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    captured_at = models.DateTimeField(auto_now_add=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    note = models.CharField(max_length=300, blank=True)

    objects = scoped("item__rights_holder")

    class Meta:
        ordering = ["captured_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("casework:evidence-download", args=[self.pk])


class StageEvent(models.Model):
    """One stage change of an item: append-only history (who, when, why, source)."""

    item = models.ForeignKey(InfringingItem, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=EventSource.choices)
    # The demand whose sending caused the change. Generic, so that casework does not
    # depend on notices (notices.Demand is the only kind stored here; filter with
    # ``demand_id``, or ``Demand.stage_events``).
    demand_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    demand_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    demand = GenericForeignKey("demand_type", "demand_id")
    verification = models.ForeignKey(
        "VerificationCheck", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = scoped("item__rights_holder")

    class Meta:
        ordering = ["at", "id"]
        constraints = [choices_check("to_stage", Stage), choices_check("source", EventSource)]
        indexes = [
            models.Index(fields=["item", "at"], name="event_item_at"),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.from_stage or '—'} → {self.to_stage}"


class RollupKey(models.Model):
    """The key every dashboard rollup row shares: holder, franchise and platform (plus
    each rollup's own columns). No foreign-key constraints: only the database's triggers
    write these rows (casework/rollups.py), in the transaction of the change."""

    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    franchise = models.ForeignKey(
        Franchise, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    objects = scoped("rights_holder")

    class Meta:
        abstract = True


class ItemRollup(RollupKey):
    """Items per rights holder, franchise, platform, stage and week logged, as delta rows.

    Written only by the database (triggers on items; casework/rollups.py holds the
    rule): every statement that inserts, moves or deletes items adds one signed row
    per key it changes, so concurrent transactions never wait on or lose a count; a
    periodic compaction folds each key's rows into one. Readers ``Sum("items")``.
    ``week`` is the Monday (settings.TIME_ZONE) of the item's ``created_at``.
    """

    stage = models.CharField(max_length=12, choices=Stage.choices)
    week = models.DateField()
    items = models.IntegerField()

    class Meta:
        indexes = [
            # The dashboard's funnel and weekly figures: one holder's weeks.
            models.Index(
                fields=["rights_holder", "week"],
                include=["franchise", "platform", "stage", "items"],
                name="itemrollup_holder_week",
            )
        ]

    def __str__(self):
        return f"{self.rights_holder_id}/{self.franchise_id}/{self.stage}/{self.week}: {self.items}"


class RemovalRollup(RollupKey):
    """StageEvents to ``removed`` per rights holder, franchise, platform and week of the
    event, as delta rows kept like ItemRollup (a relapsed item removed again counts
    again; an item moved to another franchise takes its removals along)."""

    week = models.DateField()
    removals = models.IntegerField()

    class Meta:
        indexes = [
            # The dashboard's weekly removals: one holder's weeks.
            models.Index(
                fields=["rights_holder", "week"],
                include=["franchise", "platform", "removals"],
                name="removalrollup_holder_week",
            )
        ]

    def __str__(self):
        return f"{self.rights_holder_id}/{self.franchise_id}/{self.week}: {self.removals}"


class RemovedItemRollup(RollupKey):
    """Items removed at least once (``first_removed_at`` set) per rights holder, franchise,
    platform and week logged, and how many of them were notified (``first_notified_at``
    set): the counts the dashboard's medians need, as delta rows kept like ItemRollup."""

    week = models.DateField()
    items = models.IntegerField()
    notified = models.IntegerField()

    class Meta:
        indexes = [
            # The dashboard's medians: one holder's removed items per franchise.
            models.Index(
                fields=["rights_holder", "week"],
                include=["franchise", "platform", "items", "notified"],
                name="removeditemrollup_holder_week",
            )
        ]

    def __str__(self):
        return f"{self.rights_holder_id}/{self.franchise_id}/{self.week}: {self.items}"


class VerificationCheck(models.Model):
    """One automatic check of an item's URL: what answered, and what we concluded."""

    item = models.ForeignKey(InfringingItem, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField(db_index=True)
    method = models.CharField(max_length=4, default="HEAD")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=CheckOutcome.choices)
    final_url = models.CharField(max_length=2000, blank=True)
    detail = models.TextField(blank=True)
    elapsed_ms = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = scoped("item__rights_holder")

    class Meta:
        ordering = ["-checked_at", "-id"]
        constraints = [choices_check("outcome", CheckOutcome)]
        indexes = [models.Index(fields=["item", "-checked_at"], name="check_item_recent")]

    def __str__(self):
        return f"{self.item_id} {self.outcome} at {self.checked_at:%Y-%m-%d %H:%M}"


class CheckRequest(Job):
    """A manager's "check now" of one item: a job row like any other, so a check asked
    for while the workers cannot be reached is kept, shown as waiting, and sent by the
    job sweeper when they are back. One unfinished request per item (a second click
    returns it); the task records the VerificationCheck it made.
    """

    item = models.ForeignKey(
        InfringingItem, on_delete=models.CASCADE, related_name="check_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    result = models.ForeignKey(
        VerificationCheck, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    task_name = "casework.tasks.checks.run_check_request"
    work = "the check"

    objects = scoped("item__rights_holder")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("status", JobStatus),
            # One unfinished request per item: casework.views.item_check returns it.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["queued", "running"]),
                name="checkrequest_one_unfinished_per_item",
                violation_error_message="A check of this item is already queued.",
            ),
        ]

    def __str__(self):
        return f"Check request {self.pk} of item {self.item_id}"


def import_path(instance, filename):
    return f"imports/{instance.rights_holder_id}/{filename}"


class ImportJob(Job):
    """A CSV import: uploaded, checked (previewed), then confirmed and written.

    Two steps of work on one row (see ``steps``): a file above
    ``IMPORT_CHECK_IN_REQUEST_ROWS`` is checked by a worker (uploaded → checking →
    pending), a smaller one in the upload request (straight to pending); confirming
    queues the write (queued → running → done). One task runs either step, chosen by
    the status it claimed. The row is the source of truth for status and progress;
    the page polls it. While checking, ``total_rows`` holds the estimate from the
    upload's line count; the check replaces it with the exact count.
    """

    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.PROTECT, related_name="imports"
    )
    file = models.FileField(upload_to=import_path, max_length=500)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    UPLOADED = ImportStatus.UPLOADED
    CHECKING = ImportStatus.CHECKING
    PENDING = ImportStatus.PENDING
    task_name = "casework.tasks.imports.run_import"
    work = "the import"

    objects = scoped("rights_holder")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [choices_check("status", ImportStatus)]

    @classmethod
    def steps(cls):
        return ((cls.UPLOADED, cls.CHECKING, cls.PENDING), (cls.QUEUED, cls.RUNNING, cls.DONE))

    @property
    def checking(self) -> bool:
        """The check step is unfinished (no preview yet)."""
        return self.status in (self.UPLOADED, self.CHECKING)

    def __str__(self):
        return f"Import {self.pk}: {self.original_name}"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])


class ApiKeyScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class ApiKey(models.Model):
    """A rights holder's key to the REST API (casework/api), made and revoked by its managers.

    Only the SHA-256 of the token is stored: the token itself is shown once, when the
    key is made (casework.api.keys.create_key). ``prefix`` (the token's first
    characters) tells keys apart on the page and in logs. A key acts through its own
    service ``user``: a member of its holder only, in the Legal staff group for a
    write key and the Viewer group for a read key, so every ``for_user`` scope and
    every ``access`` rule applies to API requests unchanged, and stage events and
    remedy changes name the key as who made them.
    """

    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(max_length=100, help_text="Who uses it: 'Vobile monitoring feed'.")
    scope = models.CharField(max_length=5, choices=ApiKeyScope.choices, default=ApiKeyScope.READ)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_token = models.CharField(max_length=64, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )

    objects = scoped("rights_holder")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        constraints = [choices_check("scope", ApiKeyScope)]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The answer to one API request sent with an ``Idempotency-Key`` header.

    Written in the request's own transaction, so a committed record always carries
    its response; the same key from the same client again gets that response back and
    changes nothing. Unique per (user, key): a second request with the key waits on
    the index until the first commits. Records older than API_IDEMPOTENCY_DAYS are
    deleted by ``casework.api.idempotency.purge``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="idempotency_unique_key_per_user",
                violation_error_message="This Idempotency-Key was already used.",
            )
        ]

    def __str__(self):
        return f"{self.user_id}: {self.key}"


class VariantGroup(models.Model):
    """Items of one rights holder whose evidence is the same picture or clip, re-encoded,
    scaled, cropped or re-coloured: one distinct infringement posted under several URLs.

    Made, grown and merged only by ``casework.variants`` (a group has two or more items;
    ``item_count`` is kept exact there).
    """

    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.PROTECT, related_name="variant_groups"
    )
    item_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped("rights_holder")

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("casework:variant-group", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"{self.rights_holder.code}-V{self.pk}" if self.pk else ""


class EvidenceHash(models.Model):
    """The perceptual hash (pHash, 64 bits) of an image, or of one keyframe of a video.

    ``chunk0``..``chunk4`` are the hash's five bit fields (13, 13, 13, 13 and 12 bits),
    each indexed per rights holder: the multi-index lookup of casework.variants finds
    every hash within the Hamming distance through them without comparing all pairs.
    ``item`` and ``rights_holder`` repeat the evidence's so that lookup needs no join.
    """

    # evidence and rights_holder lead the unique constraint and the chunk indexes:
    # no index of their own. item's index answers "this item's hashes".
    evidence = models.ForeignKey(
        Evidence, on_delete=models.PROTECT, related_name="hashes", db_index=False
    )
    item = models.ForeignKey(InfringingItem, on_delete=models.PROTECT, related_name="+")
    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    frame = models.PositiveSmallIntegerField(
        default=0, help_text="0 for an image; the sampled keyframe's position for a video."
    )
    phash = models.BigIntegerField(help_text="pHash as a signed 64-bit integer.")
    chunk0 = models.IntegerField()
    chunk1 = models.IntegerField()
    chunk2 = models.IntegerField()
    chunk3 = models.IntegerField()
    chunk4 = models.IntegerField()

    objects = scoped("rights_holder")

    class Meta:
        ordering = ["evidence", "frame"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "frame"],
                name="evidencehash_one_per_frame",
                violation_error_message="This frame of the evidence is already hashed.",
            )
        ]
        indexes = [
            # casework.variants.pairs: one index per chunk, probed with the chunk's value
            # and its neighbours within the per-chunk radius (multi-index hashing).
            # INCLUDE: the candidates' distance is checked from the index alone.
            *(
                models.Index(
                    fields=["rights_holder", f"chunk{i}"],
                    include=["item", "phash"],
                    name=f"evhash_chunk{i}",
                )
                for i in range(5)
            ),
        ]

    def __str__(self):
        return f"{self.evidence_id}#{self.frame}: {self.phash & (2**64 - 1):016x}"


class SavedFilter(models.Model):
    """A named filter of the item list: its query string, saved by one user.

    Its link opens the list with that query for anyone of its rights holder (a
    colleague sees the same filter applied to what they may see); to anyone else it
    is a 404 like every other holder's object. Only its owner deletes it.
    """

    rights_holder = models.ForeignKey(
        RightsHolder, on_delete=models.CASCADE, related_name="saved_filters", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(max_length=100)
    # The item list's query string without its paging (``after``, ``before``, ``page``).
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped("rights_holder")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="savedfilter_unique_name_per_owner",
                violation_error_message="You already have a saved filter with this name.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("casework:saved-filter", args=[self.pk])
