"""The register's history cannot be lost: the database itself refuses to delete marks and
to rewrite or delete amendments, whatever the code path (ORM, cascade, raw SQL).

The one way through is the retention purge's window (registers.services.privacy), which
lets DELETE (never UPDATE) through for its own transaction only. Runs on SQLite and
PostgreSQL alike: the triggers exist on both (migration 0007).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from registers.actors import Actor
from registers.models import Mark, MarkAmendment, RetentionPurge
from registers.services.marks import Entry, record_mark
from registers.services.privacy import history_deletion_window

DAY = dt.date(2025, 9, 8)
TRIGGERS = {
    "registers_mark",
    "registers_markamendment",
    "registers_retentionpurge",
    "escalation_escalationevent",
}


@pytest.fixture
def amended(pupil, officer) -> Mark:
    actor = Actor.for_membership(officer)
    record_mark(pupil=pupil, day=DAY, session="AM", entry=Entry(pupil.pk, "N"), actor=actor)
    return record_mark(
        pupil=pupil,
        day=DAY,
        session="AM",
        entry=Entry(pupil.pk, "I"),
        actor=actor,
        reason="Mum phoned: flu",
    )


def refused(action) -> bool:
    """Whether the database refused `action` (run in its own savepoint)."""
    try:
        with transaction.atomic():
            action()
    except DatabaseError:
        return True
    return False


def raw(sql: str, *params):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_a_mark_cannot_be_deleted_by_any_path(amended):
    assert refused(amended.delete)
    assert refused(Mark.objects.filter(pk=amended.pk).delete)
    assert refused(raw("DELETE FROM registers_mark WHERE id = %s", amended.pk))
    assert refused(raw("DELETE FROM registers_mark"))
    assert Mark.objects.filter(pk=amended.pk, code_id="I").exists()


def test_deleting_the_pupil_or_the_whole_school_keeps_the_marks(amended, pupil, school):
    with pytest.raises(ProtectedError):
        pupil.delete()
    # A school's delete cascades past the PROTECT to the marks: the trigger stops it there.
    assert refused(school.delete)
    assert Mark.objects.filter(pk=amended.pk).exists()


def test_a_mark_can_still_be_changed_with_an_amendment(amended):
    assert amended.code_id == "I"
    history = MarkAmendment.objects.get(mark=amended)
    assert (history.old_code, history.new_code, history.reason) == ("N", "I", "Mum phoned: flu")


def test_amendments_refuse_update_and_delete(amended):
    history = MarkAmendment.objects.get(mark=amended)
    assert refused(lambda: MarkAmendment.objects.filter(pk=history.pk).update(reason="x"))
    assert refused(history.delete)
    assert refused(raw("UPDATE registers_markamendment SET new_code = 'O'"))
    assert refused(raw("DELETE FROM registers_markamendment"))
    history.refresh_from_db()
    assert (history.new_code, history.reason) == ("I", "Mum phoned: flu")


def test_the_purge_window_lets_deletes_through_and_nothing_else(amended):
    history = MarkAmendment.objects.get(mark=amended)
    with history_deletion_window():
        # Rewriting history stays refused even inside the window.
        assert refused(lambda: MarkAmendment.objects.filter(pk=history.pk).update(reason="x"))
        assert refused(lambda: Mark.objects.filter(pk=amended.pk).delete())
        history.delete()
        amended.delete()
    assert not Mark.objects.filter(pk=amended.pk).exists()


def test_the_window_closes_when_its_block_ends(amended, pupil):
    with history_deletion_window():
        pass
    assert refused(amended.delete)


def test_the_window_closes_when_its_block_fails(amended):
    with pytest.raises(RuntimeError), history_deletion_window():
        raise RuntimeError("the purge failed half way")
    assert refused(raw("DELETE FROM registers_markamendment"))
    assert MarkAmendment.objects.filter(mark=amended).exists()


def test_the_purge_record_is_append_only(school):
    record = RetentionPurge.objects.create(
        school=school,
        run_on=dt.date(2025, 9, 1),
        left_before=dt.date(2019, 9, 1),
        pupil_count=0,
        actor_name="test",
    )
    assert refused(lambda: RetentionPurge.objects.filter(pk=record.pk).update(pupil_count=5))
    assert refused(record.delete)


def _triggers() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, event_manipulation FROM information_schema.triggers"
            )
        else:
            cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        rows = cursor.fetchall()
    found: dict[str, set[str]] = {}
    for table, event in rows:
        for op in ("UPDATE", "DELETE"):
            if f"BEFORE {op}" in event.upper() or event.upper() == op:
                found.setdefault(table, set()).add(op)
    return found


@pytest.mark.django_db
def test_the_history_triggers_are_in_place():
    """A later migration that rebuilds one of these tables (SQLite does that for many
    ALTERs) drops its triggers silently: this test notices."""
    found = _triggers()
    # UPDATE: only together with its amendment (migration 0014).
    assert found.get("registers_mark", set()) >= {"UPDATE", "DELETE"}
    for table in TRIGGERS - {"registers_mark"}:
        assert found.get(table, set()) >= {"UPDATE", "DELETE"}, table


@pytest.mark.django_db(transaction=True)
def test_a_committed_window_does_not_outlive_its_transaction(school, pupil, officer):
    actor = Actor.for_membership(officer)
    mark = record_mark(pupil=pupil, day=DAY, session="PM", entry=Entry(pupil.pk, "\\"), actor=actor)
    with history_deletion_window():
        pass  # committed: a new transaction starts with the window shut
    assert refused(mark.delete)


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_the_history_and_leaves_the_guard_shut(school, pupil, officer):
    actor = Actor.for_membership(officer)
    record_mark(pupil=pupil, day=DAY, session="AM", entry=Entry(pupil.pk, "N"), actor=actor)
    record_mark(
        pupil=pupil, day=DAY, session="AM", entry=Entry(pupil.pk, "I"), actor=actor, reason="ill"
    )
    call_command("flush", interactive=False, verbosity=0)
    assert not Mark.objects.exists() and not MarkAmendment.objects.exists()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT purge_open FROM registers_history_guard")
            assert cursor.fetchall() == [(0,)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="covering indexes: PostgreSQL")
def test_the_one_mark_per_session_index_covers_what_figures_read(db):
    """Migration 0010 made the constraint's index covering and dropped the pupil's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'registers_mark'"
        )
        indexes = dict(cursor.fetchall())
    assert indexes["registers_mark_one_per_session"].endswith(
        "(pupil_id, date, session) INCLUDE (code_id, school_id, id)"
    )
    assert "UNIQUE" in indexes["registers_mark_one_per_session"]
    assert "registers_mark_pupil_id_92bb4a20" not in indexes
