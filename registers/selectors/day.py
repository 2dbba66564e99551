"""A school day's registers: which are taken, missing or taken with blanks.

One query per question whatever the number of forms or pupils: on-roll counts per form,
registers of the day, and mark counts per form and session, all aggregated in the database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Max, Min, Q, QuerySet

from registers import codes
from registers.models import Closure, Form, Mark, Register, School, SchoolDay

SESSIONS = ("AM", "PM")


class RegisterState(models.TextChoices):
    """What the office needs to know about one register (derived, never stored)."""

    TAKEN = "taken", "Taken"
    BLANKS = "blanks", "Not complete: pupils without a mark"
    MISSING = "missing", "Missing"
    MARKED = "marked", "All marked, not taken"
    NOT_DUE = "not_due", "Not due yet"
    CLOSED = "closed", "Closed"
    NO_PUPILS = "no_pupils", "No pupils on roll"


# The officer's "missing registers" list: registers somebody still has to complete.
NEEDS_ATTENTION = frozenset({RegisterState.MISSING, RegisterState.BLANKS})


def register_state(
    *, is_open: bool, due: bool, taken: bool, on_roll: int, unmarked: int
) -> RegisterState:
    if not is_open:
        return RegisterState.CLOSED
    if on_roll == 0:
        return RegisterState.NO_PUPILS
    if taken:
        return RegisterState.BLANKS if unmarked else RegisterState.TAKEN
    if not due:
        return RegisterState.NOT_DUE
    # Every pupil can be coded by the office (e.g. a trip) without the register being taken.
    return RegisterState.MISSING if unmarked else RegisterState.MARKED


@dataclass(frozen=True)
class SessionStatus:
    session: str
    state: RegisterState
    register: Register | None
    on_roll: int = 0
    attending: int = 0  # present and approved educational activity
    absent: int = 0  # authorised and unauthorised
    other: int = 0  # not a possible session (D, X, Q, Y1–Y7, Z, #)
    unmarked: int = 0

    @property
    def is_open(self) -> bool:
        return self.state is not RegisterState.CLOSED

    @property
    def needs_attention(self) -> bool:
        return self.state in NEEDS_ATTENTION

    @property
    def action(self) -> str:
        """The link text: what the member will do on the register page."""
        if self.state in (RegisterState.MISSING, RegisterState.MARKED):
            return "Take"
        return "Complete" if self.state is RegisterState.BLANKS else "Open"

    @property
    def taken_by_name(self) -> str:
        user = self.register.taken_by if self.register else None
        return (user.get_full_name() or user.username) if user else ""


@dataclass(frozen=True)
class FormDay:
    form: Form
    on_roll: int
    am: SessionStatus
    pm: SessionStatus

    @property
    def sessions(self) -> tuple[SessionStatus, SessionStatus]:
        return (self.am, self.pm)

    @property
    def needs_attention(self) -> bool:
        return self.am.needs_attention or self.pm.needs_attention


@dataclass(frozen=True)
class DayOverview:
    day: dt.date
    today: dt.date
    school_day: SchoolDay | None
    previous: dt.date | None  # the previous school day, for navigation
    next: dt.date | None
    closures: dict[str, str]  # session -> reason, for closed sessions of this date
    rows: list[FormDay]

    @property
    def is_school_day(self) -> bool:
        return self.school_day is not None

    @property
    def is_future(self) -> bool:
        return self.day > self.today

    def closed_sessions(self) -> list[tuple[str, str]]:
        """(session, reason) of sessions closed on a school day."""
        if self.school_day is None:
            return []
        return [(s, self.closures.get(s, "")) for s in SESSIONS if not self.school_day.is_open(s)]

    @property
    def state_counts(self) -> Counter[RegisterState]:
        return Counter(s.state for row in self.rows for s in row.sessions)

    @property
    def state_summary(self) -> list[tuple[RegisterState, int]]:
        """(state, how many registers) in the order of RegisterState, for the page."""
        counts = self.state_counts
        return [(state, counts[state]) for state in RegisterState if counts[state]]

    @property
    def attention_count(self) -> int:
        return sum(n for state, n in self.state_counts.items() if state in NEEDS_ATTENTION)

    def needing_attention(self) -> list[FormDay]:
        return [row for row in self.rows if row.needs_attention]


def _on_roll(prefix: str, day: dt.date) -> Q:
    return Q(**{f"{prefix}admission_date__lte": day}) & (
        Q(**{f"{prefix}leaving_date__isnull": True}) | Q(**{f"{prefix}leaving_date__gte": day})
    )


def _mark_counts(
    school: School, day: dt.date, form_ids: Iterable[int]
) -> dict[tuple[int, str], dict]:
    """Counts of marks per (form, session) for pupils on roll that day: one GROUP BY."""
    attending = codes.PRESENT_CODES | codes.AEA_CODES
    absent = codes.AUTHORISED_CODES | codes.UNAUTHORISED_CODES
    rows = (
        Mark.objects.for_school(school)
        .on(day)
        .filter(pupil__form_id__in=list(form_ids))
        .filter(_on_roll("pupil__", day))
        .values("pupil__form_id", "session")
        .annotate(
            attending=Count("pk", filter=Q(code_id__in=attending)),
            absent=Count("pk", filter=Q(code_id__in=absent)),
            marked=Count("pk"),
        )
        .order_by()
    )
    return {(r["pupil__form_id"], r["session"]): r for r in rows}


def is_due(school: School, day: dt.date, session: str, today: dt.date, now: dt.datetime | None):
    """A register is due (missing if not taken) on a past day, and today once its session
    has begun plus the school's grace period (with `now`; without it, all day)."""
    if day != today or now is None:
        return day <= today
    return school.register_due(day, session, now)


