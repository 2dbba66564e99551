"""The school of the end-to-end journeys: the demo trust, built once for the package.

The working day is one story told by four users: the teacher's register feeds the
officer's calling list; the officer's calls, case and letters are what the head and the
governors read about. So the school is seeded once (`seed_demo`, a few seconds for 42 pupils)
and a live server runs against it for the whole package. pytest-django's `live_server`
would flush the database after every test and make each test seed it again.

The live server's "today" is the real date and cannot be moved (the browser's session
would expire), so the demo is seeded around the last school day on or before today; on a
weekend or in a holiday that is an earlier day, and the journeys navigate to it.

At the end the database is flushed and the reference data loaded again, as the root
conftest does after a transactional test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test.utils import modify_settings, override_settings
from django.utils import timezone

from registers import figures, rates
from registers.actors import Actor
from registers.demo import seed_demo
from registers.demo.calendar import closures, half_terms
from registers.models import AttendanceCode, Form, Mark, Membership, Pupil
from registers.models.calendar import academic_year_start
from registers.services.marks import Entry, save_register
from tests.browser import sessions_begun_just_now

PASSWORD = "e2e-working-day"
# Enough for every group on the dashboard; the termly batch writes a letter for each one.
PUPILS = 42
SEED = 2026
TEACHER_FORM = "3A"
LONDON = ZoneInfo("Europe/London")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class SchoolDay:
    """What the journeys need to know about the seeded school."""

    url: str  # the live server
    urn: str
    day: dt.date  # the school day of the journeys
    is_today: bool
    register_taker: str  # the teacher; the office completes a past day's register
    form: Form  # the teacher's form, whose morning register is left to take
    absentees: tuple[Pupil, ...]  # given N this morning by another form's teacher
    case_pupil: Pupil  # below 90% this year, with an unauthorised absence and a contact
    amend_day: dt.date  # a morning of that pupil's unauthorised absence
    amend_code: str  # its mark

    def school_url(self, path: str = "") -> str:
        return f"{self.url}/s/{self.urn}/{path}"


def last_school_day(today: dt.date) -> dt.date:
    """The demo calendar's last day with a morning session on or before today."""
    day = today
    while True:
        terms = half_terms(academic_year_start(day))
        closed = {c.date for c in closures(terms) if c.session == "AM"}
        in_term = any(t.start <= day <= t.end for t in terms)
        if day.weekday() < 5 and in_term and day not in closed:
            return day
        day -= dt.timedelta(days=1)


def _seed(day: dt.date, today: dt.date) -> None:
    now = timezone.now() if day == today else dt.datetime.combine(day, dt.time(10), LONDON)
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        seed_demo(pupils=PUPILS, seed=SEED, password=PASSWORD, now=now)


def _take_other_morning_registers(school, day: dt.date) -> tuple[Pupil, ...]:
    """The demo leaves two morning registers open: the teacher's form's, and one more.
    That one's class teacher takes it now, with two pupils not in and no reason yet, so
    the calling list has people to call whichever journeys run."""
    absentees: list[Pupil] = []
    marked = set(
        Mark.objects.for_school(school)
        .filter(date=day, session="AM")
        .values_list("pupil__form_id", flat=True)
    )
    for form in Form.objects.for_school(school).exclude(name=TEACHER_FORM).order_by("name"):
        if form.pk in marked:
            continue
        pupils = list(Pupil.objects.for_school(school).filter(form=form).order_by("surname"))
        pupils = [p for p in pupils if p.on_roll(day)]
        if not pupils:
            continue
        teacher = Membership.objects.filter(school=school, forms=form).first()
        out = pupils[1:3] if not absentees else []
        entries = [Entry(p.pk, "N" if p in out else "/") for p in pupils]
        save_register(
            form=form,
            day=day,
            session="AM",
            entries=entries,
            actor=Actor.for_membership(teacher),
            expected_version=0,
        )
        absentees += out
    return tuple(absentees)


def _case_pupil(school, day: dt.date) -> tuple[Pupil, dt.date, str]:
    """The officer's next case: the lowest attendance this year among pupils below 90%
    with a contact, no case yet, and a morning this year marked O, G or N (which the
    officer corrects from the pupil's page); with that morning and its code."""
    start, end = figures.year_to_date(day)
    counts = figures.counts_by_pupil(school=school, start=start, end=end)
    below = {
        pk: pct
        for pk, c in counts.items()
        if (pct := rates.attendance_pct(c)) is not None and pct < 90 and c.possible >= 20
    }
    unauthorised = (
        Mark.objects.for_school(school)
        .filter(pupil_id__in=below, code_id__in=["O", "G", "N"], session="AM")
        .filter(date__gte=start, date__lt=day)
        .order_by("-date")
        .values_list("pupil_id", "date", "code_id")
    )
    latest: dict[int, tuple[dt.date, str]] = {}
    for pk, date, code in unauthorised:
        latest.setdefault(pk, (date, code))
    candidates = (
        Pupil.objects.for_school(school)
        .filter(pk__in=latest, contacts__isnull=False, cases__isnull=True)
        .exclude(form__name=TEACHER_FORM)
        .distinct()
    )
    pupil = min(candidates, key=lambda p: (below[p.pk], p.pk))
    return pupil, *latest[pupil.pk]


def _load_reference_data() -> None:
    from django.contrib.auth.models import Group, Permission

    from registers.models import AttendanceCode
    from registers.reference_data import load_codes, load_role_groups

    load_codes(AttendanceCode)
    load_role_groups(Group, Permission)


def _flush() -> None:
    call_command("flush", interactive=False, verbosity=0)
    _load_reference_data()


@pytest.fixture(scope="package")
def school_day(django_db_setup, django_db_blocker):
    from pytest_django.live_server_helper import LiveServer

    from registers.models import School

    with django_db_blocker.unblock():
        if Pupil.objects.exists():  # a run that was interrupted before its teardown
            _flush()
        elif not AttendanceCode.objects.exists():  # a transactional test's flush
            _load_reference_data()
        today = timezone.localdate()
        day = last_school_day(today)
        _seed(day, today)
        school = School.objects.get(urn="100001")
        if day == today:
            sessions_begun_just_now(school)  # the teacher takes today's register at any hour
        absentees = _take_other_morning_registers(school, day)
        case_pupil, amend_day, amend_code = _case_pupil(school, day)
        server = LiveServer("localhost")
        try:
            with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
                yield SchoolDay(
                    url=server.url,
                    urn=school.urn,
                    day=day,
                    is_today=day == today,
                    register_taker="teacher" if day == today else "officer",
                    form=Form.objects.for_school(school).get(name=TEACHER_FORM),
                    absentees=absentees,
                    case_pupil=case_pupil,
                    amend_day=amend_day,
                    amend_code=amend_code,
                )
        finally:
            server.stop()
            _flush()


@pytest.fixture
def sign_in(page, school_day):
    """sign_in(username) through the real login form, with the demo's password."""

    def _sign_in(username: str):
        page.goto(f"{school_day.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        return page

    return _sign_in
