"""Reads for the pupil pages: the searchable list, the year's calendar grid and the history."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from attendance_portal.dates import monday_of
from registers import codes, figures, rates
from registers.models import (
    AcademicYear,
    AttendanceCode,
    Contact,
    HalfTerm,
    Mark,
    MarkAmendment,
    Pupil,
    School,
    SchoolDay,
)
from registers.models.calendar import academic_year_start

SESSIONS = ("AM", "PM")


def pupil_list(
    *,
    pupils: QuerySet[Pupil],
    today: dt.date,
    search: str = "",
    form_id: int | None = None,
    year_group: str = "",
    include_left: bool = False,
) -> QuerySet[Pupil]:
    """`pupils` (already narrowed to what the user may see) filtered for the list page."""
    found = pupils.select_related("form")
    if not include_left:
        found = found.filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=today))
    # Every word must match a name or the start of the UPN: "smith 4" finds nobody odd.
    for word in search.split():
        found = found.filter(
            Q(forename__icontains=word) | Q(surname__icontains=word) | Q(upn__istartswith=word)
        )
    if form_id is not None:
        found = found.filter(form_id=form_id)
    if year_group:
        found = found.filter(year_group=year_group)
    return found.order_by("surname", "forename", "pk")


def code_css(code: str) -> str:
    """The category class (cat-present, ...) that colours a code's chip."""
    info = codes.BY_CODE.get(code)
    return f"cat-{info.category}" if info else "cat-none"


@dataclass(frozen=True)
class HistoryEntry:
    """One amendment as the history tables show it: old -> new, why, who, when."""

    amendment: MarkAmendment
    old_css: str
    new_css: str

    @classmethod
    def of(cls, amendment: MarkAmendment) -> HistoryEntry:
        return cls(amendment, code_css(amendment.old_code), code_css(amendment.new_code))


def _history(amendments) -> list[HistoryEntry]:
    return [HistoryEntry.of(a) for a in amendments]


def contacts_of(*, school: School, pupil: Pupil) -> list[Contact]:
    """The pupil's contacts in calling order."""
    return list(Contact.objects.for_school(school).filter(pupil=pupil))


@dataclass(frozen=True)
class Half:
    """One session of one day in the pupil's calendar."""

    day: dt.date
    session: str
    code: str
    css: str
    label: str
    amendable: bool  # the office may record or change a mark here


@dataclass(frozen=True)
class DayCell:
    day: dt.date
    css: str  # "" for a school day, "closed" for a weekday without school, "outside"
    halves: tuple[Half, ...]


@dataclass(frozen=True)
class Week:
    monday: dt.date
    days: list[DayCell]


@dataclass(frozen=True)
class TermGrid:
    """One half-term as Monday-to-Friday rows, each day split into AM and PM."""

    name: str
    start: dt.date
    end: dt.date
    weeks: list[Week]


@dataclass(frozen=True)
class LegendItem:
    css: str
    label: str
    count: int | None = None


@dataclass(frozen=True)
class PupilYear:
    start_year: int
    years: list[AcademicYear]
    terms: list[TermGrid]
    counts: rates.SessionCounts
    attendance_pct: Decimal | None
    legend: list[LegendItem]
    amendments: list[HistoryEntry]

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


def choose_year(years: list[AcademicYear], requested: int | None, today: dt.date) -> int:
    """The requested academic year if the school has it, else the current one, else the
    nearest earlier one the school has (so a new year without a calendar still shows data)."""
    starts = [y.start_year for y in years]
    if requested in starts:
        return requested
    current = academic_year_start(today)
    if current in starts or not starts:
        return current
    earlier = [s for s in starts if s <= current]
    return max(earlier) if earlier else min(starts)


def _half(
    *,
    pupil: Pupil,
    day: dt.date,
    session: str,
    is_open: bool,
    mark: tuple[str, int | None] | None,
    today: dt.date,
) -> Half:
    when = f"{day:%a %-d %b} {session}"
    on_roll = pupil.on_roll(day)
    amendable = is_open and on_roll and day <= today
    if mark is not None:
        code, minutes = mark
        info = codes.BY_CODE.get(code)
        late = f" ({minutes} min late)" if minutes else ""
        meaning = info.meaning if info else "unknown code"
        css = f"cat-{info.category}" if info else "cat-none"
        return Half(day, session, code, css, f"{when}: {code} {meaning}{late}", amendable)
    if not is_open:
        return Half(day, session, "", "closed", f"{when}: closed", False)
    if not on_roll:
        return Half(day, session, "", "off-roll", f"{when}: not on roll", False)
    if day > today:
        return Half(day, session, "", "future", f"{when}: not yet", False)
    return Half(day, session, "–", "cat-none", f"{when}: no mark", amendable)


