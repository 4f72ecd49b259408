"""Respondent and platform scorecards: how each party and each service answers takedowns.

One scorecard per respondent ("ByteDance Ltd.") and per platform ("Seedance 2.0"),
and an index of each kind sortable by every figure. The figures, over the user's
rights holders only (every query starts from ``for_user``; another holder's rows are
never counted):

* items per stage, total and removal rate (the dashboard's definition: removed and
  ceased among the items that reached notified), from casework.ItemRollup, which the
  database keeps per holder, franchise, platform, stage and week (casework/rollups.py);
* median days identified → removed and notified → removed, over the items with a
  removal, from their stored first times (``percentile_cont``, index item_median_*);
* relapses: how often its items were found live again after a removal
  (``relapse_count``), and the URLs that were (index item_relapsed);
* variant groups that came back: a group (the same picture or clip under several
  URLs, casework.variants) one of whose items was logged after another of its items
  had been removed. It counts for the platform (and respondent) of the new copy;
* demands per status and how many are overdue (``is_overdue_q``); remedies per kind
  and status over sent demands. A respondent's demands are those addressed to it; a
  platform's, those that cover at least one of its items.

A platform's item figures are its own; a respondent's are its platforms'. Each figure
carries the URL of the list behind it: the item list (``platform``/``respondent``,
``stage``, ``relapsed``), the demand list (``respondent``/``platform``, ``status``,
``overdue``) or the demand status board (``remedy_kind``, ``remedy_status``).

Queries: one per figure, grouped by platform or respondent, whatever the data's size
(the index: 6, of platforms 4; a card: those filtered to it, one more finding a
platform's demands, and the two lists of repeat offenders).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Sum,
)
from django.http import Http404
from django.urls import reverse

from casework.choices import Stage
from casework.models import InfringingItem, ItemRollup, Platform, Respondent
from dashboards.figures import FUNNEL_STAGES, list_link, rate
from notices.choices import DemandStatus, RemedyKind, RemedyStatus
from notices.models import Demand, Remedy
from notices.workflow import AFTER_SENDING, is_overdue_q

# Repeat offenders listed on a card (the figure's link lists them all).
OFFENDERS_SHOWN = 10


class Median(Aggregate):
    """``percentile_cont(0.5)``: PostgreSQL's median, which Django does not ship."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _days(start: str):
    """Days from ``start`` to the item's first removal, as a float."""
    span = ExpressionWrapper(F("first_removed_at") - F(start), output_field=DurationField())
    return Func(
        span,
        template="date_part('epoch', %(expressions)s) / 86400.0",
        output_field=FloatField(),
    )


@dataclass(frozen=True)
class Kind:
    """What a scorecard is about: the model, and the lookups from each table to it."""

    name: str  # "respondent" or "platform": the list filters' parameter too
    model: type
    item_key: str  # from an item (or a rollup row)
    card_url: str

    def objects(self):
        if self.model is Platform:
            return Platform.objects.select_related("respondent")
        return Respondent.objects.all()


RESPONDENT = Kind(
    "respondent",
    Respondent,
    "platform__respondent_id",
    "scorecards:respondent",
)
PLATFORM = Kind(
    "platform",
    Platform,
    "platform_id",
    "scorecards:platform",
)


# --- One query per figure, grouped by the kind's key ------------------------------------


def _filtered(queryset, key: str, pk):
    return queryset if pk is None else queryset.filter(**{key: pk})


def item_counts(user, kind: Kind, pk=None, **where) -> dict:
    """{key: {stage: items}} from the rollups (their index on holder and week)."""
    rows = (
        _filtered(ItemRollup.objects.for_user(user), kind.item_key, pk)
        .filter(**where)
        .values(kind.item_key, "stage")
        .annotate(n=Sum("items"))
        .order_by()
    )
    counts: dict = {}
    for row in rows:
        per_stage = counts.setdefault(row[kind.item_key], {s.value: 0 for s in FUNNEL_STAGES})
        per_stage[row["stage"]] += row["n"]
    return counts


