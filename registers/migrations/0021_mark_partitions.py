"""On PostgreSQL, registers_mark becomes a table partitioned by academic year (issue 18).

One partition per academic year, 1 August to 31 July, named registers_mark_y<first year>
(registers_mark_y2025 holds 1 Aug 2025 to 31 Jul 2026), from the first mark's year to the
year after the current one (or the last mark's, if later). No DEFAULT partition: a mark for
a year with no partition is refused loudly, and registers.services.partitions creates next
year's in advance (the calendar's setup and a daily beat task call it). SQLite, for
development, keeps one table; Django's model state does not change (`id` stays the pk).

In one transaction: the marks are copied in id order into the new table, the row counts are
compared, the old table goes, and every index, constraint, foreign key and trigger is made
again on the new one (the indexes and foreign keys read from the catalogue before the old
table goes, so none is forgotten). The database's primary key becomes (id, date), as a
partitioned table's must include the partition key; ids still come from the one identity
sequence, whose position is carried over. The amendments' foreign key becomes
(mark_id, date) → (id, date), after checking that every amendment's date is its mark's.

Triggers: 0007's row trigger (no DELETE outside the purge window) on the parent is cloned to
every partition by PostgreSQL. 0014's statement trigger (a change needs its amendment) is
not: it is created on the parent and on each partition by registers_mark_add_partition(),
which is also how later partitions are made. A TRUNCATE, through the parent or on a
partition, is refused outside the purge window (which Django's flush opens).

It locks the marks for the copy: an out-of-hours upgrade (docs/scaling.md, "Partitioning").
"""

import zoneinfo

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION registers_refuse_mark_truncate() RETURNS trigger AS $$
BEGIN
    IF portal_retention_purge_open() THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% keeps every entry for six years: TRUNCATE refused', TG_TABLE_NAME
        USING HINT = 'Only the retention purge removes marks.';
END;
$$ LANGUAGE plpgsql;

-- The one way a marks partition is made: with the triggers PostgreSQL does not clone.
CREATE OR REPLACE FUNCTION registers_mark_add_partition(academic_year integer)
RETURNS boolean AS $$
DECLARE
    part text := format('registers_mark_y%s', academic_year);
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE TABLE %I PARTITION OF registers_mark FOR VALUES FROM (%L) TO (%L)',
        part, make_date(academic_year, 8, 1), make_date(academic_year + 1, 8, 1));
    EXECUTE format(
        'CREATE TRIGGER registers_mark_amended_only AFTER UPDATE ON %I '
        'REFERENCING OLD TABLE AS old_marks NEW TABLE AS new_marks '
        'FOR EACH STATEMENT EXECUTE FUNCTION registers_mark_change_needs_amendment()', part);
    EXECUTE format(
        'CREATE TRIGGER registers_mark_never_truncated BEFORE TRUNCATE ON %I '
        'FOR EACH STATEMENT EXECUTE FUNCTION registers_refuse_mark_truncate()', part);
    RETURN true;
END;
$$ LANGUAGE plpgsql;
"""
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS registers_mark_add_partition(integer);
DROP FUNCTION IF EXISTS registers_refuse_mark_truncate();
"""

PARENT_TRIGGERS = """
CREATE TRIGGER registers_mark_never_deleted
    BEFORE DELETE ON registers_mark
    FOR EACH ROW EXECUTE FUNCTION registers_refuse_mark_delete();
CREATE TRIGGER registers_mark_amended_only
    AFTER UPDATE ON registers_mark
    REFERENCING OLD TABLE AS old_marks NEW TABLE AS new_marks
    FOR EACH STATEMENT EXECUTE FUNCTION registers_mark_change_needs_amendment();
"""
TRUNCATE_TRIGGER = """
CREATE TRIGGER registers_mark_never_truncated
    BEFORE TRUNCATE ON registers_mark
    FOR EACH STATEMENT EXECUTE FUNCTION registers_refuse_mark_truncate();
"""

KNOWN_TRIGGERS = (
    "registers_mark_never_deleted",
    "registers_mark_amended_only",
    "registers_mark_never_truncated",
)
AMENDMENT_FK = "registers_markamendment_mark_id_c379a397_fk_registers_mark_id"
AMENDMENT_FK_COLUMNS = {
    True: "(mark_id, date) REFERENCES registers_mark (id, date)",
    False: "(mark_id) REFERENCES registers_mark (id)",
}
PRIMARY_KEY = {True: "(id, date)", False: "(id)"}


def _rows(cursor, sql: str, params=None) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _academic_year(day) -> int:
    return day.year if day.month >= 8 else day.year - 1


