"""Reads for leave of absence, planned absences and prior attendance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from registers.models import LeaveRequest, Mark, PlannedAbsence, PriorAttendance, Pupil, School

# How far ahead a part-time timetable's review shows as due.
REVIEW_NOTICE_DAYS = 7


def leave_requests(*, school: School, status: str = "") -> QuerySet[LeaveRequest]:
    found = LeaveRequest.objects.for_school(school).select_related("pupil__form")
    return found.filter(status=status) if status else found


def c2_reviews_due(
    *, school: School, today: dt.date, within_days: int = REVIEW_NOTICE_DAYS
) -> QuerySet[LeaveRequest]:
    """Granted part-time timetables (C2) still running whose review date falls on or
    before `today` + `within_days` (overdue ones included), soonest first.

    A part-time timetable must be temporary and kept under review (2024 guidance); the
    caseload and the leave list show these so a review is never missed.
    """
    return (
        LeaveRequest.objects.for_school(school)
        .filter(
            kind=LeaveRequest.Kind.PART_TIME,
            status=LeaveRequest.Status.GRANTED,
            review_date__lte=today + dt.timedelta(days=within_days),
            end_date__gte=today,
        )
        .select_related("pupil__form")
        .order_by("review_date", "pk")
    )


def planned_absences(*, school: School, since: dt.date | None = None) -> QuerySet[PlannedAbsence]:
    found = PlannedAbsence.objects.for_school(school).select_related("pupil__form", "created_by")
    return found.filter(end_date__gte=since) if since else found


def prior_attendance_of(*, school: School, pupil: Pupil) -> list[PriorAttendance]:
    return list(PriorAttendance.objects.for_school(school).filter(pupil=pupil))


def prefill_labels(
    *, school: School, day: dt.date, session: str, marks: Iterable[Mark]
) -> dict[int, str]:
    """Badge text per pupil id for marks pre-filled from leave or a planned absence:
    "Leave: C1 granted", "Planned: M dentist". One query per kind, only when needed."""
    leave_ids = {m.pupil_id: m for m in marks if m.source == Mark.Source.LEAVE}
    planned_ids = {m.pupil_id: m for m in marks if m.source == Mark.Source.PLANNED}
    labels = {pid: f"Leave: {m.code_id}" for pid, m in leave_ids.items()}
    labels |= {pid: f"Planned: {m.code_id}" for pid, m in planned_ids.items()}
    if leave_ids:
        for leave in (
            LeaveRequest.objects.for_school(school)
            .granted()
            .covering(day)
            .filter(pupil_id__in=leave_ids)
        ):
            if leave.covers(day, session) and leave.code == leave_ids[leave.pupil_id].code_id:
                labels[leave.pupil_id] = f"Leave: {leave.code} granted"
    if planned_ids:
        for planned in (
            PlannedAbsence.objects.for_school(school).covering(day).filter(pupil_id__in=planned_ids)
        ):
            if (
                planned.covers(day, session)
                and planned.code == planned_ids[planned.pupil_id].code_id
            ):
                labels[planned.pupil_id] = f"Planned: {planned.code} {planned.note}".strip()
    return labels
