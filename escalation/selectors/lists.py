"""Reads for the officer's daily lists: first-day calling, students of concern and
penalty-notice candidates (docs/domain.md §4, §5, §9). Each list costs the same number of
queries whatever the number of pupils. The views add the badges, bands and links."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from escalation import rules
from escalation.models import Case
from registers import codes
from registers.families import selectors as families
from registers.families.models import AbsenceReport, Message
from registers.figures import counted_marks, counts_by_pupil, fpn_candidates, year_to_date
from registers.models import (
    CallAttempt,
    Contact,
    Form,
    Mark,
    Pupil,
    Register,
    School,
    SchoolDay,
)
from registers.models.pupils import YEAR_GROUPS
from registers.rates import Band, SessionCounts, band
from registers.school_age import compulsory_school_age


def open_cases_of(*, school: School, pupil_ids: list[int]) -> dict[int, Case]:
    """The open case of each of these pupils that has one, by pupil id."""
    return {
        c.pupil_id: c for c in Case.objects.for_school(school).open().filter(pupil_id__in=pupil_ids)
    }


# -- first-day calling -------------------------------------------------------------------------


@dataclass
class CallingPupil:
    """A pupil of the calling list: the sessions still marked N, contacts, the day's calls
    and the year-to-date counts (None before the pupil has any)."""

    pupil: Pupil
    sessions: list[str]
    contacts: list[Contact]
    calls: list[CallAttempt]
    counts: SessionCounts | None = field(default=None)
    # Sessions whose register was saved without a mark for this pupil: nobody knows where
    # they are, so they stay on the list (a safeguarding check) until they have a mark.
    unmarked: list[str] = field(default_factory=list)
    # The day's first-day messages (who was messaged, by what, what became of it) and the
    # parents' reports covering the day (registers/families).
    messages: list[Message] = field(default_factory=list)
    reports: list[AbsenceReport] = field(default_factory=list)


def unmarked_in_saved_registers(
    *, school: School, day: dt.date, pupil_ids: list[int] | None = None
) -> dict[int, list[str]]:
    """Pupils on roll left without a mark in a register saved on `day` (an open session):
    pupil id -> sessions. Three queries whatever the number of forms."""
    school_day = SchoolDay.objects.for_school(school).filter(date=day).first()
    if school_day is None:
        return {}
    saved = {
        (form_id, session)
        for form_id, session in Register.objects.for_school(school)
        .filter(date=day, taken_at__isnull=False)
        .values_list("form_id", "session")
        if school_day.is_open(session)
    }
    if not saved:
        return {}
    pupils = Pupil.objects.for_school(school).on_roll(day)
    pupils = pupils.filter(form_id__in={form_id for form_id, _ in saved})
    if pupil_ids is not None:
        pupils = pupils.filter(pk__in=pupil_ids)
    on_roll = list(pupils.values_list("pk", "form_id"))
    marked = set(
        Mark.objects.for_school(school)
        .on(day)
        .filter(pupil_id__in=[pk for pk, _ in on_roll])
        .values_list("pupil_id", "session")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for pk, form_id in on_roll:
        for session in ("AM", "PM"):
            if (form_id, session) in saved and (pk, session) not in marked:
                found[pk].append(session)
    return found


def calling_pupils(
    *, school: School, day: dt.date, pupil_ids: list[int] | None = None
) -> list[CallingPupil]:
    """Every pupil with an N mark on `day`, and every pupil left without a mark in a register
    saved that day, vulnerable pupils first; with `pupil_ids` (one row redrawn after a
    call), those pupils, even if their absence has just been resolved."""
    marks = Mark.objects.for_school(school).on(day).unexplained()
    if pupil_ids is not None:
        marks = marks.filter(pupil_id__in=pupil_ids)
    sessions: dict[int, list[str]] = defaultdict(list)
    for pupil_id, session in marks.order_by("session").values_list("pupil_id", "session"):
        sessions[pupil_id].append(session)
    unmarked = unmarked_in_saved_registers(school=school, day=day, pupil_ids=pupil_ids)
    ids = list(sessions.keys() | unmarked.keys()) if pupil_ids is None else pupil_ids
    if not ids:
        return []

    pupils = (
        Pupil.objects.for_school(school)
        .filter(pk__in=ids)
        .select_related("form")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.for_school(school).order_by("priority"))
        )
        .vulnerable_first()
    )
    calls: dict[int, list[CallAttempt]] = defaultdict(list)
    for call in (
        CallAttempt.objects.for_school(school)
        .on(day)
        .filter(pupil_id__in=ids)
        .select_related("contact", "called_by", "code_given")
    ):
        calls[call.pupil_id].append(call)
    start, end = year_to_date(day)
    counts = counts_by_pupil(school=school, start=start, end=end, pupil_ids=ids)
    sent = families.messages_on_day(school=school, day=day, pupil_ids=ids)
    reports = families.reports_on_day(school=school, day=day, pupil_ids=ids)
    return [
        CallingPupil(
            pupil=p,
            sessions=sessions.get(p.pk, []),
            contacts=list(p.contacts.all()),
            calls=calls.get(p.pk, []),
            counts=counts.get(p.pk),
            unmarked=unmarked.get(p.pk, []),
            messages=sent.get(p.pk, []),
            reports=reports.get(p.pk, []),
        )
        for p in pupils
    ]


def to_call_count(*, school: School, day: dt.date) -> int:
    """Pupils still marked N on `day`."""
    return (
        Mark.objects.for_school(school).on(day).unexplained().values("pupil_id").distinct()
    ).count()


@dataclass(frozen=True)
class DayStatus:
    school_day: SchoolDay | None
    previous: dt.date | None
    next: dt.date | None
    forms_total: int
    missing_am: int
    missing_pm: int


def day_status(*, school: School, day: dt.date) -> DayStatus:
    """The school day, the school days either side, and the registers not taken yet."""
    days = SchoolDay.objects.for_school(school)
    school_day = days.filter(date=day).first()
    previous = days.filter(date__lt=day).order_by("-date").values_list("date", flat=True).first()
    following = days.filter(date__gt=day).order_by("date").values_list("date", flat=True).first()
    # Absent pupils in a form whose register is not taken yet have no N mark, so they are
    # not on the calling list: say how many registers are missing.
    form_ids = set(
        Form.objects.for_school(school)
        .filter(pupils__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    taken = set(
        Register.objects.for_school(school)
        .filter(date=day, taken_at__isnull=False)
        .values_list("form_id", "session")
    )
    missing = {
        session: sum((pk, session) not in taken for pk in form_ids)
        if school_day and school_day.is_open(session)
        else 0
        for session in ("AM", "PM")
    }
    return DayStatus(school_day, previous, following, len(form_ids), missing["AM"], missing["PM"])


def resolved_calls(*, school: School, day: dt.date, listed: set[int]) -> list[CallAttempt]:
    """The calls that settled an absence on `day`, for pupils no longer on the list."""
    calls = (
        CallAttempt.objects.for_school(school)
        .on(day)
        .resolving()
        .select_related("pupil", "pupil__form", "contact", "called_by", "code_given")
        .order_by("-called_at")
    )
    return [c for c in calls if c.pupil_id not in listed]


# -- students of concern -----------------------------------------------------------------------


@dataclass
class ConcernPupil:
    """A pupil on the students-of-concern list, with this year's and this week's counts."""

    pupil: Pupil
    year: SessionCounts
    week: SessionCounts
    band: Band | None
    below_target: bool


def concern_pupils(
    *, school: School, monday: dt.date, as_of: dt.date, year_group: str = ""
) -> tuple[list[ConcernPupil], dict[str, int]]:
    """The pupils below the school's target this year or absent for
    rules.CONCERN_WEEK_ABSENCES sessions or more in the week from `monday` to `as_of`, and
    the number on roll in each year group, in that week."""
    pupils = (
        Pupil.objects.for_school(school)
        .on_roll_between(monday, as_of)
        .select_related("form")
        .order_by("surname", "forename")
    )
    if year_group:
        pupils = pupils.filter(year_group=year_group)
    pupils = list(pupils)
    ids = [p.pk for p in pupils] if year_group else None
    start, end = year_to_date(as_of)
    year = counts_by_pupil(school=school, start=start, end=end, pupil_ids=ids)
    this_week = counts_by_pupil(school=school, start=monday, end=as_of, pupil_ids=ids)

    on_roll: dict[str, int] = defaultdict(int)
    found = []
    for p in pupils:
        on_roll[p.year_group] += 1
        counts = year.get(p.pk, SessionCounts())
        week_counts = this_week.get(p.pk, SessionCounts())
        pupil_band = band(
            counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct
        )
        below = pupil_band in rules.BELOW_TARGET_BANDS
        if not below and week_counts.absent < rules.CONCERN_WEEK_ABSENCES:
            continue
        found.append(ConcernPupil(p, counts, week_counts, pupil_band, below))
    return found, dict(on_roll)


def year_groups_of(*, school: School) -> list[str]:
    """The school's year groups, in school order."""
    return sorted(
        set(Pupil.objects.for_school(school).values_list("year_group", flat=True)),
        key=lambda y: YEAR_GROUPS.index(y) if y in YEAR_GROUPS else len(YEAR_GROUPS),
    )


