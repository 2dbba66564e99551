"""The first-day calling log: every call the office makes about an unexplained absence.

Each attempt is kept (no answer, voicemail, …), not only the one that found the reason,
so the pupil's file shows how hard the school tried to reach the family (docs/domain.md §9).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .base import SchoolScopedQuerySet, TimeStamped


class CallAttemptQuerySet(SchoolScopedQuerySet):
    def on(self, day: dt.date):
        return self.filter(date=day)

    def resolving(self):
        return self.filter(outcome__in=CallAttempt.RESOLVING)


class CallAttempt(TimeStamped):
    class Outcome(models.TextChoices):
        REASON = "reason", "Reason given"
        NO_ANSWER = "no_answer", "No answer"
        VOICEMAIL = "voicemail", "Left voicemail"
        MESSAGE = "message", "Message sent"
        UNOBTAINABLE = "unobtainable", "Number unobtainable"
        ARRIVED_LATE = "arrived_late", "Arrived late"

    # Outcomes that settle the absence: the N mark(s) were replaced by a code.
    RESOLVING = frozenset({Outcome.REASON, Outcome.ARRIVED_LATE})

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="call_attempts"
    )
    # PROTECT, like marks: the call log is evidence of the school's follow-up.
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.PROTECT, related_name="call_attempts"
    )
    date = models.DateField(help_text="The day of the absence the call was about.")
    called_at = models.DateTimeField(default=timezone.now)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        "registers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_attempts",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    code_given = models.ForeignKey(
        "registers.AttendanceCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(max_length=300, blank=True)

    objects = CallAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["called_at", "pk"]
        constraints = [
            # A code is recorded exactly when the call settled the absence; a late arrival
            # can only be L (before the register closed) or U (after).
            models.CheckConstraint(
                condition=(Q(outcome="reason") & Q(code_given__isnull=False))
                | (Q(outcome="arrived_late") & Q(code_given__in=["L", "U"]))
                | (~Q(outcome__in=["reason", "arrived_late"]) & Q(code_given__isnull=True)),
                name="registers_callattempt_code_matches_outcome",
            ),
        ]
        indexes = [
            # The calling list loads one school's calls of one day.
            models.Index(fields=["school", "date"], name="registers_callattempt_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.date} {self.get_outcome_display()}"

    @property
    def resolved(self) -> bool:
        return self.outcome in self.RESOLVING
