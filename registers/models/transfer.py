"""Attendance a pupil brought from a previous school, read from its Common Transfer File.

One row per academic year and source school, as the CTF's <Attendance><YearData> carries
it (docs/domain.md §7). It is history to show, never marks of this school's register: the
figures of this school are computed from its own marks only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from registers import rates

from .base import SchoolScopedQuerySet, TimeStamped


class PriorAttendance(TimeStamped):
    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="prior_attendance"
    )
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.CASCADE, related_name="prior_attendance"
    )
    year = models.PositiveSmallIntegerField(help_text="The calendar year the academic year began")
    source_lea = models.CharField("LA number", max_length=3, blank=True)
    source_estab = models.CharField("establishment number", max_length=4, blank=True)
    source_school_name = models.CharField(max_length=200)
    sessions_possible = models.PositiveIntegerField()
    sessions_authorised = models.PositiveIntegerField()
    sessions_attended = models.PositiveIntegerField()
    sessions_unauthorised = models.PositiveIntegerField()
    start_date = models.DateField(null=True, blank=True)
    marks = models.TextField(blank=True, help_text="One character per session, as in the CTF")
    source_file = models.CharField(max_length=255, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "source_school_name"]
        constraints = [
            # Re-importing the same file updates the row instead of adding a second one.
            models.UniqueConstraint(
                fields=["pupil", "year", "source_lea", "source_estab", "source_school_name"],
                name="registers_priorattendance_one_per_source_year",
            ),
            # Possible sessions are attended (present or approved activity) + authorised +
            # unauthorised absence (DfE absence methodology, docs/domain.md §2).
            models.CheckConstraint(
                condition=Q(
                    sessions_possible=F("sessions_attended")
                    + F("sessions_authorised")
                    + F("sessions_unauthorised")
                ),
                name="registers_priorattendance_sessions_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.year} {self.source_school_name}"

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def counts(self) -> rates.SessionCounts:
        """As the portal's own figures: attended sessions count as present."""
        return rates.SessionCounts(
            possible=self.sessions_possible,
            present=self.sessions_attended,
            authorised=self.sessions_authorised,
            unauthorised=self.sessions_unauthorised,
        )

    @property
    def attendance_pct(self):
        return rates.attendance_pct(self.counts)
