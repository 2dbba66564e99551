"""Pupils leaving the site during the day and coming back (issue 17: the fire list).

Append-only, like the marks' history: each row is what the office recorded, who recorded it
and when, so the evacuation list can be explained afterwards. A pupil is off site from their
latest LEFT until a later RETURNED. The marks are not touched: a pupil who leaves after
registration was present at it (docs/domain.md §3).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .base import SchoolScopedQuerySet


class SiteMovement(models.Model):
    class Kind(models.TextChoices):
        LEFT = "left", "Left the site"
        RETURNED = "returned", "Back on site"

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.CASCADE, related_name="site_movements"
    )
    date = models.DateField()
    at = models.TimeField()  # the time the pupil left or came back, as the office gives it
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the record outlives the account, as for amendments.
    recorded_by_name = models.CharField(max_length=200)
    recorded_by_role = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "at", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="registers_sitemovement_reason_required"
            ),
        ]
        indexes = [
            # The fire list and the early-leavers page read one school's day.
            models.Index(fields=["school", "date"], name="registers_movement_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.kind} {self.date} {self.at}"
