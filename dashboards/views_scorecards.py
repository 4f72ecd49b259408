"""Respondent and platform scorecards and their indexes. Thin views: the figures come
from dashboards.scorecards.

Who sees what: every member of a rights holder (legal staff, managers, viewers) reads
the scorecards of the respondents and platforms their holders have items or demands
with; the figures count their holders' rows only. They are read-only pages: no role
changes anything here.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards import scorecards
from dashboards.scorecards import PLATFORM, RESPONDENT


def _index(request, kind):
    sort = scorecards.sort_key(request.GET.get("sort"))
    return render(
        request,
        "dashboards/scorecard_index.html",
        {
            "nav": "scorecards",
            "kind": kind.name,
            "rows": scorecards.index(request.user, kind, sort),
            "sort": sort,
        },
    )


def _card(request, kind, pk):
    context = scorecards.card(request.user, kind, pk)
    return render(
        request,
        "dashboards/scorecard.html",
        {"nav": "scorecards", "kind": kind.name, "stages": scorecards.FUNNEL_STAGES, **context},
    )


@login_required
@require_GET
def respondents(request):
    return _index(request, RESPONDENT)


@login_required
@require_GET
def platforms(request):
    return _index(request, PLATFORM)


@login_required
@require_GET
def respondent(request, pk):
    return _card(request, RESPONDENT, pk)


@login_required
@require_GET
def platform(request, pk):
    return _card(request, PLATFORM, pk)
