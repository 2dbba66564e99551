import zoneinfo

from django.db import migrations

TASK_NAME = "Verify stored figures"
TASK = "registers.verify_figures"


def schedule(apps, schema_editor):
    """Sunday 03:30 (Europe/London), weekly: away from the nightly sweep and registers."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="0",
        day_of_month="*",
        month_of_year="*",
        timezone=zoneinfo.ZoneInfo("Europe/London"),
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": TASK, "crontab": crontab, "enabled": True}
    )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME, task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("registers", "0023_backfill_week_counts"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
