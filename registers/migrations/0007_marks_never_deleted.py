"""Marks are never deleted, and the record of each retention purge.

Registers must keep every entry for at least six years (SI 2024/208 reg 7), so the database
refuses DELETE on registers_mark, as it already refuses UPDATE and DELETE on the amendment
history (0003) and the case timeline (escalation 0002). After six years the school should
remove what it no longer needs, so there is exactly one way through: the retention purge
(registers.services.privacy) opens a "purge window" for its own transaction, and every
history trigger lets DELETE (never UPDATE) through while it is open.

- PostgreSQL: the window is the setting portal.retention_purge, set with SET LOCAL
  (set_config(..., true)), so it ends with the transaction whatever happens.
- SQLite: a one-row table registers_history_guard (not a Django model, so a flush never
  empties it) whose purge_open flag the triggers' WHEN clause reads; the purge sets and
  clears it inside its transaction, so a rollback clears it too.

Django's flush (which the test suite runs after transactional tests) opens the window as
well (registers/management/commands/flush.py): on SQLite it empties tables with DELETE,
which the triggers would otherwise refuse; on PostgreSQL it uses TRUNCATE, which row
triggers do not see.

The escalation timeline's trigger function is replaced here too, because the purge removes
a leaver's closed cases with their timeline; UPDATE stays refused as before.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The window's names; registers.services.privacy repeats them (migrations import no app code).
POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION portal_retention_purge_open() RETURNS boolean AS $$
    SELECT coalesce(current_setting('portal.retention_purge', true), '') = 'on';
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION registers_refuse_mark_delete() RETURNS trigger AS $$
BEGIN
    IF portal_retention_purge_open() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'registers_mark keeps every entry for six years: DELETE refused'
        USING HINT = 'Change a mark with an amendment; only the retention purge removes marks.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER registers_mark_never_deleted
    BEFORE DELETE ON registers_mark
    FOR EACH ROW EXECUTE FUNCTION registers_refuse_mark_delete();

CREATE OR REPLACE FUNCTION registers_refuse_history_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND portal_retention_purge_open() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER registers_retentionpurge_append_only
    BEFORE UPDATE OR DELETE ON registers_retentionpurge
    FOR EACH ROW EXECUTE FUNCTION registers_refuse_history_change();

CREATE OR REPLACE FUNCTION escalation_refuse_event_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND portal_retention_purge_open() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'escalation_escalationevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
# Back to the functions of registers 0003 and escalation 0002.
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS registers_retentionpurge_append_only ON registers_retentionpurge;
DROP TRIGGER IF EXISTS registers_mark_never_deleted ON registers_mark;
DROP FUNCTION IF EXISTS registers_refuse_mark_delete();
CREATE OR REPLACE FUNCTION registers_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'registers_markamendment is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION escalation_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'escalation_escalationevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS portal_retention_purge_open();
"""

SQLITE_CLOSED = "coalesce((SELECT purge_open FROM registers_history_guard WHERE id = 1), 0) = 0"


def _sqlite_refusal(name: str, table: str, event: str, message: str, when: str = "") -> str:
    condition = f"WHEN {when}" if when else ""
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    )


SQLITE_FORWARD = [
    """CREATE TABLE registers_history_guard (
           id INTEGER PRIMARY KEY CHECK (id = 1),
           purge_open INTEGER NOT NULL DEFAULT 0 CHECK (purge_open IN (0, 1))
       );""",
    "INSERT INTO registers_history_guard (id, purge_open) VALUES (1, 0);",
    _sqlite_refusal(
        "registers_mark_never_deleted",
        "registers_mark",
        "DELETE",
        "registers_mark keeps every entry for six years: DELETE refused",
        SQLITE_CLOSED,
    ),
    "DROP TRIGGER IF EXISTS registers_markamendment_no_delete;",
    _sqlite_refusal(
        "registers_markamendment_no_delete",
        "registers_markamendment",
        "DELETE",
        "registers_markamendment is append-only: DELETE refused",
        SQLITE_CLOSED,
    ),
    "DROP TRIGGER IF EXISTS escalation_escalationevent_no_delete;",
    _sqlite_refusal(
        "escalation_escalationevent_no_delete",
        "escalation_escalationevent",
        "DELETE",
        "escalation_escalationevent is append-only: DELETE refused",
        SQLITE_CLOSED,
    ),
    _sqlite_refusal(
        "registers_retentionpurge_no_update",
        "registers_retentionpurge",
        "UPDATE",
        "registers_retentionpurge is append-only: UPDATE refused",
    ),
    _sqlite_refusal(
        "registers_retentionpurge_no_delete",
        "registers_retentionpurge",
        "DELETE",
        "registers_retentionpurge is append-only: DELETE refused",
        SQLITE_CLOSED,
    ),
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS registers_retentionpurge_no_delete;",
    "DROP TRIGGER IF EXISTS registers_retentionpurge_no_update;",
    "DROP TRIGGER IF EXISTS escalation_escalationevent_no_delete;",
    _sqlite_refusal(
        "escalation_escalationevent_no_delete",
        "escalation_escalationevent",
        "DELETE",
        "escalation_escalationevent is append-only: DELETE refused",
    ),
    "DROP TRIGGER IF EXISTS registers_markamendment_no_delete;",
    _sqlite_refusal(
        "registers_markamendment_no_delete",
        "registers_markamendment",
        "DELETE",
        "registers_markamendment is append-only: DELETE refused",
    ),
    "DROP TRIGGER IF EXISTS registers_mark_never_deleted;",
    "DROP TABLE IF EXISTS registers_history_guard;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0006_leave_and_planned"),
        # Its trigger function is replaced below.
        ("escalation", "0002_events_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RetentionPurge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "run_on",
                    models.DateField(help_text="The day the purge counted six years back from."),
                ),
                (
                    "left_before",
                    models.DateField(help_text="Pupils who left before this day were removed."),
                ),
                ("pupil_count", models.PositiveIntegerField()),
                (
                    "rows_removed",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="Rows removed per table (model label → count).",
                    ),
                ),
                (
                    "upn_digests",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="SHA-256 of '<school URN>:<UPN>' per pupil removed.",
                    ),
                ),
                ("actor_name", models.CharField(max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="retention_purges",
                        to="registers.school",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("left_before__lte", models.F("run_on"))),
                        name="registers_retentionpurge_cutoff_in_the_past",
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
