"""The manager dashboard's figures, computed with a fixed number of queries.

Every figure is an aggregate, so the number of queries does not grow with the
data, and the big ones read rollups the database keeps (casework/rollups.py),
not every item:

1. items per stage, per rights holder and franchise (the funnel; the removal
   rate is derived from it): casework.ItemRollup's whole weeks of the date range,
   plus the items of the days at its ends;
2. demands per status (and how many are overdue, by the demand list's own
   definition ``notices.workflow.is_overdue_q``), per rights holder;
3. the overdue demands themselves (the oldest first, at most ``OVERDUE_LIMIT``);
4. median days identified → removed and notified → removed, per franchise,
   per holder and overall (PostgreSQL ``percentile_cont`` with GROUPING SETS over
   the items' stored first notified / removed times, index item_holder_removed);
5. and 6. items identified and removals recorded per week, last 26 weeks
   (ItemRollup and RemovalRollup);
7. remedies per respondent, kind and status.

Every query starts from ``for_user`` and the selected holders and dates: another
rights holder's rows are never counted. Each figure carries the URL of the
filtered list behind it.

Definitions (also shown on the page):
* identified at = when the item was logged (``created_at``, the time of its
  first StageEvent); notified / removed at = its *first* StageEvent to that stage;
* removal rate = (removed + ceased) / (notified + removed + ceased) items now;
* removals per week count StageEvents to ``removed`` (a relapsed item removed
  again counts again); weeks start on Monday in settings.TIME_ZONE.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum, Value
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from casework import metrics, stored
from casework.choices import Stage
from casework.inputs import BoundedDateField, check_date_order
from casework.models import (
    Franchise,
    InfringingItem,
    ItemRollup,
    Platform,
    RemovalRollup,
    RemovedItemRollup,
    Respondent,
    RightsHolder,
    member_holder_ids,
)
from dashboards.models import DashboardReport
from notices.business_days import holder_today
from notices.choices import DemandStatus, RemedyKind, RemedyStatus
from notices.models import Demand, Remedy
from notices.pdf import html_to_pdf
from notices.workflow import AFTER_SENDING, is_overdue_q

OVERDUE_LIMIT = 50
WEEKS = 26
FUNNEL_STAGES = [Stage.IDENTIFIED, Stage.NOTIFIED, Stage.REMOVED, Stage.CEASED, Stage.DISMISSED]


# --- Filters -------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    """Rights holder, franchise, respondent and date range; choices scoped to the user."""

    rights_holder = forms.ModelChoiceField(
        queryset=RightsHolder.objects.none(), required=False, empty_label="All rights holders"
    )
    franchise = forms.ModelChoiceField(
        queryset=Franchise.objects.none(), required=False, empty_label="All franchises"
    )
    respondent = forms.ModelChoiceField(
        queryset=Respondent.objects.none(), required=False, empty_label="All respondents"
    )
    date_from = BoundedDateField(required=False, label="From")
    date_to = BoundedDateField(required=False, label="To")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rights_holder"].queryset = RightsHolder.objects.for_user(user)
        self.fields["franchise"].queryset = Franchise.objects.for_user(user).select_related(
            "rights_holder"
        )
        # Respondents are shared: list those the user's holders have demands or items against.
        self.fields["respondent"].queryset = Respondent.objects.filter(
            Exists(Demand.objects.for_user(user).filter(respondent=OuterRef("pk")))
            | Exists(
                InfringingItem.objects.for_user(user).filter(platform__respondent=OuterRef("pk"))
            )
        )

    def clean(self):
        data = super().clean()
        check_date_order(self, "date_from", "date_to")
        holder, franchise = data.get("rights_holder"), data.get("franchise")
        if holder and franchise and franchise.rights_holder_id != holder.pk:
            self.add_error("franchise", "This franchise belongs to another rights holder.")
        return data


@dataclass
class Selection:
    """What the figures are about: a user and the valid filters they chose."""

    user: object
    rights_holder: RightsHolder | None = None
    franchise: Franchise | None = None
    respondent: Respondent | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    today: dt.date = field(default_factory=timezone.localdate)

    @classmethod
    def from_form(cls, form: DashboardFilterForm, user, today=None):
        form.is_valid()
        data = getattr(form, "cleaned_data", {}) or {}
        return cls(
            user=user,
            rights_holder=data.get("rights_holder") if "rights_holder" not in form.errors else None,
            franchise=data.get("franchise") if "franchise" not in form.errors else None,
            respondent=data.get("respondent") if "respondent" not in form.errors else None,
            date_from=data.get("date_from") if "date_from" not in form.errors else None,
            date_to=data.get("date_to") if "date_to" not in form.errors else None,
            today=today or timezone.localdate(),
        )

    def as_params(self) -> dict:
        """The filters as query parameters (the dashboard's own URL, CSV, report)."""
        params = {}
        for name in ("rights_holder", "franchise", "respondent"):
            value = getattr(self, name)
            if value is not None:
                params[name] = value.pk
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None:
                params[name] = value.isoformat()
        return params

    # -- query building --

    def _start(self, day):
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def item_q(self, prefix="") -> Q:
        q = Q()
        if self.rights_holder:
            q &= Q(**{f"{prefix}rights_holder": self.rights_holder})
        if self.franchise:
            q &= Q(**{f"{prefix}franchise": self.franchise})
        if self.respondent:
            q &= Q(**{f"{prefix}platform__respondent": self.respondent})
        return q

    def item_dates_q(self, prefix="") -> Q:
        q = Q()
        if self.date_from:
            q &= Q(**{f"{prefix}created_at__gte": self._start(self.date_from)})
        if self.date_to:
            q &= Q(**{f"{prefix}created_at__lt": self._start(self.date_to + dt.timedelta(1))})
        return q

    def items(self):
        return InfringingItem.objects.for_user(self.user).filter(self.item_q(), self.item_dates_q())

    def week_ranges(self):
        """The date range as whole weeks (Mondays, the rollups' grain) and the days
        at its ends outside them: ``((first_monday, end_monday), [(day, end_day), ...])``.

        A bound of None is open; each edge is a range of days [day, end_day) the rollups
        cannot answer, none when the range is only whole weeks. A range inside one week
        is all edge.
        """
        if not self.date_from and not self.date_to:
            return (None, None), []
        first = end = None
        edges = []
        if self.date_from:
            first = self.date_from + dt.timedelta(days=-self.date_from.weekday() % 7)
        if self.date_to:
            after = self.date_to + dt.timedelta(days=1)
            end = after - dt.timedelta(days=after.weekday())
        if first and end and first >= end:  # no whole week inside: every day from items
            return (first, first), [(self.date_from, after)]
        if self.date_from and first > self.date_from:
            edges.append((self.date_from, first))
        if self.date_to and end < after:
            edges.append((end, after))
        return (first, end), edges

    def week_split(self):
        """``week_ranges`` with its edges as one ``Q`` on ``created_at`` (None: no edge)."""
        weeks, edges = self.week_ranges()
        if not edges:
            return weeks, None
        q = Q()
        for lower, upper in edges:
            q |= Q(created_at__gte=self._start(lower), created_at__lt=self._start(upper))
        return weeks, q

    def demand_q(self, prefix="") -> Q:
        q = Q()
        if self.rights_holder:
            q &= Q(**{f"{prefix}rights_holder": self.rights_holder})
        if self.respondent:
            q &= Q(**{f"{prefix}respondent": self.respondent})
        # Demands are dated by their letters (the demand list's sent_after/before).
        if self.date_from:
            q &= Q(**{f"{prefix}sent_on__gte": self.date_from})
        if self.date_to:
            q &= Q(**{f"{prefix}sent_on__lte": self.date_to})
        if self.franchise:
            outer = f"{prefix}pk" if prefix else "pk"
            q &= Q(
                Exists(
                    Demand.items.through.objects.filter(
                        demand_id=OuterRef(outer), infringingitem__franchise=self.franchise
                    )
                )
            )
        return q

    def demands(self):
        return Demand.objects.for_user(self.user).filter(self.demand_q())

    def remedies(self):
        return Remedy.objects.for_user(self.user).filter(self.demand_q("demand__"))

    # -- links to the lists behind the figures --

    def _dates(self, after: str, before: str) -> dict:
        params = {}
        if self.date_from:
            params[after] = self.date_from.isoformat()
        if self.date_to:
            params[before] = self.date_to.isoformat()
        return params

    def item_link(self, *, holder=None, franchise=None, stage=None, stages=None) -> str:
        """The item list (casework/filters.py ItemFilter) filtered to a figure's rows."""
        params: list[tuple[str, object]] = []
        holder = holder or self.rights_holder
        franchise = franchise or self.franchise
        if holder is not None:
            params.append(("rights_holder", _pk(holder)))
        if franchise is not None:
            params.append(("franchise", _pk(franchise)))
        if self.respondent is not None:
            params.append(("respondent", self.respondent.pk))
        for value in stages or ([stage] if stage else []):
            params.append(("stage", value))
        params += list(self._dates("logged_after", "logged_before").items())
        return list_link("casework:item-list", params)

    def demand_link(self, *, holder=None, respondent=None, **extra) -> str:
        """The demand list (notices/filters.py) filtered to a figure's rows."""
        params: list[tuple[str, object]] = []
        holder = holder or self.rights_holder
        respondent = respondent or self.respondent
        if holder is not None:
            params.append(("rights_holder", _pk(holder)))
        if respondent is not None:
            params.append(("respondent", _pk(respondent)))
        if self.franchise is not None:
            params.append(("franchise", self.franchise.pk))
        params += [(k, v) for k, v in extra.items() if v is not None]
        params += list(self._dates("sent_after", "sent_before").items())
        return list_link("notices:demand-list", params)

    def board_link(self, *, respondent=None, **extra) -> str:
        """The demand status board (open demands and their remedies) for a figure."""
        params = self.as_params()
        if respondent is not None:
            params["respondent"] = _pk(respondent)
        params.update({k: v for k, v in extra.items() if v is not None})
        return list_link("dashboard:board", list(params.items()))


def _pk(value):
    return getattr(value, "pk", value)


def list_link(name, params) -> str:
    """The URL of list ``name`` filtered by ``params`` (a figure's link)."""
    base = _list_url(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return f"{base}?{urlencode(params)}" if params else base


@functools.cache
def _list_url(name, urlconf, prefix) -> str:
    """``reverse(name)`` of a list without arguments, once per URLconf and script prefix:
    a dashboard links ~260 figures to a handful of lists (``reverse`` was ~7% of its CPU)."""
    return reverse(name, urlconf=urlconf)


# --- Figures -------------------------------------------------------------------------


def rate(part, whole):
    """``part`` as a percentage of ``whole``, one decimal; None of nothing."""
    return round(100.0 * part / whole, 1) if whole else None


def funnel(sel: Selection) -> dict:
    """Items per stage per franchise (2 queries), with holder subtotals and a total.

    From the rollup (casework.ItemRollup: items per holder, franchise, platform, stage
    and week logged) for the whole weeks of the date range, plus the items themselves
    for the days at either end that do not fill a week (index item_holder_new): exact
    for any range, and a few thousand rollup rows instead of every item.
    """
    (first_week, end_week), edges = sel.week_split()
    rolled = ItemRollup.objects.for_user(sel.user).filter(sel.item_q())
    if first_week is not None:
        rolled = rolled.filter(week__gte=first_week)
    if end_week is not None:
        rolled = rolled.filter(week__lt=end_week)
    # Grouped by ids only (narrow rows, a hash of a few groups); the names are read
    # for the groups found (one more query), and the rows ordered by them.
    key = ("rights_holder_id", "franchise_id", "stage")
    query = rolled.values(*key).annotate(n=Sum("items")).order_by()
    if edges is not None:
        edge_items = (
            InfringingItem.objects.for_user(sel.user)
            .filter(sel.item_q(), edges)
            .values(*key)
            .annotate(n=Count("pk"))
            .order_by()
        )
        query = query.union(edge_items, all=True)
    counts: dict[tuple, dict] = {}
    for row in query:
        group = (row["rights_holder_id"], row["franchise_id"])
        per_stage = counts.setdefault(group, {s.value: 0 for s in FUNNEL_STAGES})
        per_stage[row["stage"]] += row["n"]
    # A franchise whose items all moved away sums to zero: no row, as before.
    counts = {group: c for group, c in counts.items() if any(c.values())}
    holder_names = RightsHolder.objects.filter(pk__in={h for h, _f in counts}).values_list(
        "pk", "name", Value("h")
    )
    franchise_names = Franchise.objects.filter(pk__in={f for _h, f in counts}).values_list(
        "pk", "name", Value("f")
    )
    names = {(kind, pk): name for pk, name, kind in holder_names.union(franchise_names, all=True)}
    rows = [
        {
            "rights_holder_id": holder_id,
            "rights_holder__name": names[("h", holder_id)],
            "franchise_id": franchise_id,
            "franchise__name": names[("f", franchise_id)],
            **per_stage,
        }
        for (holder_id, franchise_id), per_stage in counts.items()
    ]
    rows.sort(key=lambda r: (r["rights_holder__name"], r["franchise__name"], r["franchise_id"]))

    def finish(row, holder_id, franchise_id):
        row["total"] = sum(row[s.value] for s in FUNNEL_STAGES)
        reached = row[Stage.NOTIFIED] + row[Stage.REMOVED] + row[Stage.CEASED]
        row["reached_notified"] = reached
        row["removal_rate"] = rate(row[Stage.REMOVED] + row[Stage.CEASED], reached)
        row["links"] = {
            s.value: sel.item_link(holder=holder_id, franchise=franchise_id, stage=s.value)
            for s in FUNNEL_STAGES
        }
        row["links"]["total"] = sel.item_link(holder=holder_id, franchise=franchise_id)
        row["links"]["removed_or_ceased"] = sel.item_link(
            holder=holder_id, franchise=franchise_id, stages=[Stage.REMOVED, Stage.CEASED]
        )
        row["cells"] = [
            {"stage": s.value, "label": s.label, "count": row[s.value], "link": row["links"][s]}
            for s in FUNNEL_STAGES
        ]
        return row

    franchises, holders = [], {}
    total = {s.value: 0 for s in FUNNEL_STAGES}
    for row in rows:
        row = dict(row)
        holder = holders.setdefault(
            row["rights_holder_id"],
            {
                "rights_holder_id": row["rights_holder_id"],
                "name": row["rights_holder__name"],
                **{s.value: 0 for s in FUNNEL_STAGES},
            },
        )
        for s in FUNNEL_STAGES:
            holder[s.value] += row[s.value]
            total[s.value] += row[s.value]
        franchises.append(finish(row, row["rights_holder_id"], row["franchise_id"]))
    holder_rows = [finish(h, hid, None) for hid, h in holders.items()]
    total = finish(total, None, None)
    return {"franchises": franchises, "holders": holder_rows, "total": total}


def demand_statuses(sel: Selection) -> dict:
    """Demands per status per holder, and how many are overdue (1 query)."""
    rows = (
        sel.demands()
        .values("rights_holder_id", "rights_holder__name", "status")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=is_overdue_q()))
        .order_by("rights_holder__name", "status")
    )
    by_status = {s.value: 0 for s in DemandStatus}
    holders: dict[int, dict] = {}
    overdue = 0
    for row in rows:
        by_status[row["status"]] += row["n"]
        overdue += row["overdue"]
        holder = holders.setdefault(
            row["rights_holder_id"],
            {"name": row["rights_holder__name"], "counts": {s.value: 0 for s in DemandStatus}},
        )
        holder["counts"][row["status"]] += row["n"]
    statuses = [
        {
            "status": s.value,
            "label": s.label,
            "count": by_status[s.value],
            "link": sel.demand_link(status=s.value),
        }
        for s in DemandStatus
    ]
    holder_rows = [
        {
            "name": h["name"],
            "cells": [
                {"count": h["counts"][s.value], "link": sel.demand_link(holder=hid, status=s.value)}
                for s in DemandStatus
            ],
        }
        for hid, h in holders.items()
    ]
    return {
        "statuses": statuses,
        "holders": holder_rows,
        "total": sum(by_status.values()),
        "total_link": sel.demand_link(),
        "overdue": overdue,
        "overdue_link": sel.demand_link(overdue="true"),
    }


