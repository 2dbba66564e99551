"""The test factories keep the database's rules, so no test builds data the portal never could.

The school fixture's calendar is Autumn 1 2025: Wednesday 3 September to Friday 24 October.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from escalation.models import Case, Letter
from registers.models import Closure, Mark
from registers.services.calendar import rebuild_school_days
from tests.escalation.factories import CaseFactory, LetterFactory, school_days
from tests.registers.factories import MarkFactory, PupilFactory

MONDAY = dt.date(2025, 9, 8)


def codes_of(pupil) -> list[tuple[dt.date, str, str]]:
    return list(Mark.objects.filter(pupil=pupil).values_list("date", "session", "code_id"))


def test_a_mark_is_the_pupils_schools(pupil):
    mark = MarkFactory(pupil=pupil, date=MONDAY, session="PM", code_id="N")
    assert (mark.school, mark.date, mark.session, mark.code_id) == (
        pupil.school,
        MONDAY,
        "PM",
        "N",
    )


def test_a_mark_for_another_school_is_refused(pupil, other_school):
    with pytest.raises(ValueError, match="must be their school's"):
        MarkFactory(pupil=pupil, school=other_school, date=MONDAY)
    assert not Mark.objects.exists()


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (dt.date(2025, 9, 6), "a Saturday"),
        (dt.date(2025, 10, 27), "half-term"),
        (dt.date(2025, 9, 2), "before the first day of term"),
    ],
)
def test_a_mark_on_a_day_that_is_not_a_school_day_is_refused(pupil, day, why):
    with pytest.raises(ValueError, match="not an open session"):
        MarkFactory(pupil=pupil, date=day)
    with pytest.raises(ValueError, match="not an open session"):
        MarkFactory.at(pupil, [(MONDAY, "AM"), (day, "PM")])
    assert not Mark.objects.exists(), why


def test_a_closed_session_takes_only_the_closure_code(school, pupil):
    Closure.objects.create(school=school, date=MONDAY, session="PM", reason="INSET")
    rebuild_school_days(school=school)
    with pytest.raises(ValueError, match="not an open session"):
        MarkFactory(pupil=pupil, date=MONDAY, session="PM", code_id="/")
    MarkFactory(pupil=pupil, date=MONDAY, session="PM", code_id="#")
    assert codes_of(pupil) == [(MONDAY, "PM", "#")]


def test_off_calendar_is_the_one_way_round_the_calendar(pupil):
    MarkFactory.off_calendar(pupil=pupil, date=dt.date(2025, 9, 6), session="AM", code_id="N")
    assert codes_of(pupil) == [(dt.date(2025, 9, 6), "AM", "N")]


def test_run_follows_the_open_sessions_in_register_order(school, pupil):
    Closure.objects.create(school=school, date=MONDAY, session="PM", reason="INSET")
    rebuild_school_days(school=school)
    MarkFactory.run(pupil, ["/", "N", "I"], start=MONDAY)
    assert codes_of(pupil) == [
        (MONDAY, "AM", "/"),  # Monday afternoon is closed: skipped
        (dt.date(2025, 9, 9), "AM", "N"),
        (dt.date(2025, 9, 9), "PM", "I"),
    ]


def test_run_refuses_more_codes_than_open_sessions(pupil):
    with pytest.raises(ValueError, match="Only 2 open sessions for 3 marks"):
        MarkFactory.run(pupil, "///", start=dt.date(2025, 10, 24))
    assert not Mark.objects.exists()


def test_days_marks_both_sessions_present_except_the_absences(school, pupil):
    week = school_days(school, MONDAY, dt.date(2025, 9, 10))
    MarkFactory.days(pupil, week, absent_sessions=3, code="I", absent_on={week[2]: "O"})
    assert codes_of(pupil) == [
        (MONDAY, "AM", "I"),
        (MONDAY, "PM", "I"),
        (week[1], "AM", "I"),
        (week[1], "PM", "\\"),
        (week[2], "AM", "O"),
        (week[2], "PM", "O"),
    ]


def test_marks_are_only_added_the_database_refuses_a_second_for_a_session(pupil):
    MarkFactory(pupil=pupil, date=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        MarkFactory(pupil=pupil, date=MONDAY, code_id="N")


def test_a_case_is_the_pupils_schools_and_open(school, pupil):
    case = CaseFactory(pupil=pupil, opened_on=MONDAY)
    assert (case.school, case.status, case.stage, case.reason) == (
        school,
        Case.Status.OPEN,
        Case.Stage.MONITORING,
        Case.Reason.BAND,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(pupil=pupil)  # one open case per pupil


def test_a_closed_case_has_its_closing_time(pupil):
    closed = CaseFactory(pupil=pupil, closed=True)
    assert closed.status == Case.Status.CLOSED and closed.closed_at is not None
    assert CaseFactory(pupil=pupil).is_open  # a new case once the last one closed


def test_a_letter_waits_to_be_generated(school):
    letter = LetterFactory(pupil=PupilFactory(school=school))
    assert (letter.school, letter.status, letter.kind) == (
        school,
        Letter.Status.PENDING,
        Letter.Kind.TERMLY,
    )
    assert not letter.file and letter.generated_at is None
    unsaved = LetterFactory.build(pupil=letter.pupil, kind=Letter.Kind.FIRST_CONCERN)
    assert unsaved.pk is None and unsaved.school == school
