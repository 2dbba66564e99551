"""A pupil's case and its append-only timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from escalation import rules
from registers.models.base import SchoolScopedQuerySet, TimeStamped


class CaseQuerySet(SchoolScopedQuerySet):
    def open(self):
        return self.filter(status=Case.Status.OPEN)


class Case(TimeStamped):
    """One per pupil while open; the stage follows the graduated approach (rules.Stage)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Stage(models.TextChoices):
        MONITORING = rules.Stage.MONITORING.value, "Monitoring"
        LETTER = rules.Stage.LETTER.value, "Letter"
        MEETING = rules.Stage.MEETING.value, "Attendance meeting"
        CONTRACT = rules.Stage.CONTRACT.value, "Attendance contract"
        SUPERVISION_ORDER = rules.Stage.SUPERVISION_ORDER.value, "Education supervision order"
        NOTICE_TO_IMPROVE = rules.Stage.NOTICE_TO_IMPROVE.value, "Notice to improve"
        PENALTY_REFERRAL = rules.Stage.PENALTY_REFERRAL.value, "Penalty-notice referral"
        LA_REFERRAL = rules.Stage.LA_REFERRAL.value, "Local authority referral"

    class Reason(models.TextChoices):
        BAND = rules.OpenReason.BAND.value, "Below the school's target"
        DIP = rules.OpenReason.DIP.value, "Dip between monitoring points"
        FPN_THRESHOLD = rules.OpenReason.FPN_THRESHOLD.value, "Penalty-notice threshold met"
        MANUAL = rules.OpenReason.MANUAL.value, "Opened by staff"

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="cases")
    # PROTECT: a case is part of the pupil's file and of the local authority's evidence.
    pupil = models.ForeignKey("registers.Pupil", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.MONITORING)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    opened_on = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the nightly sweep opened the case.",
    )
    focus = models.BooleanField(
        default=False, help_text="Carried into a new academic year still open."
    )
    next_review = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cases",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"],
                condition=Q(status="open"),
                name="escalation_case_one_open_per_pupil",
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True))
                | (Q(status="closed") & Q(closed_at__isnull=False)),
                name="escalation_case_closed_iff_closed_at",
            ),
        ]
        indexes = [
            # The caseload: a school's open cases, reviews due first.
            models.Index(
                fields=["school", "next_review"],
                condition=Q(status="open"),
                name="escalation_case_caseload_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.get_stage_display()}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def stage_rank(self) -> int:
        return rules.stage_rank(self.stage)


class EscalationEvent(models.Model):
    """One step of a case: who, when, what, what was agreed, the evidence.

    Append-only: the database refuses UPDATE and DELETE (migration 0002). Events the
    sweep writes carry a `key` so that a re-run cannot write the same step twice.
    """

    class Action(models.TextChoices):
        OPENED = "opened", "Case opened"
        STAGE_CHANGED = "stage_changed", "Stage changed"
        NOTE = "note", "Note"
        MEETING_HELD = "meeting_held", "Attendance meeting held"
        CONTRACT_SIGNED = "contract_signed", "Attendance contract agreed"
        CONTRACT_REVIEWED = "contract_reviewed", "Attendance contract reviewed"
        NOTICE_ISSUED = "notice_issued", "Notice to improve issued"
        NOTICE_OUTCOME = "notice_outcome", "Notice to improve outcome"
        REFERRAL_MADE = "referral_made", "Referral made"
        REFERRAL_OUTCOME = "referral_outcome", "Referral outcome"
        LETTER_QUEUED = "letter_queued", "Letter queued"
        DIP_FLAGGED = "dip_flagged", "Dip flagged"
        FPN_CANDIDATE = "fpn_candidate", "Penalty-notice threshold met"
        FOCUS = "focus", "Focus pupil for the new year"
        CONVERSATION_DUE = "conversation_due", "Conversation with the family due"
        SEVERE_PATHWAY = "severe_pathway", "Severe absence: top priority"
        SUPERVISION_ORDER = "supervision_order", "Education supervision order requested"
        CLOSED = "closed", "Case closed"

    school = models.ForeignKey(
        "registers.School", on_delete=models.PROTECT, related_name="escalation_events"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    pupil = models.ForeignKey("registers.Pupil", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    occurred_on = models.DateField(help_text="The day it happened (a meeting's date, …).")
    # PROTECT, not SET_NULL: history rows cannot be updated; deactivate staff instead.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as text so the record outlives the account: name and position at the time.
    actor_name = models.CharField(max_length=200)
    actor_role = models.CharField(max_length=60, blank=True)
    summary = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "action", "key"],
                condition=~Q(key=""),
                name="escalation_escalationevent_once_per_key",
            ),
            models.CheckConstraint(
                condition=~Q(summary=""), name="escalation_escalationevent_summary_required"
            ),
        ]
        indexes = [
            # The case page's timeline.
            models.Index(fields=["case", "occurred_on"], name="escalation_event_case_idx"),
            # The sweep's summary and the letters queue: a school's events of one night.
            models.Index(
                fields=["school", "occurred_on", "action"], name="escalation_event_night_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_action_display()}"