def overdue_demands(sel: Selection) -> list[dict]:
    """The overdue demands, oldest deadline first, with days overdue (1 query)."""
    rows = (
        sel.demands()
        .filter(is_overdue_q())
        .annotate(holder_today=holder_today("rights_holder"))
        .values(
            "pk",
            "reference",
            "deadline",
            "status",
            "rights_holder__name",
            "respondent__name",
            "holder_today",
        )
        .order_by("deadline", "pk")[:OVERDUE_LIMIT]
    )
    result = []
    for row in rows:
        row = dict(row)
        # Counted where the holder works, like is_overdue_q.
        today = row.pop("holder_today")
        row["days_overdue"] = (today - row["deadline"]).days if row["deadline"] else None
        row["link"] = reverse("notices:demand-detail", args=[row["pk"]])
        result.append(row)
    return result


_ITEMS = InfringingItem._meta.db_table
_PLATFORMS = Platform._meta.db_table
_REMOVED = RemovedItemRollup._meta.db_table
# Days from one time to another, as percentile_cont would sort them (float8).
_DAYS = "date_part('epoch', {}) / 86400.0::float8"
_SPANS = {
    "identified": ("i.first_removed_at - i.created_at", "TRUE", "n"),
    "notified": (
        "i.first_removed_at - i.first_notified_at",
        "i.first_notified_at IS NOT NULL",
        "nn",
    ),
}