def day_overview(
    *,
    school: School,
    forms: QuerySet[Form],
    day: dt.date,
    today: dt.date,
    now: dt.datetime | None = None,
) -> DayOverview:
    """The registers of `forms` on `day`, with navigation to the neighbouring school days."""
    days = SchoolDay.objects.for_school(school)
    school_day = days.filter(date=day).first()
    around = days.aggregate(
        previous=Max("date", filter=Q(date__lt=day)), next=Min("date", filter=Q(date__gt=day))
    )
    closures: dict[str, str] = {}
    if school_day is None or not (school_day.am_open and school_day.pm_open):
        closures = dict(
            Closure.objects.for_school(school).filter(date=day).values_list("session", "reason")
        )
    rows: list[FormDay] = []
    if school_day is not None:
        form_list = list(
            forms.annotate(on_roll=Count("pupils", filter=_on_roll("pupils__", day))).order_by(
                "name"
            )
        )
        ids = [f.pk for f in form_list]
        registers = {
            (r.form_id, r.session): r
            for r in Register.objects.for_school(school)
            .filter(date=day, form_id__in=ids)
            .select_related("taken_by")
        }
        counts = _mark_counts(school, day, ids)
        for form in form_list:
            statuses = []
            for session in SESSIONS:
                register = registers.get((form.pk, session))
                c = counts.get((form.pk, session), {"attending": 0, "absent": 0, "marked": 0})
                unmarked = max(form.on_roll - c["marked"], 0)
                state = register_state(
                    is_open=school_day.is_open(session),
                    due=is_due(school, day, session, today, now),
                    taken=register is not None and register.taken_at is not None,
                    on_roll=form.on_roll,
                    unmarked=unmarked,
                )
                statuses.append(
                    SessionStatus(
                        session=session,
                        state=state,
                        register=register,
                        on_roll=form.on_roll,
                        attending=c["attending"],
                        absent=c["absent"],
                        other=c["marked"] - c["attending"] - c["absent"],
                        unmarked=unmarked,
                    )
                )
            rows.append(FormDay(form, form.on_roll, *statuses))
    return DayOverview(
        day=day,
        today=today,
        school_day=school_day,
        previous=around["previous"],
        next=around["next"],
        closures=closures,
        rows=rows,
    )
