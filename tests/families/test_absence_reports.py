"""Parents report absences; the office accepts them (the code recorded through the audited
mark services) or declines them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from registers.actors import Actor
from registers.families.models import AbsenceReport
from registers.families.services.absence import (
    ReportError,
    accept_absence_report,
    decline_absence_report,
    report_absence,
    request_leave,
)
from registers.models import LeaveRequest, Mark, MarkAmendment
from registers.services.marks import Entry, record_mark
from tests.registers.factories import ContactFactory

MONDAY = dt.date(2025, 9, 15)
FRIDAY = dt.date(2025, 9, 12)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(
        dt.datetime(2025, 9, 15, 7, 50, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


@pytest.fixture
def mother(pupil):
    return ContactFactory(pupil=pupil, name="Mary Lovelace")


def report(mother, pupil, *, start=MONDAY, end=MONDAY, reason="illness", details="", today=MONDAY):
    return report_absence(
        contact=mother,
        pupil=pupil,
        start_date=start,
        end_date=end,
        reason=reason,
        details=details,
        today=today,
    )


def test_an_accepted_illness_fills_todays_and_tomorrows_sessions_with_i(mother, pupil, officer):
    sent = report(mother, pupil, end=MONDAY + dt.timedelta(days=1), details="a temperature")
    assert sent.status == AbsenceReport.Status.REPORTED
    assert not Mark.objects.filter(pupil=pupil).exists()  # nothing until the office accepts

    accepted = accept_absence_report(report=sent, actor=Actor.for_membership(officer), today=MONDAY)

    marks = Mark.objects.filter(pupil=pupil).order_by("date", "session")
    assert [(m.date, m.session, m.code_id) for m in marks] == [
        (MONDAY, "AM", "I"),
        (MONDAY, "PM", "I"),
        (MONDAY + dt.timedelta(days=1), "AM", "I"),
        (MONDAY + dt.timedelta(days=1), "PM", "I"),
    ]
    assert all(m.recorded_by == officer.user and m.source == Mark.Source.PLANNED for m in marks)
    assert "Mary Lovelace" in marks[0].comment and "a temperature" in marks[0].comment
    sent.refresh_from_db()
    assert (sent.status, sent.code, sent.decided_by) == ("accepted", "I", officer.user)
    assert accepted.recorded == 4 and not accepted.conflicts


def test_accepting_amends_an_n_with_an_audited_reason_and_leaves_a_present_mark(
    mother, pupil, officer, teacher
):
    sent = report(mother, pupil)
    record_mark(
        pupil=pupil,
        day=MONDAY,
        session="AM",
        entry=Entry(pupil.pk, "N"),
        actor=Actor.for_membership(teacher),
    )
    record_mark(
        pupil=pupil,
        day=MONDAY,
        session="PM",
        entry=Entry(pupil.pk, "\\"),
        actor=Actor.for_membership(teacher),
    )

    result = accept_absence_report(report=sent, actor=Actor.for_membership(officer), today=MONDAY)

    am = Mark.objects.get(pupil=pupil, date=MONDAY, session="AM")
    assert am.code_id == "I"
    amendment = MarkAmendment.objects.get(mark=am)
    assert (amendment.old_code, amendment.new_code) == ("N", "I")
    assert "Mary Lovelace" in amendment.reason and officer.user.get_full_name() in amendment.reason
    assert Mark.objects.get(pupil=pupil, date=MONDAY, session="PM").code_id == "\\"
    assert [(c.session, c.code) for c in result.conflicts] == [("PM", "\\")]


def test_a_report_accepted_a_day_late_settles_the_past_sessions(mother, pupil, officer, teacher):
    sent = report(mother, pupil, start=FRIDAY, end=FRIDAY, today=FRIDAY)
    record_mark(
        pupil=pupil,
        day=FRIDAY,
        session="AM",
        entry=Entry(pupil.pk, "N"),
        actor=Actor.for_membership(teacher),
    )
    accept_absence_report(report=sent, actor=Actor.for_membership(officer), today=MONDAY)
    assert dict(
        Mark.objects.filter(pupil=pupil, date=FRIDAY).values_list("session", "code_id")
    ) == {"AM": "I", "PM": "I"}


def test_another_reason_needs_the_officer_to_choose_the_code(mother, pupil, officer):
    sent = report(mother, pupil, reason="family", details="funeral")
    with pytest.raises(ReportError, match="Choose the code"):
        accept_absence_report(report=sent, actor=Actor.for_membership(officer), today=MONDAY)
    with pytest.raises(ReportError, match="one of"):
        accept_absence_report(
            report=sent, actor=Actor.for_membership(officer), today=MONDAY, code="G"
        )
    accept_absence_report(report=sent, actor=Actor.for_membership(officer), today=MONDAY, code="C")
    assert set(Mark.objects.filter(pupil=pupil).values_list("code_id", flat=True)) == {"C"}


def test_a_decided_report_cannot_be_decided_again(mother, pupil, officer):
    sent = report(mother, pupil)
    decline_absence_report(report=sent, actor=Actor.for_membership(officer), note="Seen in town")
    with pytest.raises(ReportError, match="already declined"):
        accept_absence_report(report=sent, actor=Actor.for_membership(officer), today=MONDAY)
    assert not Mark.objects.filter(pupil=pupil).exists()


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"start": FRIDAY, "end": FRIDAY}, "today or a day ahead"),
        ({"end": FRIDAY}, "end must not come before"),
        ({"reason": "holiday"}, "reason from the list"),
        ({"reason": "other"}, "Say a little"),
        ({"end": MONDAY + dt.timedelta(days=20)}, "at most 14 days"),
    ],
)
def test_a_report_that_makes_no_sense_is_refused(mother, pupil, change, refusal):
    with pytest.raises(ReportError, match=refusal):
        report(mother, pupil, **change)
    assert not AbsenceReport.objects.exists()


def test_only_a_contact_with_parental_responsibility_for_that_pupil_may_report(pupils):
    ours, theirs = pupils[0], pupils[1]
    stranger = ContactFactory(pupil=theirs)
    with pytest.raises(ReportError, match="not a contact"):
        report(stranger, ours)
    childminder = ContactFactory(pupil=ours, priority=2, parental_responsibility=False)
    with pytest.raises(ReportError, match="parental responsibility"):
        report(childminder, ours)


def test_a_parents_leave_request_joins_the_headteachers_queue(mother, pupil):
    leave = request_leave(
        contact=mother,
        pupil=pupil,
        kind=LeaveRequest.Kind.EXCEPTIONAL,
        start_date=MONDAY + dt.timedelta(days=7),
        end_date=MONDAY + dt.timedelta(days=8),
        reason="A family wedding abroad",
        today=MONDAY,
    )
    assert leave.status == LeaveRequest.Status.REQUESTED
    assert (leave.requested_by_name, leave.recorded_by) == ("Mary Lovelace", None)
    with pytest.raises(ReportError, match="in advance"):
        request_leave(
            contact=mother,
            pupil=pupil,
            kind=LeaveRequest.Kind.EXCEPTIONAL,
            start_date=MONDAY,
            end_date=MONDAY,
            reason="x",
            today=MONDAY,
        )
