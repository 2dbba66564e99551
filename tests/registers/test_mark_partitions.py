"""The marks table partitioned by academic year (registers migration 0021, PostgreSQL only).

- Migrating a database holding marks and amendments from 0020 keeps every row, field for
  field, and the ids' sequence; going back does too.
- The database still refuses a change without its amendment, a DELETE and a TRUNCATE,
  through the parent and on every partition addressed directly.
- A mark in a year with no partition is refused until the year is made, then written.
- The purge drops an empty partition wholly older than the horizon, never one with marks.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from conftest import TEST_MARK_YEARS
from registers.services.partitions import (
    PurgeWindowClosed,
    academic_year,
    drop_empty_mark_partitions,
    ensure_mark_partitions,
    mark_partitions,
)
from registers.services.privacy import (
    command_actor,
    purge_expired_pupils,
    retention_cutoff,
)
from tests.registers.factories import MarkFactory, PupilFactory, SchoolFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions: PostgreSQL"),
]

BEFORE = [("registers", "0020_pupil_photos")]
MARK_COLUMNS = (
    "id, created_at, updated_at, date, session, minutes_late, comment, source, code_id, "
    "recorded_by_id, pupil_id, school_id, version"
)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _rows(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _triggers(table):
    return [
        name
        for (name,) in _rows(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
            "ORDER BY tgname",
            [table],
        )
    ]


def _schema():
    """Index and constraint definitions of registers_mark, and what references it."""
    return sorted(
        (name, definition.replace(" ON ONLY ", " ON "))
        for name, definition in _rows(
            "SELECT 'index', pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = 'registers_mark'::regclass UNION ALL "
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'registers_mark'::regclass OR confrelid = 'registers_mark'::regclass"
        )
    )


def _people():
    """A school and three pupils, made while every migration is applied: the factories'
    services keep the stored figures (0022, after the partitions) in step."""
    school = SchoolFactory().pk
    return school, [PupilFactory(school_id=school).pk for _ in range(3)]


def _insert_history(school, pupils):
    """Marks over three academic years, each year's first changed by an amendment."""
    # Raw SQL: at 0020 the stored figures' table (0022) does not exist yet.
    days = [dt.date(2022, 9, 5), dt.date(2023, 7, 31), dt.date(2023, 8, 1), dt.date(2025, 3, 3)]
    with connection.cursor() as cursor:
        for pupil in pupils:
            for day in days:
                for session, code in (("AM", "/"), ("PM", "N")):
                    cursor.execute(
                        "INSERT INTO registers_mark (created_at, updated_at, date, session, "
                        "comment, source, code_id, pupil_id, school_id) VALUES "
                        "(now(), now(), %s, %s, 'c', 'register', %s, %s, %s)",
                        [day, session, code, pupil, school],
                    )
        cursor.execute(
            "SELECT id, date, session, pupil_id FROM registers_mark WHERE code_id = 'N' "
            "ORDER BY id LIMIT 3"
        )
        for mark, day, session, pupil in cursor.fetchall():
            cursor.execute(
                "INSERT INTO registers_markamendment (school_id, mark_id, pupil_id, date, "
                "session, old_code, new_code, mark_version, reason, changed_by_name, "
                "changed_by_role, created_at, old_comment, new_comment) VALUES "
                "(%s, %s, %s, %s, %s, 'N', 'I', 1, 'ill', 'Officer', 'officer', now(), 'c', 'c')",
                [school, mark, pupil, day, session],
            )
            cursor.execute(
                "UPDATE registers_mark SET code_id = 'I', version = 1 WHERE id = %s", [mark]
            )


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_and_back_keeps_every_mark_and_amendment():
    latest = _latest()
    school, pupils = _people()
    _migrate(BEFORE)
    try:
        assert not _rows("SELECT 1 FROM pg_partitioned_table")
        _insert_history(school, pupils)
        marks = _rows(f"SELECT {MARK_COLUMNS} FROM registers_mark ORDER BY id")  # noqa: S608
        amendments = _rows("SELECT * FROM registers_markamendment ORDER BY id")
        schema = _schema()
        next_id = _rows("SELECT last_value FROM registers_mark_id_seq")[0][0]

        _migrate(latest)

        assert mark_partitions()[:3] == [2022, 2023, 2024]
        assert _rows(f"SELECT {MARK_COLUMNS} FROM registers_mark ORDER BY id") == marks  # noqa: S608
        assert _rows("SELECT * FROM registers_markamendment ORDER BY id") == amendments
        # Each mark is in its own year's partition.
        by_partition = _rows(
            "SELECT tableoid::regclass::text, min(date), max(date) FROM registers_mark "
            "GROUP BY 1 ORDER BY 1"
        )
        assert by_partition == [
            ("registers_mark_y2022", dt.date(2022, 9, 5), dt.date(2023, 7, 31)),
            ("registers_mark_y2023", dt.date(2023, 8, 1), dt.date(2023, 8, 1)),
            ("registers_mark_y2024", dt.date(2025, 3, 3), dt.date(2025, 3, 3)),
        ]
        # The same indexes and constraints, but the primary key, which includes the date,
        # and the amendments' foreign key, which does too.
        changed = {
            "registers_mark_pkey": "PRIMARY KEY (id, date)",
            "registers_markamendment_mark_id_c379a397_fk_registers_mark_id": (
                "FOREIGN KEY (mark_id, date) REFERENCES registers_mark(id, date) "
                "DEFERRABLE INITIALLY DEFERRED"
            ),
        }
        expected = sorted(
            (name, changed.get(name, definition))
            for name, definition in schema
            if not (name == "index" and "registers_mark_pkey" in definition)
        )
        after = [
            row for row in _schema() if not (row[0] == "index" and "registers_mark_pkey" in row[1])
        ]
        assert after == expected
        # The triggers: 0007's and 0014's on the parent, and on every partition with the
        # TRUNCATE refusal.
        for table in ["registers_mark"] + [f"registers_mark_y{y}" for y in mark_partitions()]:
            assert _triggers(table) == [
                "registers_mark_amended_only",
                "registers_mark_never_deleted",
                "registers_mark_never_truncated",
            ], table
        # New marks carry on from the old sequence.
        sequence = _rows("SELECT pg_get_serial_sequence('registers_mark', 'id')")[0][0]
        assert _rows(f"SELECT last_value FROM {sequence}")[0][0] == next_id  # noqa: S608
        assert _rows("SELECT count(*) FROM pg_class WHERE relname = 'registers_mark_old'") == [(0,)]

        _migrate(BEFORE)
        assert not _rows("SELECT 1 FROM pg_partitioned_table")
        assert _rows(f"SELECT {MARK_COLUMNS} FROM registers_mark ORDER BY id") == marks  # noqa: S608
        assert _rows("SELECT * FROM registers_markamendment ORDER BY id") == amendments
        assert _schema() == schema
        assert _triggers("registers_mark") == [
            "registers_mark_amended_only",
            "registers_mark_never_deleted",
        ]

        # An amendment whose date is not its mark's: the upgrade stops, changing nothing.
        _execute(
            "INSERT INTO registers_markamendment (school_id, mark_id, pupil_id, date, "
            "session, old_code, new_code, reason, changed_by_name, changed_by_role, "
            "created_at, old_comment, new_comment) SELECT school_id, id, pupil_id, "
            "date + 1, session, '/', '/', 'typo', 'Officer', 'officer', now(), '', '' "
            "FROM registers_mark ORDER BY id LIMIT 1"
        )
        with pytest.raises(RuntimeError, match="1 amendment"):
            _migrate(latest)
        assert not _rows("SELECT 1 FROM pg_partitioned_table")
        assert _rows(f"SELECT {MARK_COLUMNS} FROM registers_mark ORDER BY id") == marks  # noqa: S608
        assert _schema() == schema
    finally:
        call_command("flush", interactive=False, verbosity=0)
        _migrate(latest)
        # The rest of the session expects every year's partition (conftest).
        ensure_mark_partitions(first_day=TEST_MARK_YEARS[0], last_day=TEST_MARK_YEARS[1])


