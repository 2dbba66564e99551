"""Two people saving at once lose nothing: real concurrent transactions on PostgreSQL.

Each test runs the first writer in a thread (its own database connection) and holds its
transaction open until the second writer has started and is waiting on the row lock, so
the two really overlap; then the first commits and the second goes on. SQLite has no row
locks (it serialises whole transactions), so these run on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from registers.actors import Actor
from registers.models import Mark, MarkAmendment, Register
from registers.services.marks import (
    Entry,
    MarkError,
    StaleRegister,
    record_mark,
    save_register,
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks"),
    pytest.mark.django_db(transaction=True),
]

DAY = dt.date(2025, 9, 8)
HOLD = 0.5  # how long the first writer keeps its transaction open once the second waits


def first_then_second(first: Callable[[], object], second: Callable[[], object]):
    """Run `first` in a thread and keep its transaction open while `second` runs here.

    Returns (what first returned or raised, what second returned or raised, how long
    second took): second must have waited for first's commit.
    """
    done_first = threading.Event()
    outcome: dict[str, object] = {}

    def run_first() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = first()
                done_first.set()
                time.sleep(HOLD)  # second is now blocked on our locks
        except Exception as exc:  # reported to the test below
            outcome["first"] = exc
            done_first.set()
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=run_first)
    thread.start()
    assert done_first.wait(10)
    started = time.monotonic()
    try:
        result: object = second()
    except Exception as exc:
        result = exc
    waited = time.monotonic() - started
    thread.join(10)
    return outcome["first"], result, waited


def entries(pupils, code: str) -> list[Entry]:
    return [Entry(p.pk, code) for p in pupils]


@pytest.fixture
def teacher_actor(teacher) -> Actor:
    return Actor.for_membership(teacher)


@pytest.fixture
def officer_actor(officer) -> Actor:
    return Actor.for_membership(officer)


@pytest.mark.parametrize("existing", [False, True], ids=["new-register", "taken-register"])
def test_the_second_save_of_a_register_is_stale_and_writes_nothing(
    form, pupils, teacher_actor, officer_actor, existing
):
    version = 0
    if existing:  # taken earlier with everyone present: both people open version 1
        save_register(
            form=form,
            day=DAY,
            session="AM",
            entries=entries(pupils, "/"),
            actor=teacher_actor,
            expected_version=0,
        )
        version = 1
    reason = "corrected" if existing else ""

    first, second, waited = first_then_second(
        lambda: save_register(
            form=form,
            day=DAY,
            session="AM",
            entries=entries(pupils, "N"),
            actor=teacher_actor,
            expected_version=version,
            reason=reason,
        ),
        lambda: save_register(
            form=form,
            day=DAY,
            session="AM",
            entries=entries(pupils, "L"),
            actor=officer_actor,
            expected_version=version,
            reason=reason,
        ),
    )
    assert not isinstance(first, Exception), first
    assert isinstance(second, StaleRegister), second
    assert waited >= HOLD * 0.8  # it really queued behind the first save
    # The second person is shown what the first saved, to check and save again.
    assert {m.code_id for m in second.current} == {"N"}
    assert set(Mark.objects.filter(date=DAY).values_list("code_id", flat=True)) == {"N"}
    register = Register.objects.get(form=form, date=DAY, session="AM")
    assert register.version == version + 1
    changed = MarkAmendment.objects.filter(date=DAY)
    assert changed.count() == (len(pupils) if existing else 0)
    assert set(changed.values_list("new_code", flat=True)) <= {"N"}


def test_two_officers_amending_one_mark_both_land_in_order(pupil, officer_actor, head):
    record_mark(pupil=pupil, day=DAY, session="AM", entry=Entry(pupil.pk, "N"), actor=officer_actor)

    first, second, _ = first_then_second(
        lambda: record_mark(
            pupil=pupil,
            day=DAY,
            session="AM",
            entry=Entry(pupil.pk, "I"),
            actor=officer_actor,
            reason="Mum phoned: flu",
        ),
        lambda: record_mark(
            pupil=pupil,
            day=DAY,
            session="AM",
            entry=Entry(pupil.pk, "M"),
            actor=Actor.for_membership(head),
            reason="Dentist letter arrived",
        ),
    )
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    mark = Mark.objects.get(pupil=pupil, date=DAY, session="AM")
    assert mark.code_id == "M"
    history = list(MarkAmendment.objects.filter(mark=mark).order_by("created_at", "id"))
    # No lost update: the second amendment starts from what the first one wrote.
    assert [(h.old_code, h.new_code) for h in history] == [("N", "I"), ("I", "M")]
    assert [h.reason for h in history] == ["Mum phoned: flu", "Dentist letter arrived"]


def test_a_register_saved_while_the_office_records_a_mark_is_stale_not_an_error(
    form, pupils, pupil, teacher_actor, officer_actor
):
    """The office records one pupil's first mark while the teacher saves the register
    opened before it: the teacher must see the office's mark, not a server error."""
    first, second, _ = first_then_second(
        lambda: record_mark(
            pupil=pupil,
            day=DAY,
            session="AM",
            entry=Entry(pupil.pk, "M"),
            actor=officer_actor,
        ),
        lambda: save_register(
            form=form,
            day=DAY,
            session="AM",
            entries=entries(pupils, "/"),
            actor=teacher_actor,
            expected_version=0,
        ),
    )
    assert not isinstance(first, Exception), first
    assert isinstance(second, StaleRegister), second
    assert [(m.pupil_id, m.code_id) for m in second.current] == [(pupil.pk, "M")]
    assert Mark.objects.get(pupil=pupil, date=DAY, session="AM").code_id == "M"
    assert Mark.objects.filter(date=DAY).count() == 1  # the teacher's save wrote nothing