def _scope_filter(sel: Selection, alias: str) -> tuple[list[str], list]:
    """``for_user`` and ``item_q`` in SQL, on the rows ``alias`` (items or a rollup)."""
    user = sel.user
    where, params = [], []
    if not user.is_authenticated or not user.is_active:
        where.append("FALSE")
    elif not user.is_superuser:
        where.append(f"{alias}.rights_holder_id = ANY(%s)")
        params.append(member_holder_ids(user))
    if sel.rights_holder:
        where.append(f"{alias}.rights_holder_id = %s")
        params.append(sel.rights_holder.pk)
    if sel.franchise:
        where.append(f"{alias}.franchise_id = %s")
        params.append(sel.franchise.pk)
    if sel.respondent:
        where.append(
            f"{alias}.platform_id IN (SELECT id FROM {_PLATFORMS} WHERE respondent_id = %s)"  # noqa: S608
        )
        params.append(sel.respondent.pk)
    return where, params


def _median_filter(sel: Selection) -> tuple[str, list]:
    """The selection (``for_user``, ``item_q``, ``item_dates_q``) over removed items
    ``i``, in SQL: the medians read the items' indexes in an order Django cannot ask for."""
    scope, params = _scope_filter(sel, "i")
    where = ["i.first_removed_at IS NOT NULL", *scope]
    if sel.date_from:
        where.append("i.created_at >= %s")
        params.append(sel._start(sel.date_from))
    if sel.date_to:
        where.append("i.created_at < %s")
        params.append(sel._start(sel.date_to + dt.timedelta(1)))
    return " AND ".join(where), params


