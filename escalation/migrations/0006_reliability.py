"""Recovery without a person (issue 22): the sweep's claim gets a heartbeat, and beat gets
two jobs: every minute, send again what was committed but never queued (and resume letter
batches whose worker died); at 05:00 London, re-queue the sweep of every school not swept
for the night. Idempotent: re-running finds the rows."""

import zoneinfo

from django.db import migrations, models

REQUEUE = ("Re-queue stalled jobs", "escalation.requeue_stalled")
CHECK = ("Check the night's sweeps", "escalation.check_night_sweeps")


def forward(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=REQUEUE[0], defaults={"task": REQUEUE[1], "interval": every_minute, "enabled": True}
    )
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="5",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=zoneinfo.ZoneInfo("Europe/London"),
    )
    PeriodicTask.objects.get_or_create(
        name=CHECK[0], defaults={"task": CHECK[1], "crontab": morning, "enabled": True}
    )


def backward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task in (REQUEUE, CHECK):
        PeriodicTask.objects.filter(name=name, task=task).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0005_law_ladder"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="sweeprun",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
