"""Codes checked when entered (issue 15 §5): X, Z, late L and hand-entered C2 are refused by
the register, the office's amendment and import_marks, with a message saying what to do."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from registers import code_rules
from registers.actors import Actor
from registers.models import LeaveRequest, Mark
from registers.services.marks import Entry, MarkError, record_mark, save_register
from tests.registers.factories import PupilFactory

MONDAY = dt.date(2025, 9, 8)
FACTS = code_rules.MarkFacts(
    code="/",
    day=MONDAY,
    who="Ann",
    minutes_late=None,
    compulsory_school_age=True,
    on_roll=True,
    register_open_minutes=30,
    part_time_timetable=False,
)


@pytest.fixture
def actor(officer):
    return Actor.for_membership(officer)


# --- the pure rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"code": "X"}, "compulsory school age"),
        ({"code": "X", "compulsory_school_age": False}, None),
        ({"code": "Z"}, "on roll"),
        ({"code": "L", "minutes_late": 31}, "use U"),
        ({"code": "L", "minutes_late": 30}, None),  # at the closing minute: still L
        ({"code": "L"}, None),
        ({"code": "L", "minutes_late": 0}, "0 minutes late is not a late arrival"),
        ({"code": "L", "minutes_late": 1}, None),
        ({"code": "U", "minutes_late": 45}, None),
        ({"code": "C2"}, "part-time timetable"),
        ({"code": "C2", "part_time_timetable": True}, None),
        ({"code": "I"}, None),
    ],
)
def test_the_rules(changes, refused):
    from dataclasses import replace

    problem = code_rules.problem(replace(FACTS, **changes))
    assert (problem is None) if refused is None else (refused in problem)


# --- the register, the office, the import ---------------------------------------------------


def test_the_register_refuses_x_for_a_pupil_of_compulsory_school_age(form, pupils, actor):
    entries = [Entry(p.pk, "/") for p in pupils[1:]] + [Entry(pupils[0].pk, "X")]
    with pytest.raises(MarkError, match=r"X .* compulsory school age"):
        save_register(
            form=form, day=MONDAY, session="AM", entries=entries, actor=actor, expected_version=0
        )
    assert not Mark.objects.exists()


def test_the_register_accepts_x_for_a_reception_child_not_yet_of_that_age(form, school, actor):
    # Born 1 June 2021: of compulsory school age only from 31 August 2026.
    child = PupilFactory(school=school, form=form, date_of_birth=dt.date(2021, 6, 1))
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(child.pk, "X")],
        actor=actor,
        expected_version=0,
    )
    assert Mark.objects.get().code_id == "X"


def test_the_register_refuses_z_and_late_l(form, pupils, actor):
    entries = [Entry(pupils[0].pk, "Z"), Entry(pupils[1].pk, "L", minutes_late=40)]
    with pytest.raises(MarkError) as exc:
        save_register(
            form=form, day=MONDAY, session="AM", entries=entries, actor=actor, expected_version=0
        )
    assert "Z (prospective pupil" in str(exc.value)
    assert "40 minutes late" in str(exc.value) and "use U" in str(exc.value)
    assert not Mark.objects.exists()


def test_an_amendment_to_c2_outside_a_part_time_timetable_is_refused(pupil, actor, head):
    record_mark(pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "N"), actor=actor)
    with pytest.raises(MarkError, match=r"C2 .*granted part-time timetable"):
        record_mark(
            pupil=pupil,
            day=MONDAY,
            session="AM",
            entry=Entry(pupil.pk, "C2"),
            actor=actor,
            reason="part-time",
        )
    assert Mark.objects.get().code_id == "N"
    LeaveRequest.objects.create(
        school=pupil.school,
        pupil=pupil,
        kind=LeaveRequest.Kind.PART_TIME,
        status=LeaveRequest.Status.GRANTED,
        requested_by_name="Mum",
        requested_by_relationship="mother",
        requested_on=MONDAY,
        start_date=MONDAY,
        end_date=MONDAY + dt.timedelta(days=14),
        review_date=MONDAY + dt.timedelta(days=7),
        reason="phased return",
        decided_at=timezone.now(),
        decided_by_name="Head",
    )
    record_mark(
        pupil=pupil,
        day=MONDAY,
        session="AM",
        entry=Entry(pupil.pk, "C2"),
        actor=actor,
        reason="part-time timetable granted",
    )
    assert Mark.objects.get().code_id == "C2"


def test_import_marks_refuses_each_wrong_code_with_its_row(school, pupils, tmp_path):
    a, b, c, d, e = (p.upn for p in pupils)
    path = tmp_path / "marks.csv"
    path.write_text(
        "upn,date,session,code,minutes_late,comment\n"
        f"{a},2025-09-08,AM,/,,\n"
        f"{b},2025-09-08,AM,X,,\n"
        f"{c},2025-09-08,AM,Z,,\n"
        f"{d},2025-09-08,AM,L,45,\n"
        f"{e},2025-09-08,AM,C2,,\n"
        f"{e},2025-09-08,PM,L,10,\n"
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_marks", "--school", school.urn, str(path), stdout=StringIO())
    message = str(exc.value)
    assert "row 2" in message and f"pupil {b}" in message and "compulsory school age" in message
    assert "row 3" in message and "Z (prospective pupil" in message
    assert "row 4" in message and "use U" in message
    assert "row 5" in message and "C2" in message
    assert "row 6" not in message and "row 1:" not in message
    assert not Mark.objects.exists()


def test_l_with_0_minutes_is_refused_by_the_register_and_the_office(form, pupils, actor):
    entries = [Entry(p.pk, "/") for p in pupils[1:]] + [Entry(pupils[0].pk, "L", minutes_late=0)]
    with pytest.raises(MarkError, match="L with 0 minutes late is not a late arrival"):
        save_register(
            form=form, day=MONDAY, session="AM", entries=entries, actor=actor, expected_version=0
        )
    with pytest.raises(MarkError, match="L with 0 minutes late"):
        record_mark(
            pupil=pupils[0],
            day=MONDAY,
            session="AM",
            entry=Entry(pupils[0].pk, "L", minutes_late=0),
            actor=actor,
        )
    assert not Mark.objects.exists()


def test_import_marks_refuses_l_with_0_minutes_and_the_wrong_sessions_present_mark(
    school, pupils, tmp_path
):
    a, b, c, d, _ = (p.upn for p in pupils)
    path = tmp_path / "marks.csv"
    path.write_text(
        "upn,date,session,code,minutes_late,comment\n"
        f"{a},2025-09-08,AM,/,,\n"
        f"{b},2025-09-08,AM,L,0,\n"
        f"{c},2025-09-08,PM,/,,\n"
        f"{d},2025-09-08,AM,\\,,\n"
        f"{d},2025-09-08,PM,\\,,\n"
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_marks", "--school", school.urn, str(path), stdout=StringIO())
    message = str(exc.value)
    assert "row 2: L with 0 minutes late is not a late arrival" in message
    assert "row 3: session PM: / is the morning's present mark" in message
    assert "row 4: session AM: \\ is the afternoon's present mark" in message
    assert "row 1:" not in message and "row 5" not in message
    assert not Mark.objects.exists()