def medians(user, kind: Kind, pk=None) -> dict:
    """{key: {"identified": days, "notified": days|None, "removed": n}} over items removed."""
    rows = (
        _filtered(InfringingItem.objects.for_user(user), kind.item_key, pk)
        .filter(first_removed_at__isnull=False)
        .values(kind.item_key)
        .annotate(
            removed=Count("*"),  # not the id: the index item_median_* answers alone
            identified=Median(_days("created_at")),
            notified=Median(_days("first_notified_at")),
        )
        .order_by()
    )
    return {row.pop(kind.item_key): row for row in rows}


def relapses(user, kind: Kind, pk=None) -> dict:
    """{key: {"relapses": times found live again, "urls": items that were}}."""
    rows = (
        _filtered(InfringingItem.objects.for_user(user), kind.item_key, pk)
        .filter(relapse_count__gt=0)
        .values(kind.item_key)
        .annotate(relapses=Sum("relapse_count"), urls=Count("pk"))
        .order_by()
    )
    return {row.pop(kind.item_key): row for row in rows}


def _came_back():
    """Items logged after another item of their variant group had been removed."""
    removed_before = InfringingItem.objects.filter(
        variant_group=OuterRef("variant_group"), first_removed_at__lt=OuterRef("created_at")
    )
    return Q(variant_group__isnull=False) & Exists(removed_before)


def returned_groups(user, kind: Kind, pk=None) -> dict:
    """{key: variant groups that came back after a removal} (index item_variant_group)."""
    rows = (
        _filtered(InfringingItem.objects.for_user(user), kind.item_key, pk)
        .filter(_came_back())
        .values(kind.item_key)
        .annotate(groups=Count("variant_group", distinct=True))
        .order_by()
    )
    return {row[kind.item_key]: row["groups"] for row in rows}


def demands_of(user, kind: Kind, pk=None):
    """The user's demands of the respondent (or of each respondent), or those covering
    one of the platform's items, and the key to group them by (None: all are the one
    platform's). A platform's are found once (one query; the demands' items joined to
    the platform's by index item_platform) and named by id in the two queries after."""
    demands = Demand.objects.for_user(user)
    if kind is RESPONDENT:
        return _filtered(demands, "respondent_id", pk), "respondent_id"
    covering = Demand.items.through.objects.filter(
        demand_id=OuterRef("pk"), infringingitem__platform_id=pk
    )
    ids = list(demands.filter(Exists(covering)).values_list("pk", flat=True))
    return Demand.objects.filter(pk__in=ids), None


def demand_counts(demands, key, pk=None) -> dict:
    """{key: {"statuses": {status: n}, "overdue": n}} of ``demands_of``."""
    rows = (
        demands.values(*filter(None, [key, "status"]))
        .annotate(n=Count("pk"), overdue=Count("pk", filter=is_overdue_q()))
        .order_by()
    )
    counts: dict = {}
    for row in rows:
        entry = counts.setdefault(
            row[key] if key else pk,
            {"statuses": {s.value: 0 for s in DemandStatus}, "overdue": 0},
        )
        entry["statuses"][row["status"]] += row["n"]
        entry["overdue"] += row["overdue"]
    return counts


def remedy_counts(demands, key, pk=None) -> dict:
    """{key: {kind: {status: n}}} over the remedies of those of ``demands_of`` sent."""
    statuses = {s.value: Count("pk", filter=Q(status=s.value)) for s in RemedyStatus}
    rows = (
        Remedy.objects.filter(demand__in=demands.filter(status__in=sorted(AFTER_SENDING)))
        .values(*filter(None, [f"demand__{key}" if key else None, "kind"]))
        .annotate(**statuses)
        .order_by()
    )
    counts: dict = {}
    for row in rows:
        group = row[f"demand__{key}"] if key else pk
        counts.setdefault(group, {})[row["kind"]] = {s.value: row[s.value] for s in RemedyStatus}
    return counts


# --- Rows of the index and the card -----------------------------------------------------


