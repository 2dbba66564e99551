"""The demo's secondary school (seed_demo, through registers.demo.register_demo_step): Oak
Ridge Academy, ten tutor groups of years 7–11, a one-week timetable of five periods a day,
its staff logins, a week of statutory and lesson marks with a few patterns, and this
morning's registration taken, so a demo teacher can take today's lesson registers.

The timetable is imported through import_timetable from the CSV files `timetable_files()`
builds; the same files are in docs/demo-timetable/ (tests/lessons/test_demo.py keeps them
equal), so a README reader can import them again ("nothing changed").
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User

from registers import codes
from registers.demo import names
from registers.demo.calendar import demo_years, store_calendar
from registers.demo.people import RollPlan, make_upn
from registers.lessons import rules
from registers.lessons.models import (
    Lesson,
    LessonMark,
    LessonRegister,
    PastoralLead,
    TruancyAlert,
)
from registers.lessons.services.timetable import import_timetable
from registers.models import Form, Mark, Membership, Pupil, Register, School, SchoolDay
from registers.models.calendar import academic_year_start
from registers.services.imports import CsvFile
from registers.services.stored_figures import refresh

URN = "100003"
NAME = "Oak Ridge Academy"
YEARS = ("7", "8", "9", "10", "11")
FORMS = tuple(f"{y}{letter}" for y in YEARS for letter in "RS")
PER_FORM = 24
PERIODS = (
    ("P1", "AM", "08:50", "09:50"),
    ("P2", "AM", "09:50", "10:50"),
    ("P3", "AM", "11:10", "12:10"),
    ("P4", "PM", "13:15", "14:15"),
    ("P5", "PM", "14:15", "15:15"),
)
# (code, subject, teacher's username, first name, last name). ridge.teacher teaches Maths:
# some form has Maths in every period, so the demo teacher has a lesson all day.
SUBJECTS = (
    ("Ma", "Maths", "ridge.teacher", "Priya", "Shah"),
    ("En", "English", "ridge.english", "Tom", "Hughes"),
    ("Sc", "Science", "ridge.science", "Grace", "Okafor"),
    ("Hi", "History", "ridge.history", "Owen", "Price"),
    ("Gg", "Geography", "ridge.geography", "Laura", "Bennett"),
    ("Fr", "French", "ridge.french", "Claire", "Dubois"),
    ("PE", "PE", "ridge.pe", "Marcus", "Reid"),
    ("Ar", "Art", "ridge.art", "Hannah", "Moss"),
    ("Cp", "Computing", "ridge.computing", "Ravi", "Patel"),
    ("RE", "Religious education", "ridge.re", "Ruth", "Ellis"),
)
# Logins besides the subject teachers: (username, role, first, last).
STAFF = (
    ("ridge.officer", Membership.Role.OFFICER, "Sam", "Whitfield"),
    ("ridge.head", Membership.Role.HEAD, "Andrew", "Carter"),
    ("ridge.pastoral", Membership.Role.TEACHER, "Nadia", "Hussain"),  # pastoral lead
)
LOGINS = (*(s[0] for s in STAFF), *(s[2] for s in SUBJECTS))


@dataclass(frozen=True)
class DemoPupil:
    upn: str
    forename: str
    surname: str
    gender: str
    year_group: str
    form: str


def demo_pupils() -> list[DemoPupil]:
    """The roll, the same whatever the date (the timetable files name these UPNs)."""
    rng = random.Random(f"{URN}:roll")
    plan = RollPlan(urn=URN, pupils=len(FORMS) * PER_FORM)
    pupils = []
    for f, form in enumerate(FORMS):
        for n in range(PER_FORM):
            girl = rng.random() < 0.5
            forename = rng.choice(names.GIRLS if girl else names.BOYS)
            pupils.append(
                DemoPupil(
                    make_upn(plan, 20 + f // 2, (f % 2) * PER_FORM + n),
                    forename,
                    rng.choice(names.SURNAMES),
                    "F" if girl else "M",
                    form[:-1],
                    form,
                )
            )
    return pupils


def _subject_at(slot: int, form_index: int) -> tuple[str, str, str, str, str]:
    # In each slot the ten forms have ten different subjects, so no teacher is booked twice.
    return SUBJECTS[(slot + form_index) % len(SUBJECTS)]


def timetable_files() -> dict[str, str]:
    """The demo timetable as import_timetable's three CSV files."""
    periods = ["name,session,start_time,end_time"] + [",".join(p) for p in PERIODS]
    classes = ["class_code,subject,teacher_username,day,period,week"]
    for d, day in enumerate(rules.WEEKDAYS):
        for p, period in enumerate(PERIODS):
            for f, form in enumerate(FORMS):
                code, subject, teacher, _, _ = _subject_at(d * len(PERIODS) + p, f)
                classes.append(f"{form}/{code},{subject},{teacher},{day},{period[0]},A")
    members = ["class_code,upn"]
    by_form: dict[str, list[str]] = {}
    for pupil in demo_pupils():
        by_form.setdefault(pupil.form, []).append(pupil.upn)
    for form in FORMS:
        for code, *_ in SUBJECTS:
            members += [f"{form}/{code},{upn}" for upn in by_form[form]]
    return {
        "periods.csv": "\n".join(periods) + "\n",
        "classes.csv": "\n".join(classes) + "\n",
        "members.csv": "\n".join(members) + "\n",
    }


