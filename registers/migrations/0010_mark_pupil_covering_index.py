"""On PostgreSQL, the marks' one-per-session index also covers code, school and id, so the
figures of a few pupils (the dashboard's impact of cases, a pupil's page) are read from it
alone; the pupil's own index goes, as this one starts with the pupil.

PostgreSQL only, and outside Django's model state (which keeps the plain constraint):
SQLite, for development, cannot create a unique constraint with included columns (Django
would leave the constraint out altogether), and altering the marks there rebuilds the
table, which drops the history triggers of migrations 0003 and 0007.

Run in one transaction: the marks table is locked while the index is rebuilt (about 10 s
for 7.5 million marks on the benchmark machine), so run it out of school hours.
"""

import django.db.models.deletion
from django.db import migrations, models

CONSTRAINT = "registers_mark_one_per_session"
PUPIL_INDEX = "registers_mark_pupil_id_92bb4a20"  # Django's name for the pupil FK's index


def covering(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE registers_mark DROP CONSTRAINT {CONSTRAINT}")
    schema_editor.execute(
        f"ALTER TABLE registers_mark ADD CONSTRAINT {CONSTRAINT} "
        "UNIQUE (pupil_id, date, session) INCLUDE (code_id, school_id, id)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {PUPIL_INDEX}")


def plain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {PUPIL_INDEX} ON registers_mark (pupil_id)")
    schema_editor.execute(f"ALTER TABLE registers_mark DROP CONSTRAINT {CONSTRAINT}")
    schema_editor.execute(
        f"ALTER TABLE registers_mark ADD CONSTRAINT {CONSTRAINT} UNIQUE (pupil_id, date, session)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0009_school_dfe_number"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="mark",
                    name="pupil",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="marks",
                        to="registers.pupil",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(covering, plain)],
        ),
    ]
