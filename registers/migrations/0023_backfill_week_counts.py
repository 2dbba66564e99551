"""Fill the stored figures (WeekCount) of every school from its marks.

It calls the service that keeps them in step (registers.services.stored_figures.refresh),
not a copy of it, so the backfill counts exactly as every later write does; that service
reads only columns this migration's state has (marks, school days, pupils' dates on roll).
On a big database this takes a while (about a second per 1,000 pupils' year of marks);
`manage.py verify_figures --repair` does the same job later if need be."""

from django.db import migrations


def backfill(apps, schema_editor):
    from registers.models import School
    from registers.services.stored_figures import refresh

    for school in School.objects.order_by("pk").iterator():
        refresh(school=school)


class Migration(migrations.Migration):
    dependencies = [("registers", "0022_stored_week_counts")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
