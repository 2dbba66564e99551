"""Build the demo trust: Oakfield Primary (the school the logins belong to) and a small
second school, Beech Hill Primary, so the trust view has two schools to compare.

`seed_demo` is what `manage.py seed_demo` (and so `make run`) calls on every start: it
builds the data once and afterwards only makes sure the logins work. The generation is
pure (calendar.py, people.py, marks.py) and seeded, so the same seed gives the same school
on the same day; store.py writes it in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from attendance_portal.errors import DomainError
from registers import codes
from registers.models import HalfTerm, Mark, MarkAmendment, Pupil, School, SchoolDay, Trust
from registers.services.privacy import dependent_rows, history_deletion_window
from registers.services.stored_figures import refresh

from . import logins, store
from .calendar import demo_years, half_terms, store_calendar
from .marks import Context, Day, MarkSpec, plan_holiday, plan_trips, pupil_marks
from .people import RollPlan, build_roll

TRUST_NAME = "Oak Learning Trust"
ABSENT = codes.AUTHORISED_CODES | codes.UNAUTHORISED_CODES
# Registration closes at lunchtime; before then this afternoon's registers are not due.
AFTERNOON_REGISTER = dt.time(13, 0)


class DemoError(DomainError):
    """The demo cannot be built or reset; the message says why and what to do."""


@dataclass(frozen=True)
class SchoolPlan:
    urn: str
    name: str
    slug: str
    fsm_rate: float
    phone: str  # 01632 960xxx is Ofcom's drama range for landlines
    leave_unmarked: int = 0  # forms whose register this morning is left for the demo


@dataclass
class SchoolSummary:
    name: str
    urn: str
    on_roll: int = 0
    marks: int = 0
    registers: int = 0
    attendance_pct: float | None = None
    persistent_pct: float | None = None
    unmarked_forms: list[str] = field(default_factory=list)


@dataclass
class DemoResult:
    built: bool  # False when the demo already existed and only the logins were refreshed
    schools: list[SchoolSummary]
    accounts: tuple[logins.Login, ...] = logins.LOGINS
    teacher_form: str = logins.TEACHER_FORM


def school_plans(pupils: int) -> list[tuple[SchoolPlan, RollPlan]]:
    oakfield = SchoolPlan("100001", "Oakfield Primary School", "oakfield", 0.22, "01632 960001", 2)
    # Smaller and more disadvantaged, so the trust view shows a real difference.
    beech = SchoolPlan("100002", "Beech Hill Primary", "beechhill", 0.32, "01632 960002")
    return [
        (oakfield, RollPlan(urn=oakfield.urn, pupils=pupils, fsm_rate=oakfield.fsm_rate)),
        (beech, RollPlan(urn=beech.urn, pupils=max(14, round(pupils * 2 / 7)), fsm_rate=0.32)),
    ]


# Steps that other apps add to a fresh demo (escalation's caseload, letters and notices):
# registers must not import escalation, so escalation registers its step when it loads,
# as it does its purge guard. Each step is called once, for the main demo school, after its
# logins exist, with (school, seed, today, log); a re-run of seed_demo calls none of them.
DemoStep = Callable[..., None]
_demo_steps: list[DemoStep] = []


def register_demo_step(step: DemoStep) -> None:
    """Add a step run after the demo school is built (idempotent by identity)."""
    if step not in _demo_steps:
        _demo_steps.append(step)


def seed_demo(
    *,
    pupils: int = 420,
    seed: int = 2026,
    password: str,
    reset: bool = False,
    now: dt.datetime | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> DemoResult:
    """Build the demo trust once; on later runs only refresh the logins."""
    if pupils < 14:
        raise DemoError("--pupils must be at least 14 (two pupils per year group).")
    weak = logins.password_problems(password)
    if weak:
        raise DemoError(f"the demo password is too weak: {' '.join(weak)}")
    now = timezone.localtime(now or timezone.now())
    plans = school_plans(pupils)
    with transaction.atomic():
        trust, _ = Trust.objects.get_or_create(name=TRUST_NAME)
        schools = [_school(plan, trust) for plan, _ in plans]
        if reset:
            _wipe(schools, log)
            schools = [_school(plan, trust) for plan, _ in plans]
        users = logins.ensure_users(password=password)
        seeded = Pupil.objects.for_school(schools[0]).exists()
        summaries = []
        if seeded:
            log("demo school already seeded (use --reset to rebuild it)")
        else:
            for (plan, roll_plan), school in zip(plans, schools, strict=True):
                summaries.append(
                    _seed_school(plan, roll_plan, school, seed=seed, now=now, users=users, log=log)
                )
        teacher_form = schools[0].forms.filter(name=logins.TEACHER_FORM).first()
        logins.ensure_memberships(
            users=users, school=schools[0], trust=trust, teacher_form=teacher_form
        )
        if not seeded:
            rng_seed = f"{seed}:{plans[0][0].urn}:casework"
            for step in _demo_steps:
                step(school=schools[0], seed=rng_seed, today=now.date(), log=log)
    return DemoResult(built=not seeded, schools=summaries)


def _school(plan: SchoolPlan, trust: Trust) -> School:
    school, _ = School.objects.get_or_create(
        urn=plan.urn,
        defaults={
            "name": plan.name,
            "phase": School.Phase.PRIMARY,
            "trust": trust,
            "la_name": "Oakshire County Council",
            # A DfE number in the right shape (a fictional LA), so the CTF export works.
            "la_number": "999",
            "establishment_number": f"2{plan.urn[-3:]}",
            "address": f"{plan.name}\nSchool Lane\nOakfield\nOK1 1AA",
            "phone": plan.phone,
        },
    )
    return school


def _wipe(schools: list[School], log: Callable[[str], None]) -> None:
    """Delete the demo schools and everything in them, unless history forbids it.

    Amendments are append-only in the database (six-year retention, docs/domain.md §3), so a
    school whose marks have been amended cannot be wiped: drop the database instead."""
    amended = MarkAmendment.objects.filter(school__in=schools).count()
    if amended:
        raise DemoError(
            f"Cannot reset: the demo schools have {amended} mark amendment(s), which the "
            "database keeps permanently (registers are append-only). Start from a fresh "
            "database instead (delete db.sqlite3, or dropdb/createdb), then migrate and seed."
        )
    started = time.monotonic()
    try:
        # Marks first: Mark.pupil is PROTECT, so the school's cascade cannot remove pupils
        # while they have marks. One DELETE rather than the ORM collector, which would load
        # every mark to look for amendments (there are none: checked above); any other
        # foreign key to a mark is still enforced by the database.
        # The database refuses to delete marks (six-year retention) outside the window the
        # retention purge opens; demo schools are made-up data, so their reset may use it.
        with history_deletion_window(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {Mark._meta.db_table} WHERE school_id IN "  # noqa: S608
                f"({', '.join(['%s'] * len(schools))})",
                [s.pk for s in schools],
            )
            # Then every other row about the demo pupils (what demo steps made: leave
            # requests, calls, cases with their append-only timelines, letters), deepest
            # first, as the retention purge removes them.
            pupils = Pupil.objects.filter(school__in=schools)
            for model, rows in dependent_rows(Pupil, pupils, removed_only=True):
                if model is not Mark:
                    rows.delete()
            for school in schools:
                school.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise DemoError(
            f"Cannot reset: other records still point at the demo pupils ({exc.args[0]}). "
            "Start from a fresh database instead."
        ) from exc
    log(f"reset: deleted the demo schools ({time.monotonic() - started:.1f}s)")


def _days(school: School, years: list[int], now: dt.datetime) -> list[Day]:
    """The open sessions registered so far, from the start of last year up to now."""
    today = now.date()
    terms = list(
        HalfTerm.objects.for_school(school)
        .filter(academic_year__start_year__in=years)
        .order_by("start_date")
        .values_list("pk", flat=True)
    )
    index = {pk: i for i, pk in enumerate(terms)}
    first = half_terms(years[0])[0].start
    days = []
    for row in SchoolDay.objects.for_school(school).between(first, today).order_by("date"):
        sessions = tuple(
            s
            for s, is_open in (("AM", row.am_open), ("PM", row.pm_open))
            if is_open and (row.date < today or s == "AM" or now.time() >= AFTERNOON_REGISTER)
        )
        if sessions:
            days.append(Day(row.date, sessions, index[row.half_term_id]))
    return days


def _seed_school(
    plan: SchoolPlan,
    roll_plan: RollPlan,
    school: School,
    *,
    seed: int,
    now: dt.datetime,
    users: dict[str, User],
    log: Callable[[str], None],
) -> SchoolSummary:
    started = time.monotonic()
    today, years = now.date(), demo_years(now.date())
    summary = SchoolSummary(plan.name, plan.urn)

    def done(stage: str) -> None:
        log(f"{plan.name}: {stage} ({time.monotonic() - started:.1f}s)")

    store_calendar(school=school, years=years)
    days = _days(school, years, now)
    done(f"calendar {years[0]}/{years[0] + 1} and {years[1]}/{years[1] + 1}, {len(days)} days")

    roll = build_roll(
        plan=roll_plan,
        current_year=years[1],
        school_days=[d.date for d in days],
        rng=random.Random(f"{seed}:{plan.urn}:roll"),
    )
    forms = store.store_forms(school=school, names=roll_plan.form_names)
    is_oakfield = plan.leave_unmarked > 0
    assigned = {logins.TEACHER_FORM: users["teacher"]} if is_oakfield else {}
    teachers = logins.ensure_class_teachers(
        school=school,
        slug=plan.slug,
        forms=forms,
        assigned=assigned,
        rng=random.Random(f"{seed}:{plan.urn}:staff"),
    )
    pupil_ids = store.store_pupils(school=school, roll=roll, forms=forms)
    summary.on_roll = sum(1 for p in roll if p.admission <= today and not p.leaving)
    done(f"{len(roll)} pupils ({summary.on_roll} on roll today) in {len(forms)} forms")

    ctx = Context(
        days=days,
        today=today,
        year_start=half_terms(years[1])[0].start,
        trips=plan_trips(random.Random(f"{seed}:{plan.urn}:trips"), list(forms), days, today),
    )
    if any(d.date == today and "AM" in d.sessions for d in days) and plan.leave_unmarked:
        # The teacher login's own form, so the demo can take a register, and one other.
        others = [n for n in roll_plan.form_names if n.startswith("5")][-1:]
        summary.unmarked_forms = [logins.TEACHER_FORM, *others][: plan.leave_unmarked]
    form_of = {p.key: p.form for p in roll}
    taken: set[tuple[str, dt.date, str]] = set()
    possible: Counter[int] = Counter()
    absent: Counter[int] = Counter()

    def generate() -> Iterator[MarkSpec]:
        holidays: dict[int, frozenset[dt.date]] = {}
        for pupil in roll:
            if pupil.family not in holidays:
                family_rng = random.Random(f"{seed}:{plan.urn}:family:{pupil.family}")
                holidays[pupil.family] = plan_holiday(family_rng, days)
            rng = random.Random(f"{seed}:{plan.urn}:{pupil.upn}")
            for mark in pupil_marks(pupil=pupil, ctx=ctx, holiday=holidays[pupil.family], rng=rng):
                form = form_of[mark.pupil_key]
                if mark.date == today and mark.session == "AM" and form in summary.unmarked_forms:
                    continue
                if form:
                    taken.add((form, mark.date, mark.session))
                if mark.date >= ctx.year_start and mark.code in codes.POSSIBLE_CODES:
                    possible[mark.pupil_key] += 1
                    absent[mark.pupil_key] += mark.code in ABSENT
                yield mark

    summary.marks = store.store_marks(
        school=school,
        marks=generate(),
        pupil_ids=pupil_ids,
        teacher_of={p.key: teachers.get(p.form or "") for p in roll},
        office_user_id=users["officer"].pk if is_oakfield else None,
    )
    done(f"{summary.marks} marks")
    # The marks went in set-based, past the services: the stored figures in one pass.
    refresh(school=school)
    done("stored figures")
    summary.registers = store.store_registers(
        school=school,
        taken=taken,
        forms=forms,
        teachers=teachers,
        rng=random.Random(f"{seed}:{plan.urn}:registers"),
    )
    done(f"{summary.registers} registers")
    if possible:
        total = sum(possible.values())
        summary.attendance_pct = round(100 * (1 - sum(absent.values()) / total), 1)
        persistent = sum(1 for k, n in possible.items() if absent[k] * 10 >= n)
        summary.persistent_pct = round(100 * persistent / len(possible), 1)
    return summary
