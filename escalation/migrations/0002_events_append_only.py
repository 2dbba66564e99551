"""Make the case timeline append-only in the database itself.

The timeline is the record a local authority relies on when it takes a case over (and,
for prosecution, evidence of the support offered), so no code path, admin action or
shell session may rewrite or remove it.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION escalation_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'escalation_escalationevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER escalation_escalationevent_append_only
    BEFORE UPDATE OR DELETE ON escalation_escalationevent
    FOR EACH ROW EXECUTE FUNCTION escalation_refuse_event_change();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS escalation_escalationevent_append_only ON escalation_escalationevent;
DROP FUNCTION IF EXISTS escalation_refuse_event_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER escalation_escalationevent_no_update BEFORE UPDATE ON escalation_escalationevent
       BEGIN SELECT RAISE(ABORT, 'escalation_escalationevent is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER escalation_escalationevent_no_delete BEFORE DELETE ON escalation_escalationevent
       BEGIN SELECT RAISE(ABORT, 'escalation_escalationevent is append-only: DELETE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS escalation_escalationevent_no_update;",
    "DROP TRIGGER IF EXISTS escalation_escalationevent_no_delete;",
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
    dependencies = [("escalation", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