def _term_grid(
    term: HalfTerm,
    pupil: Pupil,
    school_days: dict[dt.date, tuple[bool, bool]],
    marks: dict[tuple[dt.date, str], tuple[str, int | None]],
    today: dt.date,
) -> TermGrid:
    monday = monday_of(term.start_date)
    weeks = []
    while monday <= term.end_date:
        cells = []
        for offset in range(5):
            day = monday + dt.timedelta(days=offset)
            if not term.start_date <= day <= term.end_date:
                cells.append(DayCell(day, "outside", ()))
                continue
            opens = school_days.get(day, (False, False))
            halves = tuple(
                _half(
                    pupil=pupil,
                    day=day,
                    session=s,
                    is_open=opens[i],
                    mark=marks.get((day, s)),
                    today=today,
                )
                for i, s in enumerate(SESSIONS)
            )
            cells.append(DayCell(day, "" if day in school_days else "closed", halves))
        weeks.append(Week(monday, cells))
        monday += dt.timedelta(days=7)
    return TermGrid(term.name, term.start_date, term.end_date, weeks)


def _legend(marks: dict[tuple[dt.date, str], tuple[str, int | None]]) -> list[LegendItem]:
    by_category = Counter(
        codes.BY_CODE[code].category.value for code, _ in marks.values() if code in codes.BY_CODE
    )
    items = [
        LegendItem(f"cat-{c.value}", c.label, by_category.get(c.value, 0))
        for c in AttendanceCode.Category
    ]
    return [
        *items,
        LegendItem("cat-none", "No mark"),
        LegendItem("closed", "Closed or no school"),
        LegendItem("off-roll", "Not on roll"),
    ]


def pupil_year(
    *, school: School, pupil: Pupil, requested_year: int | None, today: dt.date
) -> PupilYear:
    """The pupil's marks of one academic year as half-term calendar grids, with the year's
    figures and the amendment history.

    Six queries whatever the number of marks: years, half-terms, school days, marks,
    totals and history.
    """
    years = list(AcademicYear.objects.for_school(school))
    start_year = choose_year(years, requested_year, today)
    start, end = dt.date(start_year, 8, 1), dt.date(start_year + 1, 7, 31)
    terms = list(HalfTerm.objects.for_school(school).filter(academic_year__start_year=start_year))
    school_days = {
        d: (am, pm)
        for d, am, pm in SchoolDay.objects.for_school(school)
        .between(start, end)
        .values_list("date", "am_open", "pm_open")
    }
    marks = {
        (d, s): (code, minutes)
        for d, s, code, minutes in Mark.objects.for_school(school)
        .filter(pupil=pupil)
        .between(start, end)
        .values_list("date", "session", "code_id", "minutes_late")
    }
    counts = figures.totals(school=school, start=start, end=min(end, today), pupil_ids=[pupil.pk])
    # Newest first (the model's ordering), served by registers_amend_pupil_idx.
    amendments = _history(
        MarkAmendment.objects.for_school(school).filter(pupil=pupil, date__gte=start, date__lte=end)
    )
    return PupilYear(
        start_year=start_year,
        years=years,
        terms=[_term_grid(t, pupil, school_days, marks, today) for t in terms],
        counts=counts,
        attendance_pct=rates.attendance_pct(counts),
        legend=_legend(marks),
        amendments=amendments,
    )


@dataclass(frozen=True)
class SessionRecord:
    """What the amendment page shows for one pupil's session."""

    day: dt.date
    session: str
    school_day: SchoolDay | None
    mark: Mark | None
    history: list[HistoryEntry]

    @property
    def is_open(self) -> bool:
        return self.school_day is not None and self.school_day.is_open(self.session)

    @property
    def css(self) -> str:
        return code_css(self.mark.code_id) if self.mark else "cat-none"

    @property
    def meaning(self) -> str:
        info = codes.BY_CODE.get(self.mark.code_id) if self.mark else None
        return info.meaning if info else ""

    @property
    def closed_message(self) -> str:
        if self.school_day is None:
            return f"{self.day:%A %-d %B %Y} is not a school day."
        if not self.is_open:
            return f"The {self.session} session on {self.day:%A %-d %B %Y} is closed."
        return ""


def session_history(*, school: School, pupil: Pupil, day: dt.date, session: str) -> SessionRecord:
    school_day = SchoolDay.objects.for_school(school).filter(date=day).first()
    mark = (
        Mark.objects.for_school(school)
        .filter(pupil=pupil, date=day, session=session)
        .select_related("recorded_by")
        .first()
    )
    history = _history(
        MarkAmendment.objects.for_school(school).filter(pupil=pupil, date=day, session=session)
    )
    return SessionRecord(
        day=day, session=session, school_day=school_day, mark=mark, history=history
    )