def _logins(school: School, password_hash: str) -> dict[str, Membership]:
    found = {}
    people = [(u, r, f, la) for u, r, f, la in STAFF] + [
        (u, Membership.Role.TEACHER, f, la) for _, _, u, f, la in SUBJECTS
    ]
    for username, role, first, last in people:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            # The demo's password: the same hash as the primary's logins.
            user.password = password_hash
            user.save(update_fields=["password"])
        found[username], _ = Membership.objects.update_or_create(
            user=user, school=school, defaults={"role": role}
        )
    PastoralLead.objects.get_or_create(school=school, membership=found["ridge.pastoral"])
    return found


def seed_secondary(
    *, school: School, seed: str, today: dt.date, log: Callable[[str], None]
) -> None:
    """Build Oak Ridge Academy in the demo school's trust (once)."""
    secondary, _ = School.objects.get_or_create(
        urn=URN,
        defaults={
            "name": NAME,
            "phase": School.Phase.SECONDARY,
            "trust": school.trust,
            "la_name": school.la_name,
            "la_number": school.la_number,
            "establishment_number": "4003",
            "address": f"{NAME}\nRidge Road\nOakfield\nOK2 2RR",
            "phone": "01632 960003",
        },
    )
    if Pupil.objects.for_school(secondary).exists():
        return
    store_calendar(school=secondary, years=demo_years(today))
    teacher = User.objects.filter(username="teacher").first()
    staff = _logins(secondary, teacher.password if teacher else "!")
    forms = {name: Form.objects.create(school=secondary, name=name) for name in FORMS}
    start_year = academic_year_start(today)
    rng = random.Random(f"{seed}:{URN}")
    Pupil.objects.bulk_create(
        Pupil(
            school=secondary,
            upn=p.upn,
            forename=p.forename,
            surname=p.surname,
            gender=p.gender,
            year_group=p.year_group,
            form=forms[p.form],
            date_of_birth=dt.date(
                start_year - int(p.year_group) - 5, rng.randint(9, 12), rng.randint(1, 28)
            ),
            admission_date=dt.date(start_year - int(p.year_group) + 7, 9, 1),
            pupil_premium=rng.random() < 0.25,
            fsm=rng.random() < 0.2,
            sen=rng.choices("NKE", weights=(85, 12, 3))[0],
            eal=rng.random() < 0.15,
        )
        for p in demo_pupils()
    )
    files = timetable_files()
    import_timetable(
        school=secondary,
        **{k.removesuffix(".csv"): CsvFile(k, v.encode()) for k, v in files.items()},
    )
    _marks(secondary, staff, today, rng)
    log(
        f"{NAME}: {len(FORMS) * PER_FORM} pupils, {len(PERIODS)} periods a day; logins "
        f"{', '.join(LOGINS[:3])} and ridge.teacher (Maths)"
    )


