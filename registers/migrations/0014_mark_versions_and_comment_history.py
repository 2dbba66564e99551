"""Every change to a mark is an amendment, and the database holds the code to it.

- Amendments keep the old and new comment as well as code and minutes late.
- A mark carries a version, and each amendment names the version it made. The database
  refuses an UPDATE of a mark that changes it (code, minutes late, comment, source, pupil,
  school, date or session) unless the version goes up by exactly one and the amendment of
  that version, with the mark's old and new values, is already there (inserted first, in
  the same transaction). An UPDATE that changes none of these (Django setting
  recorded_by to NULL when a user is deleted) passes without one.
  - PostgreSQL: one statement-level trigger with transition tables, so a bulk update of a
    year's import is checked with one set-based query per statement, not a query a row.
  - SQLite (development): a row trigger with the same rule.

On SQLite, adding these columns rebuilds both tables, which drops the history triggers of
migrations 0003 and 0007; they are created again here (test_history_integrity notices if a
later migration loses them). Existing marks start at version 0 and amendments recorded
before this migration have no version and no comments.
"""

from django.conf import settings
from django.db import migrations, models

CONTENT = (
    "code_id",
    "minutes_late",
    "comment",
    "source",
    "pupil_id",
    "school_id",
    "date",
    "session",
)

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION registers_mark_change_needs_amendment() RETURNS trigger AS $$
DECLARE
    refused record;
BEGIN
    SELECT n.id, o.version AS old_version, n.version AS new_version INTO refused
    FROM new_marks n JOIN old_marks o ON o.id = n.id
    WHERE CASE
        WHEN n.version = o.version THEN
            ({", ".join("n." + c for c in CONTENT)}) IS DISTINCT FROM
            ({", ".join("o." + c for c in CONTENT)})
        WHEN n.version = o.version + 1 THEN
            (n.pupil_id, n.school_id, n.date, n.session)
                IS DISTINCT FROM (o.pupil_id, o.school_id, o.date, o.session)
            OR NOT EXISTS (
                SELECT 1 FROM registers_markamendment a
                WHERE a.mark_id = n.id AND a.mark_version = n.version
                  AND a.old_code = o.code_id AND a.new_code = n.code_id
                  AND a.old_minutes_late IS NOT DISTINCT FROM o.minutes_late
                  AND a.new_minutes_late IS NOT DISTINCT FROM n.minutes_late
                  AND a.old_comment = o.comment AND a.new_comment = n.comment
            )
        ELSE true
    END
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'registers_mark %: a change to a mark needs its amendment (version % to %)',
            refused.id, refused.old_version, refused.new_version
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Insert the registers_markamendment row of the new version first.';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER registers_mark_amended_only
    AFTER UPDATE ON registers_mark
    REFERENCING OLD TABLE AS old_marks NEW TABLE AS new_marks
    FOR EACH STATEMENT EXECUTE FUNCTION registers_mark_change_needs_amendment();
"""  # noqa: S608 (column names from CONTENT above, no input)
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS registers_mark_amended_only ON registers_mark;
DROP FUNCTION IF EXISTS registers_mark_change_needs_amendment();
"""

SQLITE_CLOSED = "coalesce((SELECT purge_open FROM registers_history_guard WHERE id = 1), 0) = 0"


def _sqlite_refusal(name: str, table: str, event: str, message: str, when: str = "") -> str:
    condition = f"WHEN {when}" if when else ""
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    )


_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)
_MOVED = " OR ".join(
    f"NEW.{c} IS NOT OLD.{c}" for c in ("pupil_id", "school_id", "date", "session")
)
SQLITE_WITHOUT_AMENDMENT = f"""
    (NEW.version = OLD.version AND ({_CHANGED}))
    OR (NEW.version IS NOT OLD.version AND NEW.version IS NOT OLD.version + 1)
    OR (NEW.version = OLD.version + 1 AND (({_MOVED}) OR NOT EXISTS (
        SELECT 1 FROM registers_markamendment a
        WHERE a.mark_id = NEW.id AND a.mark_version = NEW.version
          AND a.old_code = OLD.code_id AND a.new_code = NEW.code_id
          AND a.old_minutes_late IS OLD.minutes_late AND a.new_minutes_late IS NEW.minutes_late
          AND a.old_comment = OLD.comment AND a.new_comment = NEW.comment)))
"""  # noqa: S608 (column names only)
# The triggers of 0003 and 0007 that the rebuilt tables lost, and the new one.
SQLITE_TRIGGERS = [
    (
        "registers_mark_never_deleted",
        _sqlite_refusal(
            "registers_mark_never_deleted",
            "registers_mark",
            "DELETE",
            "registers_mark keeps every entry for six years: DELETE refused",
            SQLITE_CLOSED,
        ),
    ),
    (
        "registers_markamendment_no_update",
        _sqlite_refusal(
            "registers_markamendment_no_update",
            "registers_markamendment",
            "UPDATE",
            "registers_markamendment is append-only: UPDATE refused",
        ),
    ),
    (
        "registers_markamendment_no_delete",
        _sqlite_refusal(
            "registers_markamendment_no_delete",
            "registers_markamendment",
            "DELETE",
            "registers_markamendment is append-only: DELETE refused",
            SQLITE_CLOSED,
        ),
    ),
    (
        "registers_mark_amended_only",
        _sqlite_refusal(
            "registers_mark_amended_only",
            "registers_mark",
            "UPDATE",
            "registers_mark: a change to a mark needs its amendment",
            SQLITE_WITHOUT_AMENDMENT,
        ),
    ),
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for name, create in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
            schema_editor.execute(create)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS registers_mark_amended_only;")


def restore_sqlite_history_triggers(apps, schema_editor):
    """Going back rebuilds the tables again: put the triggers of 0003 and 0007 back."""
    if schema_editor.connection.vendor == "sqlite":
        for name, create in SQLITE_TRIGGERS[:3]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
            schema_editor.execute(create)


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0013_ctf_serial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Undone last when going back, after the fields are gone and the tables rebuilt.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_history_triggers),
        migrations.AddField(
            model_name="mark",
            name="version",
            # A database default too: bulk loaders that name their columns (the demo
            # seeder, benchmarks) need not know about it.
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="markamendment",
            name="mark_version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="markamendment",
            name="new_comment",
            field=models.CharField(blank=True, db_default="", default="", max_length=500),
        ),
        migrations.AddField(
            model_name="markamendment",
            name="old_comment",
            field=models.CharField(blank=True, db_default="", default="", max_length=500),
        ),
        migrations.AddConstraint(
            model_name="markamendment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("mark_version__isnull", False)),
                fields=("mark", "mark_version"),
                name="registers_markamendment_one_per_version",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