def _removed_counts(sel: Selection) -> tuple[str, list]:
    """Removed items and how many of them were notified, per holder and franchise of the
    selection: rows (h, f, n, nn) with n > 0, in SQL.

    From casework.RemovedItemRollup for the whole weeks of the date range, plus the
    removed items themselves for the days at either end (as ``funnel`` does): a few
    thousand rollup rows instead of every removed item.
    """
    (first_week, end_week), edges = sel.week_ranges()
    where, params = _scope_filter(sel, "r")
    if first_week is not None:
        where.append("r.week >= %s")
        params.append(first_week)
    if end_week is not None:
        where.append("r.week < %s")
        params.append(end_week)
    rolled = " AND ".join(where) or "TRUE"
    parts = [
        f"""SELECT r.rights_holder_id AS h, r.franchise_id AS f, r.items AS n, r.notified AS nn
              FROM {_REMOVED} AS r WHERE {rolled}"""  # noqa: S608 - constants; values are parameters
    ]
    if edges:
        scope, edge_params = _scope_filter(sel, "i")
        days = " OR ".join("(i.created_at >= %s AND i.created_at < %s)" for _edge in edges)
        edge = " AND ".join(["i.first_removed_at IS NOT NULL", *scope, f"({days})"])
        parts.append(
            f"""SELECT i.rights_holder_id, i.franchise_id, count(*), count(i.first_notified_at)
                  FROM {_ITEMS} AS i WHERE {edge}
                 GROUP BY i.rights_holder_id, i.franchise_id"""  # noqa: S608 - as above
        )
        params += edge_params
        for lower, upper in edges:
            params += [sel._start(lower), sel._start(upper)]
    union = " UNION ALL ".join(parts)
    sql = (
        f"SELECT h, f, sum(n)::bigint AS n, sum(nn)::bigint AS nn FROM ({union}) AS x"  # noqa: S608
        " GROUP BY h, f HAVING sum(n) > 0"
    )
    return sql, params


