from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from registers import codes

from .base import SchoolScopedQuerySet, Session, TimeStamped


class AttendanceCode(models.Model):
    """The statutory code table, loaded from registers.codes by a data migration."""

    class Category(models.TextChoices):
        PRESENT = codes.Category.PRESENT.value, "Present"
        AEA = codes.Category.AEA.value, "Approved educational activity"
        AUTHORISED = codes.Category.AUTHORISED.value, "Authorised absence"
        UNAUTHORISED = codes.Category.UNAUTHORISED.value, "Unauthorised absence"
        NOT_POSSIBLE = codes.Category.NOT_POSSIBLE.value, "Not a possible session"

    code = models.CharField(max_length=2, primary_key=True)
    meaning = models.CharField(max_length=200)
    category = models.CharField(max_length=40, choices=Category.choices)
    group = models.CharField(max_length=80)
    counts_as_possible = models.BooleanField()
    new_in_2024 = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return f"{self.code} – {self.meaning}"


class Register(TimeStamped):
    """One form's register for one session: who took it and when.

    `version` is bumped on every save so that two people saving the same register at once
    cannot silently overwrite each other (the second save sees a stale version).
    """

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="registers"
    )
    form = models.ForeignKey("registers.Form", on_delete=models.CASCADE, related_name="registers")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "session", "form__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "date", "session"], name="registers_register_one_per_session"
            )
        ]
        indexes = [
            # The officer's day view and the missing-registers list filter by school and date.
            models.Index(fields=["school", "date", "session"], name="registers_register_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.date} {self.session}"


class MarkQuerySet(SchoolScopedQuerySet):
    def between(self, start: dt.date, end: dt.date):
        return self.filter(date__gte=start, date__lte=end)

    def on(self, day: dt.date, session: str | None = None):
        qs = self.filter(date=day)
        return qs.filter(session=session) if session else qs

    def unexplained(self):
        return self.filter(code_id=codes.UNEXPLAINED_CODE)


class Mark(TimeStamped):
    class Source(models.TextChoices):
        REGISTER = "register", "Class register"
        OFFICE = "office", "Attendance office"
        IMPORT = "import", "Imported"
        CALLING = "calling", "First-day calling"
        LEAVE = "leave", "Leave of absence"
        PLANNED = "planned", "Planned absence"

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="marks")
    # No index of its own: the one-per-session constraint's index starts with the pupil.
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.PROTECT, related_name="marks", db_index=False
    )
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="+")
    minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REGISTER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How many amendments the mark has had since versions were kept: each amendment row
    # names the version it made (MarkAmendment.mark_version). On PostgreSQL the database
    # refuses an UPDATE that changes the mark without its amendment row (migration 0014).
    version = models.PositiveIntegerField(default=0, db_default=0)

    objects = MarkQuerySet.as_manager()

    class Meta:
        ordering = ["date", "session"]
        constraints = [
            # On PostgreSQL its index also covers code, school and id (migration 0010,
            # outside the model state because SQLite cannot have it): the figures of a few
            # pupils over a date range (the dashboard's impact of cases, a pupil's page)
            # are read from the index alone, not from table pages spread over the year.
            # The impact of 402 cases went from 82 ms to 42 ms (docs/scaling.md).
            # Changing this constraint must keep that.
            models.UniqueConstraint(
                fields=["pupil", "date", "session"], name="registers_mark_one_per_session"
            ),
            models.CheckConstraint(
                condition=Q(minutes_late__isnull=True) | Q(minutes_late__lte=600),
                name="registers_mark_minutes_late_in_range",
            ),
        ]
        indexes = [
            # Figures and the penalty-notice window aggregate one school over a date range
            # (registers.figures.counted_marks: the nightly sweep, dashboards, statistics).
            # Covering: the columns they read are in the index, so PostgreSQL answers from
            # it alone (an index-only scan) and never visits the table, where one school's
            # marks lie among every other school's. A school's year: 18,000 pages read
            # down to 2,800, its sweep's scan 290 ms to 170 ms (docs/benchmarks.md).
            models.Index(
                fields=["school", "date"],
                include=["session", "pupil", "code", "id"],
                name="registers_mark_year_scan_idx",
            ),
            # First-day calling: today's N marks of a school.
            models.Index(
                fields=["school", "date"],
                condition=Q(code="N"),
                name="registers_mark_unexplained_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.date} {self.session} {self.code_id}"


class MarkAmendment(models.Model):
    """One change to a mark: the original entry, the new one, why, who and when.

    Append-only (the register must keep every entry for six years): the database refuses
    UPDATE and DELETE on this table (see migration 0003), so it has no updated_at. A change
    of code, minutes late or comment is an amendment; `mark_version` is the mark's version
    it made (empty for amendments recorded before versions were kept).
    """

    school = models.ForeignKey(
        "registers.School", on_delete=models.PROTECT, related_name="amendments"
    )
    mark = models.ForeignKey(Mark, on_delete=models.PROTECT, related_name="amendments")
    pupil = models.ForeignKey("registers.Pupil", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    old_code = models.CharField(max_length=2)
    new_code = models.CharField(max_length=2)
    old_minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    new_minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    old_comment = models.CharField(max_length=500, blank=True, default="", db_default="")
    new_comment = models.CharField(max_length=500, blank=True, default="", db_default="")
    mark_version = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the record survives the user account: name and position at the time.
    changed_by_name = models.CharField(max_length=200)
    changed_by_role = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="registers_markamendment_reason_required"
            ),
            # One amendment per version of a mark: the database's check that a changed mark
            # has its amendment (migration 0014) looks it up by this index. Partial, so that
            # amendments from before versions were kept need none (and SQLite adds it as an
            # index instead of rebuilding the table).
            models.UniqueConstraint(
                fields=["mark", "mark_version"],
                condition=Q(mark_version__isnull=False),
                name="registers_markamendment_one_per_version",
            ),
        ]
        indexes = [
            # The pupil page shows the pupil's history, newest first.
            models.Index(fields=["pupil", "-created_at"], name="registers_amend_pupil_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.session}: {self.old_code} → {self.new_code}"
