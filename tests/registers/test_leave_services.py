"""Leave of absence: recording, the head's decision, pre-filled registers, refused leave → G."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from registers import selectors
from registers.actors import Actor
from registers.models import Closure, LeaveRequest, Mark, MarkAmendment
from registers.services.calendar import rebuild_school_days
from registers.services.leave import (
    LeaveError,
    apply_refused_leave_taken,
    decide_request,
    is_compulsory_school_age,
    record_c2_review,
    record_request,
    withdraw_request,
)
from registers.services.marks import Entry, record_mark
from registers.services.planned import AbsenceError

TODAY = dt.date(2025, 9, 15)  # a Monday in Autumn 1
Kind, Status = LeaveRequest.Kind, LeaveRequest.Status


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(
        dt.datetime(2025, 9, 15, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


def request_leave(pupil, officer, kind=Kind.PERFORMANCE, start=None, end=None, **extra):
    return record_request(
        school=pupil.school,
        pupil=pupil,
        kind=kind,
        requested_by_name="Sam Carter",
        requested_by_relationship="mother",
        requested_on=dt.date(2025, 9, 1),
        start_date=start or dt.date(2025, 9, 17),
        end_date=end or dt.date(2025, 9, 19),
        reason="Performing in a West End show",
        actor=Actor.for_membership(officer),
        **extra,
    )


def marks_of(pupil) -> dict:
    return {(m.date, m.session): m.code_id for m in Mark.objects.filter(pupil=pupil)}


def test_a_request_is_recorded_as_requested_with_who_asked(pupil, officer):
    leave = request_leave(pupil, officer)
    assert (leave.status, leave.code, leave.requested_by_relationship) == (
        Status.REQUESTED,
        "C1",
        "mother",
    )
    assert leave.recorded_by == officer.user
    assert not Mark.objects.exists()


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (Kind.EXCEPTIONAL, "C"),
        (Kind.PERFORMANCE, "C1"),
        (Kind.INTERVIEW, "J1"),
        (Kind.STUDY, "S"),
        (Kind.PART_TIME, "C2"),
    ],
)
def test_each_kind_of_leave_maps_to_its_code(kind, code):
    assert LeaveRequest(kind=kind).code == code


def test_only_the_head_decides(pupil, officer, head):
    leave = request_leave(pupil, officer)
    with pytest.raises(LeaveError, match="Only the headteacher"):
        decide_request(leave=leave, membership=officer, grant=True, note="", today=TODAY)
    leave.refresh_from_db()
    assert leave.status == Status.REQUESTED and not Mark.objects.exists()


def test_granted_leave_prefills_the_right_code_in_future_open_sessions_only(pupil, officer, head):
    leave = request_leave(pupil, officer, start=dt.date(2025, 9, 11), end=dt.date(2025, 9, 17))
    decision = decide_request(leave=leave, membership=head, grant=True, note="", today=TODAY)
    leave.refresh_from_db()
    assert leave.status == Status.GRANTED and leave.decided_by_name
    marks = marks_of(pupil)
    # Thu 11 and Fri 12 are past; Mon 15 (today) to Wed 17 are pre-filled, AM and PM.
    assert sorted(marks) == [(dt.date(2025, 9, d), s) for d in (15, 16, 17) for s in ("AM", "PM")]
    assert set(marks.values()) == {"C1"}
    assert set(Mark.objects.values_list("source", flat=True)) == {Mark.Source.LEAVE}
    assert (decision.prefill.filled, decision.prefill.past) == (6, 4)


def test_prefill_skips_closures_and_respects_the_start_and_end_sessions(
    school, pupil, officer, head
):
    Closure.objects.create(school=school, date=dt.date(2025, 9, 17), session="AM", reason="INSET")
    Closure.objects.create(school=school, date=dt.date(2025, 9, 18), session="AM")
    Closure.objects.create(school=school, date=dt.date(2025, 9, 18), session="PM")
    rebuild_school_days(school=school)
    leave = request_leave(
        pupil,
        officer,
        start=dt.date(2025, 9, 16),
        end=dt.date(2025, 9, 19),
        start_session="PM",
        end_session="AM",
    )
    decide_request(leave=leave, membership=head, grant=True, note="", today=TODAY)
    assert sorted(marks_of(pupil)) == [
        (dt.date(2025, 9, 16), "PM"),
        (dt.date(2025, 9, 17), "PM"),
        (dt.date(2025, 9, 19), "AM"),
    ]


def test_a_part_time_timetable_prefills_only_its_sessions(pupil, officer, head):
    leave = request_leave(
        pupil,
        officer,
        kind=Kind.PART_TIME,
        sessions=LeaveRequest.Sessions.PM,
        review_date=dt.date(2025, 10, 1),
    )
    decide_request(leave=leave, membership=head, grant=True, note="", today=TODAY)
    assert marks_of(pupil) == {(dt.date(2025, 9, d), "PM"): "C2" for d in (17, 18, 19)}


def test_existing_marks_are_not_overwritten_but_reported(pupil, officer, head):
    actor = Actor.for_membership(officer)
    record_mark(
        pupil=pupil, day=dt.date(2025, 9, 17), session="AM", entry=Entry(pupil.pk, "I"), actor=actor
    )
    record_mark(
        pupil=pupil,
        day=dt.date(2025, 9, 18),
        session="AM",
        entry=Entry(pupil.pk, "C1"),
        actor=actor,
    )
    leave = request_leave(pupil, officer)
    decision = decide_request(leave=leave, membership=head, grant=True, note="", today=TODAY)
    prefill = decision.prefill
    assert (prefill.filled, prefill.unchanged) == (4, 1)
    assert [(c.day, c.session, c.code) for c in prefill.conflicts] == [
        (dt.date(2025, 9, 17), "AM", "I")
    ]
    assert "Wed 17 Sep AM (I)" in prefill.conflict_summary()
    assert marks_of(pupil)[(dt.date(2025, 9, 17), "AM")] == "I"
    assert not MarkAmendment.objects.exists()


def test_a_decided_request_cannot_be_decided_again(pupil, officer, head):
    leave = request_leave(pupil, officer)
    decide_request(leave=leave, membership=head, grant=False, note="", today=TODAY)
    with pytest.raises(LeaveError, match="already refused"):
        decide_request(leave=leave, membership=head, grant=True, note="", today=TODAY)
    assert not Mark.objects.exists()


def test_refused_leave_taken_becomes_g_with_the_reason_in_the_history(pupil, officer, head):
    leave = request_leave(pupil, officer, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 9))
    decide_request(leave=leave, membership=head, grant=False, note="Holiday", today=TODAY)
    leave.refresh_from_db()
    actor = Actor.for_membership(officer)
    for day, session, code in [
        (dt.date(2025, 9, 8), "AM", "N"),
        (dt.date(2025, 9, 8), "PM", "O"),
        (dt.date(2025, 9, 9), "AM", "I"),
    ]:
        record_mark(pupil=pupil, day=day, session=session, entry=Entry(pupil.pk, code), actor=actor)
    result = apply_refused_leave_taken(leave=leave, actor=actor, today=TODAY)
    assert (result.recoded, result.unmarked) == (2, 1)
    assert [c.code for c in result.left] == ["I"]
    marks = marks_of(pupil)
    assert marks[(dt.date(2025, 9, 8), "AM")] == marks[(dt.date(2025, 9, 8), "PM")] == "G"
    assert marks[(dt.date(2025, 9, 9), "AM")] == "I"
    reasons = set(MarkAmendment.objects.values_list("reason", flat=True))
    head_name = head.user.get_full_name()
    assert reasons == {
        f"Leave refused on 15 September 2025 by {head_name}; absence during refused leave coded G"
    }
    # Running it again changes nothing.
    again = apply_refused_leave_taken(leave=leave, actor=actor, today=TODAY)
    assert again.recoded == 0 and MarkAmendment.objects.count() == 2


def test_granted_or_future_leave_cannot_be_recoded_g(pupil, officer, head):
    granted = request_leave(pupil, officer)
    decide_request(leave=granted, membership=head, grant=True, note="", today=TODAY)
    granted.refresh_from_db()
    with pytest.raises(LeaveError, match="Only refused"):
        apply_refused_leave_taken(leave=granted, actor=Actor.for_membership(officer), today=TODAY)
    future = request_leave(pupil, officer, start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 2))
    decide_request(leave=future, membership=head, grant=False, note="", today=TODAY)
    future.refresh_from_db()
    with pytest.raises(LeaveError, match="not happened yet"):
        apply_refused_leave_taken(leave=future, actor=Actor.for_membership(officer), today=TODAY)


def test_a_part_time_timetable_needs_a_review_date(pupil, officer):
    with pytest.raises(LeaveError, match="review date"):
        request_leave(pupil, officer, kind=Kind.PART_TIME)
    assert not LeaveRequest.objects.exists()


def test_the_database_refuses_c2_without_review_date_and_reversed_dates(pupil, officer):
    base = dict(
        school=pupil.school,
        pupil=pupil,
        requested_by_name="x",
        requested_by_relationship="father",
        requested_on=TODAY,
        reason="r",
    )
    c2_rule = "registers_leaverequest_c2_needs_review_date"
    with pytest.raises(IntegrityError, match=c2_rule), transaction.atomic():
        LeaveRequest.objects.create(kind=Kind.PART_TIME, start_date=TODAY, end_date=TODAY, **base)
    order_rule = "registers_leaverequest_dates_ordered"
    with pytest.raises(IntegrityError, match=order_rule), transaction.atomic():
        LeaveRequest.objects.create(
            kind=Kind.STUDY,
            start_date=TODAY,
            end_date=TODAY,
            start_session="PM",
            end_session="AM",
            **base,
        )


def test_dates_must_be_ordered(pupil, officer):
    with pytest.raises(AbsenceError, match="end must not come before"):
        request_leave(pupil, officer, start=dt.date(2025, 9, 19), end=dt.date(2025, 9, 17))


def test_a_part_time_timetable_is_only_for_compulsory_school_age(pupil, officer):
    pupil.date_of_birth = dt.date(2021, 3, 1)  # four years old in September 2025
    pupil.save()
    with pytest.raises(LeaveError, match="compulsory school age"):
        request_leave(pupil, officer, kind=Kind.PART_TIME, review_date=dt.date(2025, 10, 1))


@pytest.mark.parametrize(
    ("dob", "day", "expected"),
    [
        (dt.date(2020, 9, 1), dt.date(2025, 9, 1), False),  # fifth birthday today
        (dt.date(2020, 9, 1), dt.date(2026, 1, 5), True),  # after 31 December
        (dt.date(2020, 8, 31), dt.date(2025, 8, 31), True),  # birthday on a prescribed day
        (dt.date(2010, 3, 10), dt.date(2026, 6, 26), True),  # last Friday in June, year 11
        (dt.date(2010, 3, 10), dt.date(2026, 6, 29), False),
        (dt.date(2010, 10, 10), dt.date(2026, 10, 12), True),  # turns 16 in 2026/27
    ],
)
def test_compulsory_school_age(dob, day, expected):
    assert is_compulsory_school_age(date_of_birth=dob, day=day) is expected


def test_c2_reviews_due_lists_running_timetables_by_review_date(pupils, officer, head):
    due = request_leave(
        pupils[0],
        officer,
        kind=Kind.PART_TIME,
        end=dt.date(2025, 10, 24),
        review_date=dt.date(2025, 9, 19),
    )
    later = request_leave(
        pupils[1],
        officer,
        kind=Kind.PART_TIME,
        end=dt.date(2025, 10, 24),
        review_date=dt.date(2025, 10, 10),
    )
    ended = request_leave(
        pupils[2],
        officer,
        kind=Kind.PART_TIME,
        start=dt.date(2025, 9, 3),
        end=dt.date(2025, 9, 5),
        review_date=dt.date(2025, 9, 5),
    )
    undecided = request_leave(
        pupils[3], officer, kind=Kind.PART_TIME, review_date=dt.date(2025, 9, 17)
    )
    for leave in (due, later, ended):
        decide_request(leave=leave, membership=head, grant=True, note="", today=TODAY)
    found = list(selectors.c2_reviews_due(school=pupils[0].school, today=TODAY))
    assert found == [due]
    assert undecided not in found
    record_c2_review(
        leave=LeaveRequest.objects.get(pk=due.pk),
        reviewed_on=TODAY,
        next_review_date=dt.date(2025, 10, 6),
        note="Going well",
    )
    assert not selectors.c2_reviews_due(school=pupils[0].school, today=TODAY).exists()


def test_only_an_undecided_request_can_be_withdrawn(pupil, officer, head):
    leave = request_leave(pupil, officer)
    assert withdraw_request(leave=leave).status == Status.WITHDRAWN
    decided = request_leave(pupil, officer)
    decide_request(leave=decided, membership=head, grant=False, note="", today=TODAY)
    with pytest.raises(LeaveError, match="withdrawn"):
        withdraw_request(leave=decided)


def test_a_pupil_of_another_school_is_refused(pupil, officer, other_school):
    with pytest.raises(LeaveError, match="not at this school"):
        record_request(
            school=other_school,
            pupil=pupil,
            kind=Kind.STUDY,
            requested_by_name="x",
            requested_by_relationship="y",
            requested_on=TODAY,
            start_date=TODAY,
            end_date=TODAY,
            reason="r",
            actor=Actor.for_membership(officer),
        )
