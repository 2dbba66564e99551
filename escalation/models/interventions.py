"""The formal steps of a case: attendance contract, notice to improve, penalty-notice
referral. Each is written by a service in escalation.services.interventions, which also
writes the case's timeline event."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from escalation import rules
from registers.models.base import SchoolScopedQuerySet, TimeStamped

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class AttendanceContract(TimeStamped):
    """A voluntary written agreement between the family and the school (docs/domain.md §5)."""

    class Outcome(models.TextChoices):
        PENDING = "", "Not reviewed yet"
        MET = "met", "Targets met"
        PARTLY_MET = "partly_met", "Partly met"
        NOT_MET = "not_met", "Not met"

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="contracts"
    )
    case = models.ForeignKey("escalation.Case", on_delete=models.PROTECT, related_name="contracts")
    agreed_on = models.DateField()
    barriers = models.TextField("barriers to attendance found")
    school_support = models.TextField("support the school will give")
    family_commitments = models.TextField("what the family agrees to do")
    target_pct = models.DecimalField(
        "target attendance (%)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    target_by = models.DateField("target to be reached by", null=True, blank=True)
    other_targets = models.TextField(blank=True)
    parent_name = models.CharField(max_length=200)
    parent_signed_on = models.DateField(null=True, blank=True)
    school_signatory = models.CharField(max_length=200)
    school_signed_on = models.DateField(null=True, blank=True)
    review_on = models.DateField()
    review_outcome = models.CharField(
        max_length=12, choices=Outcome.choices, blank=True, default=Outcome.PENDING
    )
    review_notes = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-agreed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_on__gt=F("agreed_on")),
                name="escalation_attendancecontract_review_after_agreement",
            ),
            models.CheckConstraint(
                condition=Q(target_pct__isnull=True)
                | (Q(target_pct__gte=0) & Q(target_pct__lte=100)),
                name="escalation_attendancecontract_target_is_percent",
            ),
            models.CheckConstraint(
                condition=(Q(review_outcome="") & Q(reviewed_at__isnull=True))
                | (~Q(review_outcome="") & Q(reviewed_at__isnull=False)),
                name="escalation_attendancecontract_outcome_iff_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"Attendance contract {self.agreed_on}"

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None


class NoticeToImprove(TimeStamped):
    """A last formal warning with an improvement period before a penalty notice."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Improvement period running"
        IMPROVED = "improved", "Attendance improved"
        NOT_IMPROVED = "not_improved", "Not improved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("escalation.Case", on_delete=models.PROTECT, related_name="notices")
    issued_on = models.DateField()
    period_school_days = models.PositiveSmallIntegerField(
        default=rules.NOTICE_TO_IMPROVE_SCHOOL_DAYS,
        validators=[
            MinValueValidator(rules.NOTICE_TO_IMPROVE_MIN_SCHOOL_DAYS),
            MaxValueValidator(rules.NOTICE_TO_IMPROVE_MAX_SCHOOL_DAYS),
        ],
    )
    # What the notice must say (docs/domain.md §10), typed on the case page and printed in it.
    support_given = models.TextField("support given so far", blank=True)
    further_support = models.TextField("further support on offer", blank=True)
    sufficient_improvement = models.TextField("what sufficient improvement looks like", blank=True)
    improvement_ends_on = models.DateField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(null=True, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(outcome="pending"),
                name="escalation_noticetoimprove_one_running_per_case",
            ),
            models.CheckConstraint(
                condition=Q(improvement_ends_on__gt=F("issued_on")),
                name="escalation_noticetoimprove_period_after_issue",
            ),
            models.CheckConstraint(
                condition=(Q(outcome="pending") & Q(outcome_on__isnull=True))
                | (~Q(outcome="pending") & Q(outcome_on__isnull=False)),
                name="escalation_noticetoimprove_outcome_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Notice to improve {self.issued_on}"


class PenaltyNoticeReferral(TimeStamped):
    """The school's request that the local authority issue a penalty notice to one parent.

    `sequence` and `period_start` come from rules.penalty_terms; the conditional unique
    constraint makes "at most two counted notices per parent, child and 3-year period"
    hold in the database, whatever the code path.
    """

    class Status(models.TextChoices):
        REFERRED = "referred", "Referred to the local authority"
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid"
        UNPAID = "unpaid", "Unpaid: prosecution considered"
        DECLINED = "declined", "Not issued by the local authority"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Withdrawn notices do not count towards the limit of two (docs/domain.md §4).
    NOT_COUNTED = frozenset({Status.DECLINED, Status.WITHDRAWN})

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        "escalation.Case", on_delete=models.PROTECT, related_name="penalty_referrals"
    )
    pupil = models.ForeignKey("registers.Pupil", on_delete=models.PROTECT, related_name="+")
    parent_name = models.CharField(max_length=200)
    parent_key = models.CharField(max_length=200, help_text="The name, case-folded.")
    referred_on = models.DateField()
    sequence = models.PositiveSmallIntegerField()
    period_start = models.DateField()
    amount_pence = models.PositiveIntegerField()
    early_amount_pence = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REFERRED)
    status_on = models.DateField()
    # The day the local authority issued the notice: the 3 years run from the first one's.
    issued_on = models.DateField(null=True, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "parent_key", "period_start", "sequence"],
                condition=~Q(status__in=["declined", "withdrawn"]),
                name="escalation_penaltynoticereferral_at_most_two_per_period",
            ),
            models.CheckConstraint(
                condition=Q(sequence__in=[1, 2]),
                name="escalation_penaltynoticereferral_first_or_second",
            ),
            models.CheckConstraint(
                condition=Q(early_amount_pence__isnull=True)
                | (Q(sequence=1) & Q(early_amount_pence__lt=F("amount_pence"))),
                name="escalation_penaltynoticereferral_discount_on_first_only",
            ),
            # A period starts at an earlier notice, or at this first notice's issue date.
            models.CheckConstraint(
                condition=Q(period_start__lte=F("referred_on"))
                | (Q(sequence=1) & Q(period_start=F("issued_on"))),
                name="escalation_penaltynoticereferral_period_started",
            ),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(issued_on__gte=F("referred_on")),
                name="escalation_penaltynoticereferral_issued_after_referral",
            ),
        ]
        indexes = [
            # rules.penalty_terms reads a parent's earlier notices for the same child.
            models.Index(fields=["pupil", "parent_key"], name="escalation_penalty_parent_idx"),
        ]

    def __str__(self) -> str:
        return f"Penalty-notice referral {self.sequence} for {self.parent_name}"

    @property
    def counts(self) -> bool:
        return self.status not in self.NOT_COUNTED

    @property
    def amount(self) -> str:
        return rules.pounds(self.amount_pence)

    @property
    def early_amount(self) -> str:
        return rules.pounds(self.early_amount_pence)
