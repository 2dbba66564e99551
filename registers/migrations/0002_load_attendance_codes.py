"""Load the statutory code table from registers.codes (re-runnable: update_or_create)."""

from django.db import migrations


def load_codes(apps, schema_editor):
    from registers.reference_data import load_codes as load

    load(apps.get_model("registers", "AttendanceCode"))


class Migration(migrations.Migration):
    dependencies = [("registers", "0001_initial")]
    operations = [migrations.RunPython(load_codes, migrations.RunPython.noop)]
