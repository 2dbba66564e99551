"""manage.py seed_demo: a believable demo trust, built once, the same for the same seed."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import F

from registers import codes
from registers.actors import Actor
from registers.demo.calendar import closures, demo_years, half_terms
from registers.demo.marks import Day, plan_holiday
from registers.demo.people import RollPlan, build_roll, upn_check_letter
from registers.models import (
    Closure,
    Contact,
    Form,
    HalfTerm,
    Mark,
    Membership,
    Pupil,
    Register,
    School,
    SchoolDay,
)
from registers.services.marks import Entry, record_mark

# Monday 23 November 2026, mid-morning: this afternoon's registers are not due yet.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()
DEMO_PW = "demo-pw-for-tests"  # passes Django's password validators
ABSENT = codes.AUTHORISED_CODES | codes.UNAUTHORISED_CODES


def seed(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", "--password", DEMO_PW, *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [School, HalfTerm, Closure, SchoolDay, Form, Pupil, Contact, Mark, Register]
    return {m.__name__: m.objects.count() for m in [*models, Membership]}


@pytest.fixture
def demo(db):
    return seed("--pupils", "60", "--seed", "7")


def test_the_2026_27_half_terms_follow_the_usual_english_pattern():
    terms = [(t.name, t.start, t.end) for t in half_terms(2026)]
    assert terms == [
        ("Autumn 1", dt.date(2026, 9, 2), dt.date(2026, 10, 23)),
        ("Autumn 2", dt.date(2026, 11, 2), dt.date(2026, 12, 18)),
        ("Spring 1", dt.date(2027, 1, 5), dt.date(2027, 2, 12)),
        ("Spring 2", dt.date(2027, 2, 22), dt.date(2027, 3, 26)),
        ("Summer 1", dt.date(2027, 4, 12), dt.date(2027, 5, 21)),
        ("Summer 2", dt.date(2027, 6, 1), dt.date(2027, 7, 21)),
    ]
    reasons = {(c.date, c.session): c.reason for c in closures(half_terms(2026))}
    assert reasons[(dt.date(2026, 9, 2), "AM")] == "INSET day"
    assert reasons[(dt.date(2026, 12, 18), "PM")] == "Early finish for Christmas"
    assert (dt.date(2026, 12, 18), "AM") not in reasons
    assert demo_years(TODAY) == [2025, 2026]
    assert demo_years(dt.date(2027, 8, 20)) == [2026, 2027]


def test_upns_are_valid_unique_and_carry_the_dfe_check_letter():
    roll = build_roll(
        plan=RollPlan(urn="100001", pupils=200),
        current_year=2026,
        school_days=[TODAY - dt.timedelta(days=n) for n in range(400, 0, -1)],
        rng=random.Random(1),
    )
    upns = [p.upn for p in roll]
    assert len(set(upns)) == len(upns)
    assert all(re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", u) for u in upns)
    assert all(u[0] == upn_check_letter(u[1:]) for u in upns)


def test_a_1500_pupil_secondary_gets_1500_different_upns():
    """The serial used to wrap at 1,000 onto the next admission year's pupils (issue 22):
    seed_demo --pupils 950 and more failed on registers_pupil_upn_unique."""
    roll = build_roll(
        plan=RollPlan(urn="100001", pupils=1500),
        current_year=2026,
        school_days=[TODAY - dt.timedelta(days=n) for n in range(400, 0, -1)],
        rng=random.Random(1),
    )
    upns = [p.upn for p in roll]
    assert len(roll) >= 1500 and len(set(upns)) == len(upns)
    assert all(u[0] == upn_check_letter(u[1:]) for u in upns)


def test_a_year_whose_serials_run_out_spills_into_the_year_before():
    from registers.demo.people import allocate_upns

    upns = allocate_upns(RollPlan(urn="100001", pupils=0), [2025] * 1001 + [2024] * 1000)
    assert len(set(upns)) == 2001
    assert upns[1000][8:10] == "24" and upns[-1][8:10] == "23"


@pytest.mark.slow  # seeds 1,000 pupils: not in make test-fast
def test_seed_demo_builds_a_1000_pupil_school(db):
    seed("--pupils", "1000", "--seed", "5")
    assert Pupil.objects.filter(school__urn="100001").count() >= 1000


def test_a_family_holiday_is_a_block_of_school_days_next_to_a_break():
    days = [
        Day(d, ("AM", "PM"), term)
        for term, t in enumerate(half_terms(2025))
        for d in (t.start + dt.timedelta(n) for n in range((t.end - t.start).days + 1))
        if d.weekday() < 5
    ]
    by_term = {}
    for day in days:
        by_term.setdefault(day.term, []).append(day.date)
    for n in range(200):
        holiday = sorted(plan_holiday(random.Random(n), days))
        if not holiday:
            continue
        assert 5 <= len(holiday) <= 10
        term_days = next(ds for ds in by_term.values() if holiday[0] in ds)
        assert holiday in (term_days[: len(holiday)], term_days[-len(holiday) :])


@pytest.mark.slow  # builds the whole demo trust: not in make test-fast
def test_it_builds_the_trust_calendar_logins_and_marks_on_open_sessions(demo):
    oakfield = School.objects.get(urn="100001")
    beech = School.objects.get(urn="100002")
    assert oakfield.name == "Oakfield Primary School"
    assert oakfield.trust == beech.trust
    assert oakfield.trust.name == "Oak Learning Trust"
    years = sorted(oakfield.years.values_list("start_year", flat=True))
    assert years == [2025, 2026]
    assert HalfTerm.objects.for_school(oakfield).count() == 12
    assert not SchoolDay.objects.for_school(oakfield).filter(date=dt.date(2026, 9, 2)).exists()
    assert Pupil.objects.for_school(oakfield).on_roll(TODAY).count() >= 55
    for username, role in [
        ("officer", "officer"),
        ("teacher", "teacher"),
        ("head", "head"),
        ("governor", "governor"),
        ("trust", "trust"),
        ("la", "la"),
    ]:
        user = authenticate(username=username, password=DEMO_PW)
        assert user is not None, username
        assert user.first_name and user.last_name
        assert user.groups.filter(name=role).exists()
        assert Membership.objects.get(user=user).role == role
    teacher = Membership.objects.get(user__username="teacher")
    assert [f.name for f in teacher.forms.all()] == ["3A"]
    assert Membership.objects.get(user__username="trust").trust == oakfield.trust
    # The local authority's login follows both schools (LA 999), whatever their trust.
    assert Membership.objects.get(user__username="la").la_number == oakfield.la_number == "999"
    assert "teacher" in demo and "3A" in demo

    # Marks fall on open sessions, up to this morning, of pupils on roll that day.
    open_sessions = set()
    for day in SchoolDay.objects.all():
        open_sessions |= {(day.school_id, day.date, s) for s in ("AM", "PM") if day.is_open(s)}
    marks = set(Mark.objects.values_list("school_id", "date", "session"))
    assert marks <= open_sessions
    assert not Mark.objects.filter(date__gt=TODAY).exists()
    assert not Mark.objects.filter(date=TODAY, session="PM").exists()
    assert not Mark.objects.filter(date__lt=F("pupil__admission_date")).exists()
    assert not Mark.objects.filter(date__gt=F("pupil__leaving_date")).exists()
    assert not Mark.objects.exclude(school_id=F("pupil__school_id")).exists()
    # Two of this morning's registers are left for the missing-registers page.
    oakfield = School.objects.get(urn="100001")
    today_am = Register.objects.for_school(oakfield).filter(date=TODAY, session="AM")
    assert "3A" not in set(today_am.values_list("form__name", flat=True))
    assert today_am.count() == Form.objects.for_school(oakfield).count() - 2
    taken = Register.objects.filter(date=dt.date(2026, 11, 20), session="AM").first()
    assert taken.taken_by is not None
    assert dt.time(8, 50) < taken.taken_at.astimezone(NOW.tzinfo).time() < dt.time(9, 0)


@pytest.mark.slow  # builds the whole demo trust: not in make test-fast
def test_attendance_looks_like_a_real_primary_school(demo):
    oakfield = School.objects.get(urn="100001")
    marks = list(Mark.objects.for_school(oakfield).values_list("pupil_id", "code_id"))
    possible = [m for m in marks if m[1] in codes.POSSIBLE_CODES]
    absent = [m for m in possible if m[1] in ABSENT]
    attendance = 100 * (1 - len(absent) / len(possible))
    assert 92 <= attendance <= 97

    pp = set(Pupil.objects.for_school(oakfield).filter(pupil_premium=True).values_list("pk"))
    pp = {pk for (pk,) in pp}

    def rate(group: bool) -> float:
        sessions = [m for m in possible if (m[0] in pp) == group]
        return sum(1 for m in sessions if m[1] in ABSENT) / len(sessions)

    assert rate(True) > rate(False)
    per_pupil: dict[int, list[int]] = {}
    for pupil_id, code in possible:
        counts = per_pupil.setdefault(pupil_id, [0, 0])
        counts[0] += 1
        counts[1] += code in ABSENT
    assert any(absent * 10 >= total for total, absent in per_pupil.values())
    lates = Mark.objects.for_school(oakfield).filter(code_id="L")
    assert lates.exists()
    assert not lates.filter(minutes_late__isnull=True).exists()
    assert lates.filter(minutes_late__gte=5, minutes_late__lte=25).count() == lates.count()
    found = set(Mark.objects.for_school(oakfield).values_list("code_id", flat=True))
    assert {"I", "M", "O", "L", "V"} <= found
    assert Mark.objects.filter(date=TODAY, code_id="N").exists() or "N" in found


@pytest.mark.slow  # builds the whole demo trust: not in make test-fast
def test_running_it_again_changes_nothing_but_the_password(demo):
    before = row_counts()
    out = seed("--pupils", "60", "--seed", "7", "--password", "new-demo-pw-2026")
    assert "demo school already seeded" in out
    assert row_counts() == before
    assert authenticate(username="officer", password="new-demo-pw-2026") is not None


@pytest.mark.slow  # builds the whole demo trust: not in make test-fast
def test_the_same_seed_gives_the_same_school_and_reset_rebuilds_it(db):
    def snapshot():
        pupils = list(
            Pupil.objects.order_by("school__urn", "upn").values_list(
                "upn", "forename", "surname", "date_of_birth", "pupil_premium", "sen"
            )
        )
        marks = list(
            Mark.objects.order_by("pupil__upn", "date", "session").values_list(
                "pupil__upn", "date", "session", "code_id", "minutes_late"
            )
        )
        return pupils, marks

    seed("--pupils", "14", "--seed", "3")
    first = snapshot()
    counts = row_counts()
    seed("--pupils", "14", "--seed", "3", "--reset")
    assert snapshot() == first
    assert row_counts() == counts
    seed("--pupils", "14", "--seed", "4", "--reset")
    assert snapshot() != first


@pytest.mark.slow  # builds the whole demo trust: not in make test-fast
def test_reset_is_refused_once_a_mark_has_been_amended(db):
    seed("--pupils", "14", "--seed", "1")
    officer = Membership.objects.get(user__username="officer")
    mark = Mark.objects.filter(code_id="/").first()
    with time_machine.travel(NOW, tick=False):
        record_mark(
            pupil=mark.pupil,
            day=mark.date,
            session=mark.session,
            entry=Entry(mark.pupil_id, "M"),
            actor=Actor.for_membership(officer),
            reason="Dentist letter received",
        )
    with pytest.raises(CommandError, match="amendment"):
        seed("--pupils", "14", "--reset")
    assert Pupil.objects.exists()