def _refused(sql, params=None, match=""):
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        _rows(sql, params) if sql.lstrip().upper().startswith("SELECT") else _execute(sql, params)


def _execute(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_every_partition_refuses_a_change_without_amendment_a_delete_and_a_truncate():
    years = mark_partitions()
    assert years == list(range(TEST_MARK_YEARS[0].year, TEST_MARK_YEARS[1].year))
    tables = ["registers_mark"] + [f"registers_mark_y{y}" for y in years]
    for table in tables:
        # With the amendments, which reference the marks (else the foreign key refuses first).
        _refused(f"TRUNCATE {table}, registers_markamendment", match="TRUNCATE refused")
        _refused(f"TRUNCATE {table} CASCADE", match="TRUNCATE refused")
    # A mark in every year, each then changed and deleted through its own partition and
    # through the parent.
    pupil = PupilFactory()
    marks = {
        year: MarkFactory.off_calendar(pupil=pupil, date=dt.date(year, 10, 1), code_id="/")
        for year in years
    }
    _execute("SET CONSTRAINTS ALL IMMEDIATE")
    for year, mark in marks.items():
        for table in ("registers_mark", f"registers_mark_y{year}"):
            _refused(
                f"UPDATE {table} SET code_id = 'N' WHERE id = %s",  # noqa: S608
                [mark.pk],
                match="needs its amendment",
            )
            _refused(
                f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
                [mark.pk],
                match="DELETE refused",
            )
    # A whole partition at once, and the parent at once.
    for table in tables:
        _refused(f"UPDATE {table} SET comment = 'x'", match="needs its amendment")  # noqa: S608
        _refused(f"DELETE FROM {table}", match="DELETE refused")  # noqa: S608
    # Moving a mark to another year is a delete from its partition: refused too.
    _refused(
        "UPDATE registers_mark SET date = date + 400 WHERE id = %s",
        [marks[2010].pk],
        match="refused",
    )
    assert _rows("SELECT count(*) FROM registers_mark")[0][0] == len(years)
    # With the amendment, a change through a partition goes through.
    _execute(
        "INSERT INTO registers_markamendment (school_id, mark_id, pupil_id, date, session, "
        "old_code, new_code, mark_version, reason, changed_by_name, changed_by_role, "
        "created_at, old_comment, new_comment) VALUES (%s, %s, %s, %s, 'AM', '/', 'L', 1, "
        "'late', 'Officer', 'officer', now(), '', '')",
        [pupil.school_id, marks[2010].pk, pupil.pk, marks[2010].date],
    )
    _execute(
        "UPDATE registers_mark_y2010 SET code_id = 'L', version = 1 WHERE id = %s", [marks[2010].pk]
    )
    assert _rows("SELECT code_id FROM registers_mark WHERE id = %s", [marks[2010].pk]) == [("L",)]


@pytest.mark.django_db
def test_a_mark_in_a_year_without_partition_is_written_once_the_year_is_made():
    pupil = PupilFactory()
    with pytest.raises(DatabaseError, match="no partition"), transaction.atomic():
        MarkFactory.off_calendar(pupil=pupil, date=dt.date(2041, 9, 10), session="AM")
    assert ensure_mark_partitions(
        first_day=dt.date(2041, 9, 10), last_day=dt.date(2041, 9, 10)
    ) == [2041]
    assert (
        ensure_mark_partitions(first_day=dt.date(2041, 9, 10), last_day=dt.date(2041, 9, 10)) == []
    )
    # The new year has the triggers PostgreSQL does not clone.
    _refused("TRUNCATE registers_mark_y2041 CASCADE", match="TRUNCATE refused")
    MarkFactory.off_calendar(pupil=pupil, date=dt.date(2041, 9, 10), session="AM")
    assert _rows("SELECT tableoid::regclass::text FROM registers_mark") == [
        ("registers_mark_y2041",)
    ]
    _execute("SET CONSTRAINTS ALL IMMEDIATE")
    _refused("UPDATE registers_mark_y2041 SET code_id = 'N'", match="needs its amendment")


@pytest.mark.django_db
def test_the_purge_drops_empty_old_partitions_and_never_one_with_marks():
    school = SchoolFactory()
    left = PupilFactory(
        school=school, admission_date=dt.date(1998, 9, 1), leaving_date=dt.date(2002, 7, 19)
    )
    stays = PupilFactory(school=school)  # on roll: kept, and so is its year
    MarkFactory.off_calendar(pupil=left, date=dt.date(2001, 10, 1), session="AM")
    MarkFactory.off_calendar(pupil=stays, date=dt.date(2002, 10, 1), session="AM")
    today = timezone.localdate()
    horizon = retention_cutoff(today)

    result = purge_expired_pupils(
        school=school, today=today, actor=command_actor("purge_expired_pupils")
    )

    assert result.rows_removed["registers.Mark"] == 1
    # Every year that ended by the horizon went, being empty (2001-02 once the leaver's
    # mark was purged), except 2002-03, which holds the pupil on roll's mark.
    ended = [y for y in range(TEST_MARK_YEARS[0].year, 2040) if dt.date(y + 1, 8, 1) <= horizon]
    assert result.partitions_dropped == [y for y in ended if y != 2002]
    assert "dropped the empty marks partition of 2000-01, 2001-02" in result.summary()
    years = mark_partitions()
    assert years[0] == 2002
    assert years[1] == academic_year(horizon)
    assert _rows("SELECT tableoid::regclass::text FROM registers_mark") == [
        ("registers_mark_y2002",)
    ]
    # Outside the purge window nothing is dropped.
    with pytest.raises(PurgeWindowClosed):
        drop_empty_mark_partitions(before=horizon)
