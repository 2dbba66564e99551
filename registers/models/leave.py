"""Absences known before they happen: leave of absence a family asks for, and planned
absences the school arranges or is told about (appointments, trips, work experience).

Leave of absence (SI 2024/208 reg 11) may be granted only by a person the proprietor
authorises (here: the headteacher) and only in the circumstances the regulations list, each
with its own code: exceptional circumstances (C), a regulated performance or regulated
employment abroad (C1), an interview (J1), study leave for a public examination (S) and a
temporary part-time timetable (C2). There is no "holiday" kind: since 19 August 2024 a
term-time holiday cannot be authorised (code H was withdrawn); a holiday request is decided
as exceptional circumstances or refused, and holiday taken anyway is coded G.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .base import SchoolScopedQuerySet, Session, TimeStamped

# Mark.Source values of marks pre-filled from granted leave or a planned absence: a teacher's
# register shows them locked, and only the attendance office changes them (with a reason).
PREFILLED_SOURCES = frozenset({"leave", "planned"})


def session_key(day: dt.date, session: str) -> tuple[dt.date, int]:
    """Sort key of a session: AM before PM on the same day."""
    return (day, 0 if session == Session.AM else 1)


class _SessionSpan(TimeStamped):
    """From a date and session to a date and session, both included."""

    start_date = models.DateField()
    start_session = models.CharField(max_length=2, choices=Session.choices, default=Session.AM)
    end_date = models.DateField()
    end_session = models.CharField(max_length=2, choices=Session.choices, default=Session.PM)

    class Meta:
        abstract = True

    def covers(self, day: dt.date, session: str) -> bool:
        key = session_key(day, session)
        start = session_key(self.start_date, self.start_session)
        return start <= key <= session_key(self.end_date, self.end_session)


# The span ends no earlier than it starts: a later date, or the same date unless it would
# run from the afternoon back to the morning.
SPAN_ORDERED = Q(end_date__gt=F("start_date")) | (
    Q(end_date=F("start_date")) & ~Q(start_session=Session.PM, end_session=Session.AM)
)


class LeaveRequestQuerySet(SchoolScopedQuerySet):
    def granted(self):
        return self.filter(status=LeaveRequest.Status.GRANTED)

    def covering(self, day: dt.date):
        return self.filter(start_date__lte=day, end_date__gte=day)


class LeaveRequest(_SessionSpan):
    class Kind(models.TextChoices):
        EXCEPTIONAL = "exceptional", "Exceptional circumstances"
        PERFORMANCE = "performance", "Regulated performance or regulated employment abroad"
        INTERVIEW = "interview", "Interview (employment or admission)"
        STUDY = "study", "Study leave for a public examination"
        PART_TIME = "part_time", "Temporary part-time timetable"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Sessions(models.TextChoices):
        """Which sessions of each day the leave covers (a part-time timetable is often
        mornings in school, afternoons on leave)."""

        BOTH = "both", "Morning and afternoon"
        AM = "AM", "Mornings only"
        PM = "PM", "Afternoons only"

    # The code each kind is recorded with once granted (SI 2024/208 reg 10, Table 2).
    CODES = {
        Kind.EXCEPTIONAL: "C",
        Kind.PERFORMANCE: "C1",
        Kind.INTERVIEW: "J1",
        Kind.STUDY: "S",
        Kind.PART_TIME: "C2",
    }
    DECIDED = frozenset({Status.GRANTED, Status.REFUSED})

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="leave_requests"
    )
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.PROTECT, related_name="leave_requests"
    )
    requested_by_name = models.CharField("requested by", max_length=200)
    requested_by_relationship = models.CharField("relationship to the pupil", max_length=60)
    requested_on = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sessions = models.CharField(max_length=4, choices=Sessions.choices, default=Sessions.BOTH)
    reason = models.TextField()
    review_date = models.DateField(null=True, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the letter and the G amendments still name who decided.
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = LeaveRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=SPAN_ORDERED, name="registers_leaverequest_dates_ordered"
            ),
            # A part-time timetable must be temporary and reviewed (2024 guidance).
            models.CheckConstraint(
                condition=~Q(kind="part_time") | Q(review_date__isnull=False),
                name="registers_leaverequest_c2_needs_review_date",
            ),
            models.CheckConstraint(
                condition=Q(review_date__isnull=True) | Q(review_date__gte=F("start_date")),
                name="registers_leaverequest_review_after_start",
            ),
            # A decision always says who made it and when; an undecided request has neither.
            models.CheckConstraint(
                condition=(Q(status__in=["granted", "refused"]) & Q(decided_at__isnull=False))
                | (~Q(status__in=["granted", "refused"]) & Q(decided_at__isnull=True)),
                name="registers_leaverequest_decision_recorded",
            ),
        ]
        indexes = [
            # The leave list filters one school's requests by status.
            models.Index(fields=["school", "status"], name="registers_leave_status_idx"),
            # c2_reviews_due: granted part-time timetables by review date.
            models.Index(
                fields=["school", "review_date"],
                condition=Q(kind="part_time", status="granted"),
                name="registers_leave_c2_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.get_kind_display()} {self.start_date}–{self.end_date}"

    @property
    def code(self) -> str:
        return self.CODES[self.Kind(self.kind)]

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED

    def covers(self, day: dt.date, session: str) -> bool:
        if self.sessions != self.Sessions.BOTH and session != self.sessions:
            return False
        return super().covers(day, session)


class PlannedAbsenceQuerySet(SchoolScopedQuerySet):
    def covering(self, day: dt.date):
        return self.filter(start_date__lte=day, end_date__gte=day)


class PlannedAbsence(_SessionSpan):
    """An absence the school knows about in advance and pre-fills in the registers."""

    class Code(models.TextChoices):
        MEDICAL = "M", "M – medical or dental appointment"
        TRIP = "V", "V – educational visit or trip"
        SPORT = "P", "P – supervised sporting activity"
        WORK = "W", "W – work experience"
        OTHER = "B", "B – other approved educational activity"
        LA_PROVISION = "K", "K – education provision arranged by the local authority"

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="planned_absences"
    )
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.PROTECT, related_name="planned_absences"
    )
    code = models.CharField(max_length=2, choices=Code.choices)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PlannedAbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=SPAN_ORDERED, name="registers_plannedabsence_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(code__in=["M", "V", "P", "W", "B", "K"]),
                name="registers_plannedabsence_code_allowed",
            ),
        ]
        indexes = [
            # The planned list and the register's badges look up one school's spans by date.
            models.Index(fields=["school", "start_date"], name="registers_planned_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.code} {self.start_date}–{self.end_date}"