def _middle(n, low, high):
    """percentile_cont(0.5) from the one or two middle values of ``n`` sorted values."""
    if low is None:
        return None
    return float(low) if n % 2 else float(low) + (float(high) - float(low)) * 0.5


def medians(sel: Selection) -> dict:
    """Median days identified → removed and notified → removed (1 query).

    Returns {"total": m, "holders": {id: m}, "franchises": {id: m}} where each
    m is {"identified": days|None, "notified": days|None, "count": n}.

    From the items' stored first notified / removed times (casework/rollups.py),
    filtered by holder and dates first. No sort of every removed item: each group's
    removed items are counted, then its middle one or two read at an OFFSET in the
    order of the partial indexes item_median_* (index-only), exactly the values
    ``percentile_cont(0.5)`` would interpolate. A total over several holders has no
    such index and takes ``percentile_cont`` itself.
    """
    result = {"total": {"identified": None, "notified": None, "count": 0}}
    result["holders"], result["franchises"] = {}, {}
    where, params = _median_filter(sel)
    single = sel.rights_holder is not None or (
        not sel.user.is_superuser and len(member_holder_ids(sel.user)) == 1
    )
    # Removed items per franchise, counted once (from the rollup, _removed_counts); a
    # holder's count is the sum of its franchises'.
    counts_sql, counts_params = _removed_counts(sel)
    counts = f"counts AS ({counts_sql})"
    groups = {
        0: "SELECT h, f, n, nn FROM counts",
        1: "SELECT h, NULL::bigint AS f, sum(n)::bigint AS n, sum(nn)::bigint AS nn "
        "FROM counts GROUP BY h",
    }
    branches, all_params = [], list(counts_params)
    for level, group in groups.items():
        match = "i.rights_holder_id = c.h" + (" AND i.franchise_id = c.f" if level == 0 else "")
        picks = []
        for span, present, count in _SPANS.values():
            picks.append(f"""
             CROSS JOIN LATERAL (
                 SELECT min(s.d), max(s.d) FROM (
                     SELECT {_DAYS.format(span)} AS d FROM {_ITEMS} AS i
                      WHERE {where} AND {present} AND {match}
                      ORDER BY {span}
                     OFFSET (c.{count} - 1) / 2 LIMIT 2 - mod(c.{count}, 2)) AS s
             ) AS m_{count} (low, high)""")  # noqa: S608 - constants; values are parameters
        branches.append(f"""
            SELECT {level}, c.h, c.f, c.n, c.nn, m_n.low, m_n.high, m_nn.low, m_nn.high
              FROM ({group}) AS c {"".join(picks)}""")  # noqa: S608
        all_params += params * 2
    if not single:
        ident, notif = (_DAYS.format(span) for span, _p, _c in _SPANS.values())
        branches.append(f"""
            SELECT 2, NULL, NULL, count(*), count(i.first_notified_at),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {ident}),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {ident}),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {notif}),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {notif})
              FROM {_ITEMS} AS i WHERE {where} HAVING count(*) > 0""")  # noqa: S608
        all_params += params
    query = f"WITH {counts} " + " UNION ALL ".join(branches)
    with connection.cursor() as cursor:
        cursor.execute(query, all_params)
        rows = cursor.fetchall()
    for level, holder_id, franchise_id, n, nn, i_low, i_high, n_low, n_high in rows:
        value = {
            "identified": _middle(n, i_low, i_high),
            "notified": _middle(nn, n_low, n_high),
            "count": n,
        }
        if level == 0:
            result["franchises"][franchise_id] = value
        elif level == 1:
            result["holders"][holder_id] = value
            if single:
                result["total"] = value
        else:
            result["total"] = value
    return result


