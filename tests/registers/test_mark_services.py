from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from registers.actors import Actor
from registers.models import Closure, Mark, MarkAmendment
from registers.services.calendar import rebuild_school_days
from registers.services.marks import (
    Entry,
    MarkError,
    StaleRegister,
    record_mark,
    save_register,
)

MONDAY = dt.date(2025, 9, 8)


@pytest.fixture
def actor(officer):
    return Actor.for_membership(officer)


def test_a_first_mark_is_recorded_without_history(pupil, actor):
    mark = record_mark(
        pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "/"), actor=actor
    )
    assert mark.code_id == "/"
    assert MarkAmendment.objects.count() == 0


def test_changing_a_mark_keeps_original_new_reason_who_and_when(pupil, actor, officer):
    record_mark(pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "N"), actor=actor)
    record_mark(
        pupil=pupil,
        day=MONDAY,
        session="AM",
        entry=Entry(pupil.pk, "I"),
        actor=actor,
        reason="Mum phoned: flu",
    )
    history = MarkAmendment.objects.get()
    assert (history.old_code, history.new_code, history.reason) == ("N", "I", "Mum phoned: flu")
    assert history.changed_by == officer.user
    assert history.changed_by_role == "Attendance officer"
    assert Mark.objects.get().code_id == "I"


def test_a_change_without_a_reason_is_refused_and_nothing_changes(pupil, actor):
    record_mark(pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "N"), actor=actor)
    with pytest.raises(MarkError, match="reason"):
        record_mark(pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "I"), actor=actor)
    assert Mark.objects.get().code_id == "N"


@pytest.mark.parametrize(
    ("day", "session", "code", "message"),
    [
        (dt.date(2025, 9, 6), "AM", "/", "not a school day"),  # Saturday
        (dt.date(2025, 11, 3), "AM", "/", "not a school day"),  # outside any half-term
        (MONDAY, "XX", "/", "AM or PM"),
        (MONDAY, "AM", "H", "not an attendance code"),
    ],
)
def test_it_refuses_marks_that_cannot_exist(pupil, actor, day, session, code, message):
    with pytest.raises(MarkError, match=message):
        record_mark(pupil=pupil, day=day, session=session, entry=Entry(pupil.pk, code), actor=actor)


def test_it_refuses_a_closed_session_and_a_pupil_not_on_roll(school, pupil, actor):
    Closure.objects.create(school=school, date=MONDAY, session="PM", reason="INSET")
    rebuild_school_days(school=school)
    with pytest.raises(MarkError, match="closed"):
        record_mark(pupil=pupil, day=MONDAY, session="PM", entry=Entry(pupil.pk, "\\"), actor=actor)
    pupil.leaving_date = dt.date(2025, 9, 5)
    pupil.save()
    with pytest.raises(MarkError, match="not on roll"):
        record_mark(pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "/"), actor=actor)


def test_the_database_allows_one_mark_per_pupil_per_session(pupil, actor):
    record_mark(pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "/"), actor=actor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.create(
            school=pupil.school, pupil=pupil, date=MONDAY, session="AM", code_id="N"
        )


def test_the_database_refuses_to_rewrite_or_delete_history(pupil, actor):
    record_mark(pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "N"), actor=actor)
    record_mark(
        pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "O"), actor=actor, reason="x"
    )
    history = MarkAmendment.objects.get()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        MarkAmendment.objects.filter(pk=history.pk).update(reason="tampered")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM registers_markamendment")
    assert MarkAmendment.objects.get().reason == "x"


def test_saving_a_register_records_who_and_when(form, pupils, teacher):
    actor = Actor.for_membership(teacher)
    entries = [Entry(p.pk, "/") for p in pupils[:-1]] + [Entry(pupils[-1].pk, "L", 12)]
    result = save_register(
        form=form, day=MONDAY, session="AM", entries=entries, actor=actor, expected_version=0
    )
    assert result.created == 5
    assert result.register.taken_by == teacher.user and result.register.taken_at is not None
    assert Mark.objects.get(pupil=pupils[-1]).minutes_late == 12


def test_a_stale_register_save_writes_nothing(form, pupils, teacher, officer):
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, "/") for p in pupils],
        actor=Actor.for_membership(officer),
        expected_version=0,
    )
    with pytest.raises(StaleRegister) as stale:
        save_register(
            form=form,
            day=MONDAY,
            session="AM",
            entries=[Entry(p.pk, "N") for p in pupils],
            actor=Actor.for_membership(teacher),
            expected_version=0,
            reason="retake",
        )
    assert {m.code_id for m in stale.value.current} == {"/"}
    assert set(Mark.objects.values_list("code_id", flat=True)) == {"/"}


def test_a_register_with_one_bad_entry_writes_nothing(form, pupils, teacher):
    entries = [Entry(p.pk, "/") for p in pupils[:-1]] + [Entry(pupils[-1].pk, "H")]
    with pytest.raises(MarkError, match="not an attendance code"):
        save_register(
            form=form,
            day=MONDAY,
            session="AM",
            entries=entries,
            actor=Actor.for_membership(teacher),
            expected_version=0,
        )
    assert Mark.objects.count() == 0
