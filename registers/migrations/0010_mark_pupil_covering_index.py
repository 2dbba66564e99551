"""The marks' one-per-session index also covers code, school and id, so the figures of a few
pupils (the dashboard's impact of cases, a pupil's page) are read from it alone; the
pupil's own index goes, as this one starts with the pupil.

Run in one transaction: the marks table is locked while the index is rebuilt (about 10 s
for 7.5 million marks on the benchmark machine), so run it out of school hours.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0009_school_dfe_number"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="mark",
            name="registers_mark_one_per_session",
        ),
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
        migrations.AddConstraint(
            model_name="mark",
            constraint=models.UniqueConstraint(
                fields=("pupil", "date", "session"),
                include=("code", "school", "id"),
                name="registers_mark_one_per_session",
            ),
        ),
    ]
