"""The marks' (school, date) index becomes covering (registers.models.marks, Mark.Meta):
figures read a school's marks from the index alone. The new index is built before the
old one goes, so the figures' queries always have one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0007_marks_never_deleted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="mark",
            index=models.Index(
                fields=["school", "date"],
                include=("session", "pupil", "code", "id"),
                name="registers_mark_year_scan_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="mark",
            name="registers_mark_school_date_idx",
        ),
    ]