# -- penalty-notice candidates -----------------------------------------------------------------


@dataclass
class FpnPupil:
    pupil: Pupil
    sessions: int
    by_code: dict[str, int]  # the codes behind the count
    case: Case | None


def fpn_pupils(*, school: School, as_of: dt.date) -> list[FpnPupil]:
    """The pupils at the penalty-notice threshold as of `as_of` (registers.figures), with
    the codes behind each count and their open case, in the candidates' order."""
    candidates = fpn_candidates(school=school, as_of=as_of)
    if not candidates:
        return []
    window = candidates[0].window
    ids = [c.pupil_id for c in candidates]
    pupils = Pupil.objects.for_school(school).select_related("form").in_bulk(ids)
    # The codes behind each count, of the sessions the count is made of: those on which
    # the pupil was of compulsory school age (registers.figures.fpn_candidates).
    ages = {pk: compulsory_school_age(p.date_of_birth) for pk, p in pupils.items()}
    by_code: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pupil_id, code, day in (
        counted_marks(school=school, start=window.start, end=as_of, pupil_ids=ids)
        .filter(code_id__in=codes.FPN_CODES)
        .values_list("pupil_id", "code_id", "date")
    ):
        if ages[pupil_id].covers(day):
            by_code[pupil_id][code] += 1
    cases = open_cases_of(school=school, pupil_ids=ids)
    return [
        FpnPupil(
            pupil=pupils[c.pupil_id],
            sessions=c.unauthorised_sessions,
            by_code=by_code[c.pupil_id],
            case=cases.get(c.pupil_id),
        )
        for c in candidates
    ]
