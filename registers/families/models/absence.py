"""A parent's report of an absence, from the parents' portal, for the office to accept.

Accepting records the code through the registers' audited mark services
(registers/families/services/absence.py); until then the register keeps what it has (N,
or nothing), and the first-day message is not sent for the sessions reported.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from registers.models.base import SchoolScopedQuerySet, Session, TimeStamped
from registers.models.leave import session_key


class AbsenceReportQuerySet(SchoolScopedQuerySet):
    def covering(self, day: dt.date):
        return self.filter(start_date__lte=day, end_date__gte=day)

    def open(self):
        return self.filter(status=AbsenceReport.Status.REPORTED)

    def standing(self):
        """Reports that explain an absence: waiting for the office, or accepted."""
        return self.exclude(status=AbsenceReport.Status.DECLINED)


class AbsenceReport(TimeStamped):
    class Reason(models.TextChoices):
        ILLNESS = "illness", "Illness"
        MEDICAL = "medical", "Medical or dental appointment"
        RELIGIOUS = "religious", "Religious observance"
        FAMILY = "family", "Family emergency or bereavement"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported by parent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="absence_reports"
    )
    # PROTECT, like marks: a report is the evidence behind an authorised absence.
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.PROTECT, related_name="absence_reports"
    )
    contact = models.ForeignKey(
        "registers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="absence_reports",
    )
    # Kept as written, so the record still says who reported if the contact is removed.
    reported_by_name = models.CharField(max_length=200)
    reported_at = models.DateTimeField(default=timezone.now)
    start_date = models.DateField()
    start_session = models.CharField(max_length=2, choices=Session.choices, default=Session.AM)
    end_date = models.DateField()
    end_session = models.CharField(max_length=2, choices=Session.choices, default=Session.PM)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REPORTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    code = models.CharField(
        max_length=2, blank=True, help_text="The code recorded when the report was accepted."
    )

    objects = AbsenceReportQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date"))
                | (Q(end_date=F("start_date")) & ~Q(start_session="PM", end_session="AM")),
                name="families_absencereport_span_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="reported", decided_at__isnull=True)
                | (~Q(status="reported") & Q(decided_at__isnull=False)),
                name="families_absencereport_decided_when_not_open",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | ~Q(code=""),
                name="families_absencereport_accepted_has_code",
            ),
        ]
        indexes = [
            # The calling list and the first-day job: a school's reports covering a day.
            models.Index(
                fields=["school", "start_date", "end_date"], name="families_report_span_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} for {self.pupil} from {self.start_date}"

    def covers(self, day: dt.date, session: str) -> bool:
        key = session_key(day, session)
        start = session_key(self.start_date, self.start_session)
        return start <= key <= session_key(self.end_date, self.end_session)
