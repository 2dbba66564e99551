from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .base import TimeStamped


class Trust(TimeStamped):
    name = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.name


PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class School(TimeStamped):
    class Phase(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        SPECIAL = "special", "Special"

    urn = models.CharField(
        "URN",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "A URN is six digits.")],
    )
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=10, choices=Phase.choices)
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )
    # School policy, not DfE thresholds (docs/domain.md §2): the national lines are fixed at
    # 90% (persistent) and 50% (severe) and are not configurable.
    target_pct = models.DecimalField(
        "expected attendance (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("96"),
        validators=PERCENT,
    )
    formal_meeting_pct = models.DecimalField(
        "formal meeting below (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("92"),
        validators=PERCENT,
    )
    dip_points = models.DecimalField(
        "dip that triggers a discussion (points)",
        max_digits=4,
        decimal_places=1,
        default=Decimal("2"),
        validators=PERCENT,
    )
    # The register must close within 30 minutes of opening (2024 guidance); after it, U.
    register_open_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MaxValueValidator(30)]
    )
    # The sweep's first step for a newly concerning pupil is a conversation task for the
    # officer; with this on, the standard letter waits until a conversation is recorded.
    letter_after_conversation = models.BooleanField(
        "standard letters only after a conversation with the family",
        default=True,
        help_text="The nightly sweep first asks the officer to talk to the family; the "
        "standard letter follows once a conversation is recorded on the case.",
    )
    # When each session begins: a register is missing only once its session has begun and
    # the grace period has passed; teachers cannot take a register before its session.
    am_starts = models.TimeField("morning session starts", default=dt.time(8, 45))
    pm_starts = models.TimeField("afternoon session starts", default=dt.time(13, 15))
    missing_grace_minutes = models.PositiveSmallIntegerField(
        "a register is missing this many minutes after its session starts",
        default=15,
        validators=[MaxValueValidator(240)],
    )
    reminder_minutes = models.PositiveSmallIntegerField(
        "remind teachers of a missing register this many minutes after the session starts",
        default=20,
        validators=[MaxValueValidator(240)],
    )
    la_name = models.CharField("local authority", max_length=120, blank=True)
    # The DfE number is LA number + establishment number (e.g. 873/2001); the Common
    # Transfer File names the sending school by them, beside the URN.
    la_number = models.CharField(
        "LA number",
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^\d{3}$", "An LA number is three digits.")],
    )
    establishment_number = models.CharField(
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", "An establishment number is four digits.")],
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Sign-in policy: with it on, staff who see pupils (officers, teachers, heads and the
    # trust's leads) must enrol an authenticator app and enter its code at every sign-in
    # (attendance_portal/identity/policy.py). Set by `setup_school --require-mfa Y|N` or in
    # the admin.
    require_mfa = models.BooleanField(
        "staff must use two-step sign-in",
        default=False,
        help_text="Officers, teachers, heads and trust leads must enter a code from an "
        "authenticator app after their password. Governors are not forced.",
    )
    # The serial number of the school's last Common Transfer File (the <nnn> of its name).
    ctf_serial = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(urn__regex=r"^[0-9]{6}$"), name="registers_school_urn_six_digits"
            ),
            models.CheckConstraint(
                condition=Q(formal_meeting_pct__lte=models.F("target_pct"))
                & Q(target_pct__lte=100)
                & Q(formal_meeting_pct__gte=0),
                name="registers_school_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(register_open_minutes__lte=30),
                name="registers_school_register_open_at_most_30_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    def session_starts(self, day: dt.date, session: str) -> dt.datetime:
        """When the session of `day` begins, in the school's time zone."""
        start = self.am_starts if session == "AM" else self.pm_starts
        return timezone.make_aware(dt.datetime.combine(day, start))

    def register_due(self, day: dt.date, session: str, now: dt.datetime) -> bool:
        """Whether the register is overdue ("missing" if not taken): its session has begun
        and the grace period has passed."""
        grace = dt.timedelta(minutes=self.missing_grace_minutes)
        return now >= self.session_starts(day, session) + grace


class Membership(TimeStamped):
    """A user's role at one school, or (for trust leads) across one trust, or (for a local
    authority's attendance team) across every school with its LA number."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Attendance officer"
        TEACHER = "teacher", "Teacher"
        HEAD = "head", "Headteacher"
        GOVERNOR = "governor", "Governor"
        TRUST = "trust", "Trust lead"
        LA = "la", "Local authority"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    forms = models.ManyToManyField("registers.Form", blank=True, related_name="teachers")
    # A local authority's member follows the schools whose School.la_number is this one.
    la_number = models.CharField(
        "LA number",
        max_length=3,
        blank=True,
        default="",
        validators=[RegexValidator(r"^\d{3}$", "An LA number is three digits.")],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school"],
                condition=Q(school__isnull=False),
                name="registers_membership_one_per_school",
            ),
            models.UniqueConstraint(
                fields=["user", "trust"],
                condition=Q(trust__isnull=False),
                name="registers_membership_one_per_trust",
            ),
            models.UniqueConstraint(
                fields=["user", "la_number"],
                condition=Q(role="la"),
                name="registers_membership_one_per_local_authority",
            ),
            # Trust leads belong to a trust; a local authority's members to an LA number;
            # everybody else to exactly one school.
            models.CheckConstraint(
                condition=(
                    Q(role="trust")
                    & Q(trust__isnull=False)
                    & Q(school__isnull=True)
                    & Q(la_number="")
                )
                | (
                    Q(role="la")
                    & Q(la_number__regex=r"^[0-9]{3}$")
                    & Q(school__isnull=True)
                    & Q(trust__isnull=True)
                )
                | (
                    ~Q(role__in=["trust", "la"])
                    & Q(school__isnull=False)
                    & Q(trust__isnull=True)
                    & Q(la_number="")
                ),
                name="registers_membership_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.school or self.trust or f"LA {self.la_number}"
        return f"{self.user} – {self.get_role_display()} at {where}"
