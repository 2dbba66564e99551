"""The reporting period a page is about: one half-term, the term, or the year to date.

`?period=` takes a half-term id, `term` or `ytd`; anything else falls back to the current
half-term, so a stale bookmark still opens a page. Periods end at today at the latest:
a figure never includes sessions that have not happened yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registers.models import HalfTerm, School

TERM = "term"
YTD = "ytd"


@dataclass(frozen=True)
class Window:
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Period:
    key: str  # the ?period= value that selects it
    label: str
    start: dt.date
    end: dt.date  # inclusive, never after today
    year_start: dt.date  # first day of its academic year's first half-term
    previous_year_start: dt.date  # the same for the year before, for the trend beside it
    half_term: HalfTerm | None  # the half-term it is anchored on
    previous: Window | None  # the last half-term, for band movement

    @property
    def is_empty(self) -> bool:
        return self.end < self.start


@dataclass(frozen=True)
class PeriodChoice:
    key: str
    label: str
    selected: bool


def _current(terms: list[HalfTerm], today: dt.date) -> HalfTerm | None:
    started = [t for t in terms if t.start_date <= today]
    return started[-1] if started else (terms[0] if terms else None)


def _term_of(anchor: HalfTerm, terms: list[HalfTerm]) -> list[HalfTerm]:
    """The half-terms of the anchor's term: same year, same first word ("Autumn 1/2")."""
    same_year = [t for t in terms if t.academic_year_id == anchor.academic_year_id]
    season = anchor.name.split()[0].lower() if anchor.name.split() else ""
    named = [t for t in same_year if t.name.split() and t.name.split()[0].lower() == season]
    if len(named) > 1:
        return named
    # Names that do not follow "Season n": pair half-terms in calendar order (1–2, 3–4, 5–6).
    index = same_year.index(anchor)
    first = index - index % 2
    return same_year[first : first + 2]


def resolve_period(*, school: School, key: str | None, today: dt.date) -> Period | None:
    """The period `key` names for this school, or None if the school has no calendar."""
    terms = list(
        HalfTerm.objects.for_school(school).select_related("academic_year").order_by("start_date")
    )
    anchor = _current(terms, today)
    if anchor is None:
        return None
    by_id = {str(t.pk): t for t in terms}
    if key in by_id:
        anchor = by_id[key]
    year_terms = [t for t in terms if t.academic_year_id == anchor.academic_year_id]
    year_start = year_terms[0].start_date
    last_year = [
        t for t in terms if t.academic_year.start_year == anchor.academic_year.start_year - 1
    ]
    # Without last year's calendar, the same week 52 weeks earlier keeps weekdays aligned.
    previous_year_start = (
        last_year[0].start_date if last_year else year_start - dt.timedelta(weeks=52)
    )

    if key == TERM:
        chosen = _term_of(anchor, terms)
        season = anchor.name.split()[0] if anchor.name.split() else "This"
        label, start, end = f"{season} term", chosen[0].start_date, chosen[-1].end_date
    elif key == YTD:
        label, start, end = "Year to date", year_start, year_terms[-1].end_date
    else:
        key = str(anchor.pk)
        label, start, end = str(anchor), anchor.start_date, anchor.end_date
        chosen = [anchor]
    # Band movement is "since the last half-term": the half-term before the period (for
    # the year to date, before the current half-term).
    first = anchor if key == YTD else chosen[0]
    index = terms.index(first)
    prior = terms[index - 1] if index > 0 else None
    previous = Window(str(prior), prior.start_date, prior.end_date) if prior else None
    return Period(
        key=key,
        label=label,
        start=start,
        end=min(end, today),
        year_start=year_start,
        previous_year_start=previous_year_start,
        half_term=anchor,
        previous=previous,
    )


def period_choices(*, school: School, period: Period, today: dt.date) -> list[PeriodChoice]:
    """The options of the period picker: started half-terms, newest first, then term/YTD."""
    terms = HalfTerm.objects.for_school(school).filter(start_date__lte=today)
    choices = [
        PeriodChoice(str(t.pk), str(t), period.key == str(t.pk))
        for t in terms.select_related("academic_year").order_by("-start_date")[:12]
    ]
    choices.insert(0, PeriodChoice(TERM, "This term", period.key == TERM))
    choices.insert(1, PeriodChoice(YTD, "Year to date", period.key == YTD))
    return choices
