"""The figures the nightly sweep stores per pupil and night: the history behind trends,
band movements and dips (reporting reads these; nothing recomputes the past)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q

from registers import rates
from registers.models.base import SchoolScopedQuerySet, TimeStamped


class PupilFigureQuerySet(SchoolScopedQuerySet):
    def on(self, day: dt.date):
        return self.filter(as_of=day)


class PupilFigure(TimeStamped):
    class Band(models.TextChoices):
        NONE = "", "No possible sessions"
        EXPECTED = rates.Band.EXPECTED.value, "Expected"
        MONITOR = rates.Band.MONITOR.value, "Monitor"
        CONCERN = rates.Band.CONCERN.value, "Concern"
        PERSISTENT = rates.Band.PERSISTENT.value, "Persistent absence"
        SEVERE = rates.Band.SEVERE.value, "Severe absence"

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="pupil_figures"
    )
    pupil = models.ForeignKey("registers.Pupil", on_delete=models.CASCADE, related_name="figures")
    as_of = models.DateField(help_text="Academic year to date, up to and including this day.")
    possible = models.PositiveIntegerField(default=0)
    present = models.PositiveIntegerField(default=0)
    aea = models.PositiveIntegerField(default=0)
    authorised = models.PositiveIntegerField(default=0)
    unauthorised = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    attendance = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    band = models.CharField(max_length=12, choices=Band.choices, blank=True, default=Band.NONE)
    persistent = models.BooleanField(default=False)
    severe = models.BooleanField(default=False)

    objects = PupilFigureQuerySet.as_manager()

    class Meta:
        ordering = ["pupil_id", "as_of"]
        constraints = [
            # One figure per pupil per night: a second sweep of the same night updates it.
            models.UniqueConstraint(
                fields=["pupil", "as_of"], name="escalation_pupilfigure_one_per_pupil_day"
            ),
            # DfE: possible = present + approved activity + authorised + unauthorised.
            models.CheckConstraint(
                condition=Q(possible=F("present") + F("aea") + F("authorised") + F("unauthorised")),
                name="escalation_pupilfigure_counts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(late__lte=F("possible")),
                name="escalation_pupilfigure_late_within_possible",
            ),
            models.CheckConstraint(
                condition=(Q(possible=0) & Q(band="") & Q(attendance__isnull=True))
                | (Q(possible__gt=0) & ~Q(band="") & Q(attendance__isnull=False)),
                name="escalation_pupilfigure_band_iff_possible",
            ),
            models.CheckConstraint(
                condition=Q(severe=False) | Q(persistent=True),
                name="escalation_pupilfigure_severe_is_persistent",
            ),
        ]
        indexes = [
            # Reporting's "latest figure per pupil of a school" and the caseload's band column.
            models.Index(
                F("school"), F("pupil"), F("as_of").desc(), name="escalation_figure_latest_idx"
            ),
            # One night's figures of a school: the sweep's diff and the trend charts.
            models.Index(fields=["school", "as_of"], name="escalation_figure_night_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.as_of}: {self.attendance}"

    @property
    def counts(self) -> rates.SessionCounts:
        return rates.SessionCounts(
            possible=self.possible,
            present=self.present,
            aea=self.aea,
            authorised=self.authorised,
            unauthorised=self.unauthorised,
            late=self.late,
        )

    @property
    def rate_band(self) -> rates.Band | None:
        return rates.Band(self.band) if self.band else None
