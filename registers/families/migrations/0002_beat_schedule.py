"""Schedule the families' jobs on Celery beat: every five minutes of the school day,
families.first_day_due (it finds the schools whose first-day messages are due and sends
what is queued); every ten minutes, families.poll_delivery (delivery receipts when there is
no callback, and rows lost with their worker). Idempotent: re-running finds the rows."""

import zoneinfo

from django.db import migrations

TASKS = {
    "Families: first-day messages and the send queue": ("families.first_day_due", "*/5", "7-20"),
    "Families: delivery status": ("families.poll_delivery", "*/10", "7-21"),
}


def forward(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, minute, hour) in TASKS.items():
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="1-5",
            day_of_month="*",
            month_of_year="*",
            timezone=zoneinfo.ZoneInfo("Europe/London"),
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": schedule, "enabled": True}
        )


def backward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, _, _) in TASKS.items():
        PeriodicTask.objects.filter(name=name, task=task).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forward, backward)]