def week_starts(end: dt.date, weeks: int = WEEKS) -> list[dt.date]:
    """The Mondays of the ``weeks`` weeks ending with the week containing ``end``."""
    last = end - dt.timedelta(days=end.weekday())
    return [last - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def weekly(sel: Selection) -> list[dict]:
    """Items identified and removals recorded per week, last 26 weeks (2 queries),
    from the rollups (casework.ItemRollup and RemovalRollup, kept per week)."""
    starts = week_starts(sel.date_to or sel.today)
    lower, upper = starts[0], starts[-1] + dt.timedelta(weeks=1)
    identified = (
        ItemRollup.objects.for_user(sel.user)
        .filter(sel.item_q(), week__gte=lower, week__lt=upper)
        .values("week")
        .annotate(n=Sum("items"))
        .order_by()
    )
    removed = (
        RemovalRollup.objects.for_user(sel.user)
        .filter(sel.item_q(), week__gte=lower, week__lt=upper)
        .values("week")
        .annotate(n=Sum("removals"))
        .order_by()
    )

    def by_week(rows):
        return {r["week"]: r["n"] for r in rows}

    ident, rem = by_week(identified), by_week(removed)
    result = []
    for start in starts:
        end = start + dt.timedelta(days=6)
        link_sel = Selection(
            user=sel.user,
            rights_holder=sel.rights_holder,
            franchise=sel.franchise,
            respondent=sel.respondent,
            date_from=start,
            date_to=end,
        )
        result.append(
            {
                "week": start,
                "identified": ident.get(start, 0),
                "removed": rem.get(start, 0),
                "link": link_sel.item_link(),
            }
        )
    return result


def chart(weeks: list[dict], width=780, height=240) -> dict:
    """Coordinates of a grouped bar chart (server-rendered SVG, no script)."""
    left, bottom, top = 36, 28, 12
    plot_h = height - bottom - top
    peak = max([1] + [max(w["identified"], w["removed"]) for w in weeks])
    step = (width - left - 8) / max(1, len(weeks))
    bar = max(2.0, step / 2 - 2)
    ticks = sorted({0, peak // 2, peak})
    bars = []
    for i, w in enumerate(weeks):
        x = left + i * step
        for j, key in enumerate(("identified", "removed")):
            h = plot_h * w[key] / peak
            bars.append(
                {
                    "x": round(x + j * (bar + 1), 1),
                    "y": round(top + plot_h - h, 1),
                    "w": round(bar, 1),
                    "h": round(h, 1),
                    "kind": key,
                    "value": w[key],
                    "week": w["week"],
                }
            )
    labels = [
        {"x": round(left + i * step, 1), "text": w["week"].strftime("%d %b")}
        for i, w in enumerate(weeks)
        if i % 4 == 0
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "axis_y": top + plot_h,
        "left": left,
        "ticks": [{"y": round(top + plot_h - plot_h * t / peak, 1), "value": t} for t in ticks],
        "label_y": height - 8,
    }


def compliance(sel: Selection) -> list[dict]:
    """Per respondent and remedy kind: remedies pending / complied / partly / refused,
    over demands that were sent (1 query)."""
    counts = {s.value: Count("pk", filter=Q(status=s)) for s in RemedyStatus}
    rows = (
        sel.remedies()
        .filter(demand__status__in=sorted(AFTER_SENDING))
        .values("demand__respondent_id", "demand__respondent__name", "kind")
        .annotate(**counts)
        .order_by("demand__respondent__name", "kind")
    )
    respondents: dict[int, dict] = {}
    for row in rows:
        rid = row["demand__respondent_id"]
        entry = respondents.setdefault(
            rid, {"respondent_id": rid, "name": row["demand__respondent__name"], "kinds": []}
        )
        total = sum(row[s.value] for s in RemedyStatus)
        entry["kinds"].append(
            {
                "kind": row["kind"],
                "label": RemedyKind(row["kind"]).label,
                "total": total,
                "complied_rate": rate(row[RemedyStatus.COMPLIED], total),
                "cells": [
                    {
                        "status": s.value,
                        "count": row[s.value],
                        "link": sel.board_link(
                            respondent=rid, remedy_kind=row["kind"], remedy_status=s.value
                        ),
                    }
                    for s in RemedyStatus
                ],
            }
        )
    order = {kind: i for i, kind in enumerate(RemedyKind.values)}
    for entry in respondents.values():
        entry["kinds"].sort(key=lambda k: order[k["kind"]])
    return list(respondents.values())


def figures(sel: Selection) -> dict:
    """Every figure of the dashboard for one selection (8 queries, and one setting up
    the transaction they run in)."""
    with transaction.atomic():
        # Small aggregates: compiling them with JIT costs more than it saves. The
        # medians sort every removed item's durations of the selection in memory.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        return _figures(sel)


def _figures(sel: Selection) -> dict:
    stage_funnel = funnel(sel)
    middle = medians(sel)
    for row in stage_funnel["franchises"]:
        row["median"] = middle["franchises"].get(row["franchise_id"])
    for row in stage_funnel["holders"]:
        row["median"] = middle["holders"].get(row["rights_holder_id"])
    stage_funnel["total"]["median"] = middle["total"]
    weeks = weekly(sel)
    return {
        "funnel": stage_funnel,
        "demands": demand_statuses(sel),
        "overdue": overdue_demands(sel),
        "medians": middle,
        "weeks": weeks,
        "chart": chart(weeks),
        "compliance": compliance(sel),
        "stages": FUNNEL_STAGES,
    }


# --- CSV -------------------------------------------------------------------------------


def csv_rows(sel: Selection, data: dict):
    """The figures as flat rows: section, rights holder, group, measure, value."""
    yield ["section", "rights_holder", "group", "measure", "value"]
    f = data["funnel"]
    for row in f["franchises"]:
        for s in FUNNEL_STAGES:
            yield ["items", row["rights_holder__name"], row["franchise__name"], s.value, row[s]]
        yield [
            "items",
            row["rights_holder__name"],
            row["franchise__name"],
            "removal_rate_pct",
            _blank(row["removal_rate"]),
        ]
        median = row.get("median") or {}
        yield [
            "items",
            row["rights_holder__name"],
            row["franchise__name"],
            "median_days_identified_to_removed",
            _blank(_round(median.get("identified"))),
        ]
        yield [
            "items",
            row["rights_holder__name"],
            row["franchise__name"],
            "median_days_notified_to_removed",
            _blank(_round(median.get("notified"))),
        ]
    total = f["total"]
    for s in FUNNEL_STAGES:
        yield ["items", "", "all", s.value, total[s]]
    yield ["items", "", "all", "removal_rate_pct", _blank(total["removal_rate"])]
    yield [
        "items",
        "",
        "all",
        "median_days_identified_to_removed",
        _blank(_round(total["median"]["identified"])),
    ]
    yield [
        "items",
        "",
        "all",
        "median_days_notified_to_removed",
        _blank(_round(total["median"]["notified"])),
    ]
    for row in data["demands"]["statuses"]:
        yield ["demands", "", "all", row["status"], row["count"]]
    yield ["demands", "", "all", "overdue", data["demands"]["overdue"]]
    for row in data["overdue"]:
        yield ["overdue", row["rights_holder__name"], row["reference"], "days_overdue",
               row["days_overdue"]]  # fmt: skip
    for week in data["weeks"]:
        yield ["weekly", "", week["week"].isoformat(), "identified", week["identified"]]
        yield ["weekly", "", week["week"].isoformat(), "removed", week["removed"]]
    for entry in data["compliance"]:
        for kind in entry["kinds"]:
            for cell in kind["cells"]:
                yield [
                    "compliance",
                    "",
                    f"{entry['name']} / {kind['kind']}",
                    cell["status"],
                    cell["count"],
                ]


def _round(value):
    return None if value is None else round(value, 1)


def _blank(value):
    return "" if value is None else value


# --- PDF report (rendered by the worker) -------------------------------------------------


def render_report(report_id) -> None:
    """Render a DashboardReport row to PDF; the row records status, timings and errors.

    Claims the row (casework.jobs): a report that is gone, done, failed or held by
    a live claim is left alone, so a redelivered task never renders it twice; one
    whose worker died is taken again once its lease expires.
    """
    attempt = DashboardReport.claim(report_id, error="")
    if attempt is None:
        return
    report = DashboardReport.objects.select_related("requested_by").get(pk=report_id)
    started = time.monotonic()
    saved_name = ""
    try:
        user = report.requested_by
        form = DashboardFilterForm(report.filters, user=user)
        sel = Selection.from_form(form, user)
        data = figures(sel)
        html = render_to_string(
            "dashboards/dashboard_report.html",
            {"sel": sel, "data": data, "report": report, "generated_at": timezone.now()},
        )
        pdf = html_to_pdf(html)
        name = f"dashboard-{report.pk}-{timezone.now():%Y%m%d-%H%M%S}.pdf"
        report.file.save(name, ContentFile(pdf), save=False)
        saved_name = report.file.name
        if DashboardReport.finish(report.pk, attempt, file=saved_name, size=len(pdf)):
            saved_name = ""  # else another attempt took over: its file counts
            metrics.observe_render("report", int((time.monotonic() - started) * 1000))
    except Exception as exc:
        DashboardReport.fail(report.pk, attempt, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        stored.discard([saved_name])