def _marks(
    school: School, staff: dict[str, Membership], today: dt.date, rng: random.Random
) -> None:
    """A week of school days before today (statutory and lesson marks, alerts resolved) and this
    morning's registration. One pupil of 9R skips Science after registration: a pattern."""
    days = list(
        SchoolDay.objects.for_school(school)
        .filter(date__lt=today)
        .order_by("-date")
        .values_list("date", flat=True)[:5]
    )
    pupils = list(Pupil.objects.for_school(school).order_by("form__name", "surname"))
    skipper = next(p for p in pupils if p.form.name == "9R")
    officer = staff["ridge.officer"].user
    marks, lesson_marks, alerts = [], [], []
    lessons = list(Lesson.objects.for_school(school).select_related("period", "teaching_class"))
    members = {}
    for lesson in lessons:
        members.setdefault(
            lesson.teaching_class_id,
            [p for p in pupils if lesson.teaching_class.code.startswith(p.form.name + "/")],
        )
    registers = [
        Register(
            school=school,
            form=form,
            date=day,
            session=session,
            taken_by=officer,
            taken_at=_aware(day, dt.time(8, 53) if session == "AM" else dt.time(13, 18)),
            version=1,
        )
        for form in Form.objects.for_school(school)
        for day in days
        for session in ("AM", "PM")
    ]
    Register.objects.bulk_create(registers)
    for day in sorted(days):
        statutory = {}
        for pupil in pupils:
            for session in ("AM", "PM"):
                roll = rng.random()
                code = (
                    "I"
                    if roll < 0.04
                    else "O"
                    if roll < 0.05
                    else "L"
                    if roll < 0.07
                    else codes.present_code_for(session)
                )
                statutory[(pupil.pk, session)] = code
                marks.append(
                    Mark(
                        school=school,
                        pupil=pupil,
                        date=day,
                        session=session,
                        code_id=code,
                        minutes_late=rng.randint(3, 20) if code == "L" else None,
                        recorded_by=officer,
                    )
                )
        for lesson in (x for x in lessons if x.day == day.isoweekday()):
            register = LessonRegister.objects.create(
                school=school,
                lesson=lesson,
                date=day,
                session=lesson.period.session,
                taken_by=lesson.teacher.user,
                taken_at=_aware(day, lesson.period.start_time),
                version=1,
            )
            for pupil in members[lesson.teaching_class_id]:
                code = statutory[(pupil.pk, lesson.period.session)]
                if not rules.is_asked(code):
                    continue
                roll = rng.random()
                skipping = pupil == skipper and lesson.teaching_class.subject == "Science"
                kind = (
                    rules.Kind.ABSENT
                    if code in rules.CORRECTABLE or skipping or roll < 0.01
                    else rules.Kind.LATE
                    if roll < 0.04
                    else rules.Kind.OUT
                    if roll < 0.05
                    else rules.Kind.PRESENT
                )
                lesson_marks.append(
                    LessonMark(
                        school=school,
                        register=register,
                        pupil=pupil,
                        date=day,
                        session=register.session,
                        kind=kind,
                        minutes_late=rng.randint(2, 15) if kind == rules.Kind.LATE else None,
                        reason="At the medical room" if kind == rules.Kind.OUT else "",
                        recorded_by=lesson.teacher.user,
                    )
                )
                if rules.is_internal_truancy(code, kind):
                    alerts.append(
                        TruancyAlert(
                            school=school,
                            pupil=pupil,
                            register=register,
                            date=day,
                            session=register.session,
                            statutory_code=code,
                            status=TruancyAlert.Status.RESOLVED,
                            outcome=rng.choice([o.value for o in rules.Outcome]),
                            note="Demo history",
                        )
                    )
    if today.isoweekday() <= 5 and SchoolDay.objects.for_school(school).filter(date=today).exists():
        for n, pupil in enumerate(pupils):
            code = "N" if n % 60 == 7 else "I" if n % 80 == 3 else "/"
            marks.append(
                Mark(
                    school=school,
                    pupil=pupil,
                    date=today,
                    session="AM",
                    code_id=code,
                    recorded_by=officer,
                )
            )
        for form in Form.objects.for_school(school):
            Register.objects.create(
                school=school,
                form=form,
                date=today,
                session="AM",
                taken_by=officer,
                taken_at=_aware(today, dt.time(8, 53)),
                version=1,
            )
    Mark.objects.bulk_create(marks, batch_size=2000)
    # Set-based, past the services: the school's stored figures in one pass.
    refresh(school=school)
    LessonMark.objects.bulk_create(lesson_marks, batch_size=2000)
    TruancyAlert.objects.bulk_create(alerts)


def _aware(day: dt.date, at: dt.time) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, at))
