"""Reads for the officer's caseload: the cases with each pupil's latest stored figure, the
totals and the count by stage. A constant number of queries (the latest figure is a
subquery on escalation_figure_latest_idx)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, When

from escalation.models import Case, PupilFigure
from registers.models import Pupil, School

# The columns the caseload sorts by (?sort=name, ?sort=-name for descending); by default
# severe absence first, then reviews due.
SORTS = {
    "pupil": ("pupil__surname", "pupil__forename"),
    "attendance": ("attendance",),
    "stage": ("stage",),
    "opened": ("opened_on",),
    "review": ("next_review",),
    "owner": ("owner__username",),
}


def caseload(
    *,
    school: School,
    today: dt.date,
    filters: Mapping[str, Any],
    user: Any = None,
    sort: str = "",
) -> QuerySet[Case]:
    """Open cases (closed ones with `filters["closed"]`), severe first, then reviews due,
    each annotated with the pupil's latest stored band, attendance and its counts.

    `filters` are the caseload form's cleaned data: band, stage, year, pp, send, cin, due,
    mine (`user`'s cases), unassigned. `sort` is a key of SORTS, "-" first for descending.
    """
    latest = PupilFigure.objects.filter(pupil_id=OuterRef("pupil_id")).order_by("-as_of")
    cases = (
        Case.objects.for_school(school)
        .filter(status=Case.Status.CLOSED if filters.get("closed") else Case.Status.OPEN)
        .select_related("pupil__form", "owner")
        .annotate(
            band=Subquery(latest.values("band")[:1]),
            attendance=Subquery(latest.values("attendance")[:1]),
            # The counts behind it, so the page shows it as rates.shown_pct does.
            figure_possible=Subquery(latest.values("possible")[:1]),
            figure_attended=Subquery(latest.annotate(a=F("present") + F("aea")).values("a")[:1]),
            overdue=SqlCase(When(next_review__lte=today, then=0), default=1),
            # Severe absence is the top priority for all partners (docs/domain.md §10).
            priority=SqlCase(When(band=PupilFigure.Band.SEVERE, then=0), default=1),
        )
    )
    conditions = {
        "band": Q(band=filters.get("band")),
        "stage": Q(stage=filters.get("stage")),
        "year": Q(pupil__year_group=filters.get("year")),
        "pp": Q(pupil__pupil_premium=True),
        "send": ~Q(pupil__sen=Pupil.SEN.NONE),
        "cin": Q(pupil__cin=True),
        "due": Q(next_review__lte=today),
        "mine": Q(owner=user),
        "unassigned": Q(owner__isnull=True),
    }
    for name, condition in conditions.items():
        if filters.get(name):
            cases = cases.filter(condition)
    key = SORTS.get(sort.lstrip("-"))
    if key:
        descending = sort.startswith("-")
        return cases.order_by(
            *(F(k).desc(nulls_last=True) if descending else F(k).asc(nulls_last=True) for k in key),
            "pk",
        )
    return cases.order_by(
        "priority", "overdue", "next_review", "pupil__surname", "pupil__forename", "pk"
    )


def caseload_totals(*, school: School, today: dt.date) -> dict[str, int]:
    """Open cases, reviews due by `today`, and cases marked for focus."""
    return (
        Case.objects.for_school(school)
        .open()
        .aggregate(
            open=Count("pk"),
            due=Count("pk", filter=Q(next_review__lte=today)),
            focus=Count("pk", filter=Q(focus=True)),
        )
    )


def open_cases_by_stage(*, school: School) -> list[tuple[str, int]]:
    """(stage label, open cases at it) for every stage, in the ladder's order."""
    by_stage = dict(
        Case.objects.for_school(school)
        .open()
        .values_list("stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(label, by_stage.get(value, 0)) for value, label in Case.Stage.choices]
