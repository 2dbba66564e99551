"""The record of each retention purge: pupils removed once the registers no longer need to
be kept (SI 2024/208 reg 7: six years), so the school can show what it deleted and when.

Append-only like the register's history (the database refuses UPDATE and DELETE, see
migration 0007), and it names no pupil: UPNs are kept only as salted SHA-256 digests, so a
UPN can be checked against the record but the record alone reveals nobody.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .base import SchoolScopedQuerySet


class RetentionPurge(models.Model):
    school = models.ForeignKey(
        "registers.School", on_delete=models.PROTECT, related_name="retention_purges"
    )
    run_on = models.DateField(help_text="The day the purge counted six years back from.")
    left_before = models.DateField(help_text="Pupils who left before this day were removed.")
    pupil_count = models.PositiveIntegerField()
    rows_removed = models.JSONField(
        default=dict, blank=True, help_text="Rows removed per table (model label → count)."
    )
    upn_digests = models.JSONField(
        default=list, blank=True, help_text="SHA-256 of '<school URN>:<UPN>' per pupil removed."
    )
    # PROTECT, not SET_NULL: the row cannot be updated (deactivate staff instead).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as text so the record outlives the account, as for amendments.
    actor_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_before__lte=models.F("run_on")),
                name="registers_retentionpurge_cutoff_in_the_past",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention purge {self.run_on}: {self.pupil_count} pupil(s)"
