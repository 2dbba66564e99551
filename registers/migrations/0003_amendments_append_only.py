"""Make the amendment history append-only in the database itself.

Registers must keep every entry, original and amended, for six years (SI 2024/208 reg 7),
so no code path, admin action or stray shell session may rewrite or remove history.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION registers_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'registers_markamendment is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER registers_markamendment_append_only
    BEFORE UPDATE OR DELETE ON registers_markamendment
    FOR EACH ROW EXECUTE FUNCTION registers_refuse_history_change();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS registers_markamendment_append_only ON registers_markamendment;
DROP FUNCTION IF EXISTS registers_refuse_history_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER registers_markamendment_no_update BEFORE UPDATE ON registers_markamendment
       BEGIN SELECT RAISE(ABORT, 'registers_markamendment is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER registers_markamendment_no_delete BEFORE DELETE ON registers_markamendment
       BEGIN SELECT RAISE(ABORT, 'registers_markamendment is append-only: DELETE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS registers_markamendment_no_update;",
    "DROP TRIGGER IF EXISTS registers_markamendment_no_delete;",
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
    dependencies = [("registers", "0002_load_attendance_codes")]
    operations = [migrations.RunPython(forward, backward)]