class Figures:
    """The figures of one respondent or platform, with the links behind them."""

    def __init__(
        self,
        kind: Kind,
        obj,
        *,
        stages,
        middle=None,
        relapsed=None,
        groups=None,
        demands=None,
        remedies=None,
        counted=True,
    ):
        self.kind, self.obj = kind, obj
        self.stages = stages or {s.value: 0 for s in FUNNEL_STAGES}
        self.total = sum(self.stages.values())
        reached = sum(self.stages[s] for s in (Stage.NOTIFIED, Stage.REMOVED, Stage.CEASED))
        self.removed_or_ceased = self.stages[Stage.REMOVED] + self.stages[Stage.CEASED]
        self.removal_rate = rate(self.removed_or_ceased, reached)
        middle = middle or {}
        self.median_identified = middle.get("identified")
        self.median_notified = middle.get("notified")
        self.removed_ever = middle.get("removed", 0)
        relapsed = relapsed or {}
        self.relapses = relapsed.get("relapses", 0)
        self.relapsed_urls = relapsed.get("urls", 0)
        self.returned_groups = groups or 0
        demands = demands or {"statuses": {s.value: 0 for s in DemandStatus}, "overdue": 0}
        self.demand_statuses = demands["statuses"]
        self.demands = sum(self.demand_statuses.values())
        self.overdue = demands["overdue"]
        self.remedies = remedies or {}
        complied = sum(per[RemedyStatus.COMPLIED] for per in self.remedies.values())
        self.complied_rate = rate(complied, sum(sum(p.values()) for p in self.remedies.values()))
        # Demand figures are not counted for the index of platforms: None, not 0.
        self.counted = counted
        if not counted:
            self.demands = self.overdue = None

    @property
    def empty(self) -> bool:
        """Nothing of the user's holders concerns it: no items, no demands."""
        return not self.total and not self.demands

    @property
    def url(self) -> str:
        return reverse(self.kind.card_url, args=[self.obj.pk])

    # -- links to the lists behind the figures --

    def item_link(self, *stages, relapsed=False) -> str:
        params = [(self.kind.name, self.obj.pk)] + [("stage", s) for s in stages]
        if relapsed:
            params.append(("relapsed", "true"))
        return list_link("casework:item-list", params)

    def demand_link(self, **extra) -> str:
        return list_link("notices:demand-list", [(self.kind.name, self.obj.pk), *extra.items()])

    def board_link(self, remedy_kind, remedy_status) -> str:
        params = {self.kind.name: self.obj.pk, "remedy_kind": remedy_kind}
        params["remedy_status"] = remedy_status
        return list_link("dashboard:board", params)

    @property
    def links(self) -> dict:
        return {
            "items": self.item_link(),
            "removed_or_ceased": self.item_link(Stage.REMOVED, Stage.CEASED),
            "relapses": self.item_link(relapsed=True),
            "demands": self.demand_link(),
            "overdue": self.demand_link(overdue="true"),
        }

    def stage_cells(self) -> list[dict]:
        return [
            {
                "stage": s.value,
                "label": s.label,
                "count": self.stages[s.value],
                "link": self.item_link(s.value),
            }
            for s in FUNNEL_STAGES
        ]

    def demand_cells(self) -> list[dict]:
        return [
            {
                "status": s.value,
                "label": s.label,
                "count": self.demand_statuses[s.value],
                "link": self.demand_link(status=s.value),
            }
            for s in DemandStatus
        ]

    def remedy_rows(self) -> list[dict]:
        rows = []
        for remedy_kind in RemedyKind:
            per = self.remedies.get(remedy_kind.value)
            if per is None:
                continue
            total = sum(per.values())
            rows.append(
                {
                    "kind": remedy_kind.value,
                    "label": remedy_kind.label,
                    "total": total,
                    "complied_rate": rate(per[RemedyStatus.COMPLIED], total),
                    "cells": [
                        {
                            "status": s.value,
                            "count": per[s.value],
                            "link": self.board_link(remedy_kind.value, s.value),
                        }
                        for s in RemedyStatus
                    ],
                }
            )
        return rows


