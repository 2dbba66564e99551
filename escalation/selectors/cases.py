"""Reads for a pupil's case page and the page that opens a case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from escalation.models import Case, PupilFigure
from registers import figures, rates
from registers.models import Pupil, School


def find_case(*, school: School, pk: int) -> Case:
    """The school's case `pk` with its pupil; 404 for another school's."""
    return get_object_or_404(Case.objects.for_school(school).select_related("pupil"), pk=pk)


def open_case_of(*, school: School, pupil: Pupil) -> Case | None:
    return Case.objects.for_school(school).open().filter(pupil=pupil).first()


def cases_of(*, school: School, pupil: Pupil) -> list[Case]:
    """Every case the pupil has had at this school, open or closed."""
    return list(Case.objects.for_school(school).filter(pupil=pupil))


@dataclass(frozen=True)
class PupilFigures:
    counts: rates.SessionCounts  # this academic year to `today`
    remaining: int  # school sessions left in the year after `today`


def pupil_figures(*, school: School, pupil: Pupil, today: dt.date) -> PupilFigures:
    start, _ = figures.year_to_date(today)
    counts = figures.counts_by_pupil(school=school, start=start, end=today, pupil_ids=[pupil.pk])
    return PupilFigures(
        counts=counts.get(pupil.pk, rates.SessionCounts()),
        remaining=figures.remaining_sessions(school=school, after=today),
    )


def figure_history(*, school: School, pupil: Pupil, limit: int = 10) -> list[PupilFigure]:
    """The pupil's stored nightly figures, newest first."""
    return list(
        PupilFigure.objects.for_school(school).filter(pupil=pupil).order_by("-as_of")[:limit]
    )


def parent_names(*, school: School, pupil: Pupil) -> list[str]:
    return list(pupil.contacts.values_list("name", flat=True))