def _rebuild(schema_editor, *, partitioned: bool) -> None:
    """Copy registers_mark into a new table, partitioned or not, and swap it in."""
    execute = schema_editor.execute
    with schema_editor.connection.cursor() as cursor:
        # What the old table has, read before it goes: indexes that are not constraints,
        # and its unique and foreign-key constraints (checks are copied by LIKE).
        indexes = [
            definition
            for (definition,) in _rows(
                cursor,
                "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = 'registers_mark'::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
                " AND c.conrelid = i.indrelid) ORDER BY 1",
            )
        ]
        constraints = _rows(
            cursor,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'registers_mark'::regclass AND contype IN ('u', 'f') "
            "ORDER BY conname",
        )
        (sequence,) = _rows(cursor, "SELECT pg_get_serial_sequence('registers_mark', 'id')")[0]
        (last_value, is_called) = _rows(
            cursor,
            f"SELECT last_value, is_called FROM {sequence}",  # noqa: S608 (catalogue name)
        )[0]
        mismatched = _rows(
            cursor,
            "SELECT count(*) FROM registers_markamendment a JOIN registers_mark m "
            "ON m.id = a.mark_id WHERE a.date <> m.date",
        )[0][0]
        if mismatched:
            raise RuntimeError(
                f"{mismatched} amendment(s) carry a date other than their mark's; the "
                "amendments' foreign key cannot include the date. Nothing was changed."
            )
        unknown = _rows(
            cursor,
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'registers_mark'::regclass "
            "AND NOT tgisinternal AND tgname <> ALL(%s)",
            [list(KNOWN_TRIGGERS)],
        )
        if unknown:
            # Made again below only if known: refuse rather than lose one.
            raise RuntimeError(
                f"registers_mark has triggers this migration does not know: {unknown}"
            )
        span = _rows(cursor, "SELECT min(date), max(date), count(*) FROM registers_mark")[0]
        (today,) = _rows(cursor, "SELECT current_date")[0]

    execute(f"ALTER TABLE registers_markamendment DROP CONSTRAINT {AMENDMENT_FK}")
    execute("ALTER TABLE registers_mark RENAME TO registers_mark_old")
    execute(f"ALTER SEQUENCE {sequence} RENAME TO registers_mark_old_id_seq")
    execute(
        "CREATE TABLE registers_mark (LIKE registers_mark_old INCLUDING DEFAULTS "
        "INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
        + (" PARTITION BY RANGE (date)" if partitioned else "")
    )
    if partitioned:
        execute(FUNCTIONS, params=None)
        first = _academic_year(span[0] or today)
        last = max(_academic_year(today) + 1, _academic_year(span[1] or today))
        for year in range(first, last + 1):
            execute("SELECT registers_mark_add_partition(%s)", [year])
    execute(
        "INSERT INTO registers_mark SELECT * FROM registers_mark_old ORDER BY id",
    )
    with schema_editor.connection.cursor() as cursor:
        (copied,) = _rows(cursor, "SELECT count(*) FROM registers_mark")[0]
    if copied != span[2]:
        raise RuntimeError(f"copied {copied} marks of {span[2]}; nothing was changed")
    execute(
        "SELECT setval(pg_get_serial_sequence('registers_mark', 'id'), %s, %s)",
        [last_value, is_called],
    )
    execute("DROP TABLE registers_mark_old")
    if not partitioned:
        execute(DROP_FUNCTIONS)
    execute(
        f"ALTER TABLE registers_mark ADD CONSTRAINT registers_mark_pkey "
        f"PRIMARY KEY {PRIMARY_KEY[partitioned]}"
    )
    for name, definition in constraints:
        execute(f"ALTER TABLE registers_mark ADD CONSTRAINT {name} {definition}")
    for definition in indexes:
        # A partitioned table's reads "ON ONLY" (its partitions' indexes are attached).
        execute(definition.replace(" ON ONLY ", " ON ", 1))
    execute(PARENT_TRIGGERS)
    if partitioned:
        execute(TRUNCATE_TRIGGER)
    execute(
        f"ALTER TABLE registers_markamendment ADD CONSTRAINT {AMENDMENT_FK} FOREIGN KEY "
        f"{AMENDMENT_FK_COLUMNS[partitioned]} DEFERRABLE INITIALLY DEFERRED"
    )
    execute("ANALYZE registers_mark")


PARTITION_TASK_NAME = "Marks partitions for the coming year"
PARTITION_TASK = "registers.ensure_mark_partitions"


def schedule_partitions(apps, schema_editor):
    """Daily at 03:10 (Europe/London): this year's and next year's partitions exist."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="10",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=zoneinfo.ZoneInfo("Europe/London"),
    )
    PeriodicTask.objects.get_or_create(
        name=PARTITION_TASK_NAME,
        defaults={"task": PARTITION_TASK, "crontab": schedule, "enabled": True},
    )


def unschedule_partitions(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=PARTITION_TASK_NAME, task=PARTITION_TASK).delete()


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=True)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("registers", "0020_pupil_photos"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition),
        migrations.RunPython(schedule_partitions, unschedule_partitions),
    ]
