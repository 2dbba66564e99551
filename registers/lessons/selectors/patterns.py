"""Patterns of internal truancy for the pastoral view and the pupil page: post-registration
truancy counts per pupil, and pupils who miss the same subject or the same period again and
again. Read from the alerts (each is a lesson missed by a pupil in school), leaving out
those withdrawn or found to be in another lesson (a register or timetable error)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from registers.lessons import rules
from registers.lessons.models import TruancyAlert
from registers.models import Pupil, School

REPEATED = 2  # missing the same subject or period this many times is a pattern


def counted_alerts(*, school: School, start: dt.date, end: dt.date, years: set[str] | None = None):
    alerts = (
        TruancyAlert.objects.for_school(school)
        .filter(date__gte=start, date__lte=end)
        .exclude(status=TruancyAlert.Status.WITHDRAWN)
        .exclude(outcome=rules.Outcome.OTHER_LESSON)
    )
    return alerts if years is None else alerts.filter(pupil__year_group__in=years)


@dataclass(frozen=True)
class Pattern:
    pupil: Pupil
    what: str
    times: int


def truancy_counts(*, school: School, start: dt.date, end: dt.date, years: set[str] | None = None):
    """Pupils with post-registration truancy, most first: [(pupil, count)]."""
    rows = list(
        counted_alerts(school=school, start=start, end=end, years=years)
        .values("pupil_id")
        .annotate(n=Count("id"))
        .order_by("-n", "pupil_id")[:100]
    )
    pupils = (
        Pupil.objects.for_school(school)
        .select_related("form")
        .in_bulk([r["pupil_id"] for r in rows])
    )
    return [(pupils[r["pupil_id"]], r["n"]) for r in rows]


def repeated_misses(
    *,
    school: School,
    start: dt.date,
    end: dt.date,
    years: set[str] | None = None,
    pupil: Pupil | None = None,
) -> list[Pattern]:
    """Pupils missing the same subject, or the same period, at least REPEATED times."""
    alerts = counted_alerts(school=school, start=start, end=end, years=years)
    if pupil is not None:
        alerts = alerts.filter(pupil=pupil)
    found: list[tuple[int, str, int]] = []
    for column, label in (
        ("register__lesson__teaching_class__subject", "{}"),
        ("register__lesson__period__name", "period {}"),
    ):
        rows = (
            alerts.values("pupil_id", column)
            .annotate(n=Count("id"))
            .filter(n__gte=REPEATED)
            .order_by("-n")
        )
        found += [(r["pupil_id"], label.format(r[column]), r["n"]) for r in rows]
    pupils = Pupil.objects.for_school(school).select_related("form").in_bulk([f[0] for f in found])
    return sorted(
        (Pattern(pupils[p], what, n) for p, what, n in found),
        key=lambda x: (-x.times, x.pupil.surname, x.what),
    )