def _figures(user, kind: Kind, objects, pk=None) -> list[Figures]:
    """Figures of each of ``objects`` (6 queries, however many there are, and one setting
    up the transaction they run in, as the dashboard's: small aggregates without JIT,
    and memory to sort the medians' removed items, a holder's 120,000 at 1M items)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        return _counted(user, kind, objects, pk)


def _counted(user, kind: Kind, objects, pk) -> list[Figures]:
    stages = item_counts(user, kind, pk)
    middle = medians(user, kind, pk)
    relapsed = relapses(user, kind, pk)
    groups = returned_groups(user, kind, pk)
    # A platform's demands are found per demand (EXISTS over its items): for one
    # platform's card, not for the index of every platform (a join of every demand's
    # items, seconds at 1M items).
    counted = kind is RESPONDENT or pk is not None
    demands, remedies = {}, {}
    if counted:
        of, key = demands_of(user, kind, pk)
        demands, remedies = demand_counts(of, key, pk), remedy_counts(of, key, pk)
    return [
        Figures(
            kind,
            obj,
            stages=stages.get(obj.pk),
            middle=middle.get(obj.pk),
            relapsed=relapsed.get(obj.pk),
            groups=groups.get(obj.pk),
            demands=demands.get(obj.pk),
            remedies=remedies.get(obj.pk),
            counted=counted,
        )
        for obj in objects
    ]


# Index columns: the URL's ``sort`` value → the figure sorted on.
SORTS = {
    "name": lambda f: f.obj.name.lower(),
    "items": lambda f: f.total,
    "removal_rate": lambda f: f.removal_rate,
    "median": lambda f: f.median_identified,
    "relapses": lambda f: f.relapses,
    "returned": lambda f: f.returned_groups,
    "demands": lambda f: f.demands,
    "overdue": lambda f: f.overdue,
    "complied_rate": lambda f: f.complied_rate,
}
DEFAULT_SORT = "-items"


def sort_key(value: str | None) -> str:
    """The ``sort`` parameter if it names a column (``-`` for descending), else the default."""
    return value if value and value.lstrip("-") in SORTS else DEFAULT_SORT


def index(user, kind: Kind, sort: str = DEFAULT_SORT) -> list[Figures]:
    """Every respondent or platform the user's holders have items or demands with,
    sorted by one figure; a missing figure (no rate, no median) sorts last either way."""
    rows = [f for f in _figures(user, kind, kind.objects()) if not f.empty]
    column = SORTS[sort.lstrip("-")]
    rows.sort(key=SORTS["name"])
    known = [f for f in rows if column(f) is not None]
    known.sort(key=column, reverse=sort.startswith("-"))
    return known + [f for f in rows if column(f) is None]


def card(user, kind: Kind, pk: int) -> dict:
    """One scorecard: its figures, and the repeat offenders behind them.

    A respondent or platform the user's holders have no items or demands with is a
    404, like an id that does not exist: respondents and platforms are shared by all
    rights holders, so an all-zero card would be a page about nothing of theirs.
    """
    obj = kind.objects().filter(pk=pk).first()
    if obj is None:
        raise Http404("No such scorecard.")
    (figures,) = _figures(user, kind, [obj], pk)
    if figures.empty:
        raise Http404("No such scorecard.")
    items = _filtered(InfringingItem.objects.for_user(user), kind.item_key, pk)
    relapsed_items = (
        items.filter(relapse_count__gt=0)
        .select_related("rights_holder", "platform")
        .order_by("-relapse_count", "-stage_changed_at", "-pk")[:OFFENDERS_SHOWN]
    )
    groups = (
        items.filter(_came_back())
        .values("variant_group_id", "variant_group__item_count", "rights_holder__code")
        .annotate(copies=Count("pk"))
        .order_by("-copies", "-variant_group_id")[:OFFENDERS_SHOWN]
    )
    platforms = []
    if kind is RESPONDENT:  # its platforms' items (2 queries)
        per_platform = item_counts(user, PLATFORM, platform__respondent_id=pk)
        platforms = [
            Figures(PLATFORM, p, stages=per_platform[p.pk], counted=False)
            for p in Platform.objects.filter(pk__in=list(per_platform))
        ]
    return {
        "figures": figures,
        "platforms": platforms,
        "relapsed_items": list(relapsed_items),
        "returned_groups": [
            {
                "reference": f"{g['rights_holder__code']}-V{g['variant_group_id']}",
                "url": reverse("casework:variant-group", args=[g["variant_group_id"]]),
                "items": g["variant_group__item_count"],
                "copies": g["copies"],
                "link": list_link(
                    "casework:item-list",
                    [("variant_group", f"{g['rights_holder__code']}-V{g['variant_group_id']}")],
                ),
            }
            for g in groups
        ],
    }
