"""Celery entry points of the registers app."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from registers.models import School
from registers.services.partitions import ensure_coming_partitions
from registers.services.reminders import (
    send_officer_summary,
    send_other_reminders,
    send_teacher_reminders,
)
from registers.services.stored_figures import verify


@shared_task(name="registers.register_reminders")
def register_reminders_task() -> dict:
    """Celery beat, every five minutes of the school day (registers migration 0015):
    remind teachers of their missing registers and send officers the hourly summary.
    Idempotent: a re-run or a redelivered task sends nothing twice."""
    now = timezone.now()
    teachers = summaries = others = 0
    for school in School.objects.order_by("pk"):
        teachers += send_teacher_reminders(school=school, now=now)
        summaries += send_officer_summary(school=school, now=now)
        # Lesson registers (registers.lessons) remind their teachers in the same job.
        others += send_other_reminders(school=school, now=now)
    return {"teacher_reminders": teachers, "officer_summaries": summaries, "other": others}


@shared_task(name="registers.ensure_mark_partitions")
def ensure_mark_partitions_task() -> list[int]:
    """Celery beat, daily (registers migration 0021): this academic year's marks partition
    and next year's exist, whatever the calendars say. Idempotent."""
    return ensure_coming_partitions(today=timezone.localdate())


@shared_task(name="registers.verify_figures")
def verify_figures_task() -> dict:
    """Celery beat, weekly (registers migration 0024): every school's stored figures
    against its marks, repaired where they differ; each difference is logged as an error
    (registers.services.stored_figures.verify), so a writer that forgot them is found
    within a week and its figures made right. Safe to run twice."""
    repaired = {}
    for school in School.objects.order_by("pk"):
        if differences := verify(school=school, repair=True):
            repaired[school.urn] = len(differences)
    return {"schools_repaired": repaired}
