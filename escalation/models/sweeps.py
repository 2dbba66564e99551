from __future__ import annotations

from django.db import models
from django.db.models import Q

from registers.models.base import SchoolScopedQuerySet, TimeStamped


class SweepRun(TimeStamped):
    """One school's sweep for one night: claimed before the work, finished after it."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="sweep_runs"
    )
    as_of = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    # Stamped every SWEEP_HEARTBEAT_SECONDS while the holder sweeps; a claim whose holder
    # stopped stamping has expired (escalation.services.sweep._claim).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "as_of"], name="escalation_sweeprun_one_per_school_day"
            ),
            models.CheckConstraint(
                condition=Q(status="running") | Q(finished_at__isnull=False),
                name="escalation_sweeprun_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Sweep {self.school_id} {self.as_of} ({self.status})"
