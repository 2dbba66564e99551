"""Internal-truancy alerts (docs/domain.md §11) with their append-only history, and the
pastoral leads who see them beside the attendance officers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from registers.lessons import rules
from registers.models.base import SchoolScopedQuerySet, Session, TimeStamped
from registers.models.pupils import YEAR_GROUPS

OUTCOME_CHOICES = [(o.value, label) for o, label in rules.OUTCOME_LABELS.items()]


class PastoralLead(TimeStamped):
    """A teacher who leads pastoral care (a head of year, a pastoral manager): they see the
    internal-truancy alerts and patterns, of one year group or (blank) of every year."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        "registers.Membership", on_delete=models.CASCADE, related_name="pastoral_roles"
    )
    year_group = models.CharField(max_length=2, blank=True, choices=[(y, y) for y in YEAR_GROUPS])

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "year_group"], name="lessons_pastorallead_once"
            )
        ]


class PastoralLeadEvent(models.Model):
    """A pastoral lead named or removed: who, when, for which year. Append-only: written
    only by registers.lessons.services.pastoral."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10)  # "named" or "removed"
    lead = models.ForeignKey(
        "registers.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_name = models.CharField(max_length=200)  # the record survives the membership
    year_group = models.CharField(max_length=2, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    actor_role = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lead_name} {self.action} by {self.actor_name}"


class TruancyAlert(TimeStamped):
    """A pupil in school at registration but absent from a lesson of that session."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Outcome recorded"
        WITHDRAWN = "withdrawn", "Withdrawn: a lesson or statutory mark was corrected"

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.PROTECT, related_name="truancy_alerts"
    )
    register = models.ForeignKey(
        "lessons.LessonRegister", on_delete=models.PROTECT, related_name="alerts"
    )
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    statutory_code = models.CharField(max_length=2)
    last_seen = models.ForeignKey(
        "lessons.LessonMark", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES, blank=True)
    note = models.CharField(max_length=500, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["register", "pupil"], name="lessons_alert_once"),
            models.CheckConstraint(
                condition=~Q(status="resolved") | ~Q(outcome=""),
                name="lessons_truancyalert_resolved_has_outcome",
            ),
        ]
        indexes = [
            # The alert list: a school's alerts of a day, open first.
            models.Index(fields=["school", "date", "status"], name="lessons_alert_day_idx"),
            models.Index(fields=["pupil", "date"], name="lessons_alert_pupil_idx"),
        ]


class AlertEvent(models.Model):
    """One thing done to an alert (raised, outcome recorded, withdrawn): who, when, what.
    Append-only: written only by registers.lessons.services.alerts."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(TruancyAlert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES, blank=True)
    note = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the record survives the account: name and position at the time.
    actor_name = models.CharField(max_length=200)
    actor_role = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_name}"