def test_two_first_marks_for_one_session_give_the_second_person_a_message(
    pupil, officer_actor, teacher_actor
):
    first, second, _ = first_then_second(
        lambda: record_mark(
            pupil=pupil, day=DAY, session="PM", entry=Entry(pupil.pk, "I"), actor=officer_actor
        ),
        lambda: record_mark(
            pupil=pupil, day=DAY, session="PM", entry=Entry(pupil.pk, "\\"), actor=teacher_actor
        ),
    )
    assert not isinstance(first, Exception), first
    # The second waited on the register and is shown the first person's mark beside its own.
    assert isinstance(second, MarkError), second
    assert f"{pupil.name} already has I (recorded by" in str(second)
    assert "you chose \\" in str(second)
    assert Mark.objects.get(pupil=pupil, date=DAY, session="PM").code_id == "I"


def test_an_office_correction_during_a_register_save_makes_the_save_stale(
    form, pupils, teacher_actor, officer_actor
):
    """The office amends one pupil while the teacher saves the register opened before:
    the teacher's save waits for the office's and is refused, the correction stands."""
    save_register(
        form=form,
        day=DAY,
        session="AM",
        entries=entries(pupils, "N"),
        actor=teacher_actor,
        expected_version=0,
    )
    first, second, waited = first_then_second(
        lambda: record_mark(
            pupil=pupils[0],
            day=DAY,
            session="AM",
            entry=Entry(pupils[0].pk, "I"),
            actor=officer_actor,
            reason="Parent phoned: ill",
        ),
        lambda: save_register(
            form=form,
            day=DAY,
            session="AM",
            entries=[Entry(p.pk, "N") for p in pupils[:-1]] + [Entry(pupils[-1].pk, "L", 10)],
            actor=teacher_actor,
            expected_version=1,
            reason="Arrived late",
        ),
    )
    assert not isinstance(first, Exception), first
    assert isinstance(second, StaleRegister), second
    assert waited >= HOLD * 0.8
    assert Mark.objects.get(pupil=pupils[0], date=DAY, session="AM").code_id == "I"
    assert Mark.objects.get(pupil=pupils[-1], date=DAY, session="AM").code_id == "N"
