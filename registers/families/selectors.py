"""Families' reads for the pages: messages and parents' reports, per pupil and per day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from registers.families.models import AbsenceReport, Message, OptOutChange
from registers.models import Pupil, School


def messages_for_pupil(*, school: School, pupil: Pupil, limit: int = 100) -> list[Message]:
    """The pupil's messages, newest first (the pupil page and the case timeline)."""
    return list(
        Message.objects.for_school(school)
        .filter(pupil=pupil)
        .select_related("contact")
        .order_by("-created_at", "-pk")[:limit]
    )


def opt_out_changes(*, school: School, pupil: Pupil, limit: int = 20) -> list[OptOutChange]:
    """Who opted the pupil's contacts out of messages or back in, and when, newest first."""
    return list(
        OptOutChange.objects.for_school(school)
        .filter(contact__pupil=pupil)
        .select_related("contact")[:limit]
    )


def messages_on_day(
    *, school: School, day: dt.date, pupil_ids: Iterable[int], kind: str = Message.Kind.FIRST_DAY
) -> dict[int, list[Message]]:
    """Each pupil's messages of one kind about one day (the calling list: who was messaged
    and what became of it), in one query."""
    out: dict[int, list[Message]] = defaultdict(list)
    for message in (
        Message.objects.for_school(school)
        .filter(date=day, kind=kind, pupil_id__in=list(pupil_ids))
        .order_by("pupil_id", "created_at", "pk")
    ):
        out[message.pupil_id].append(message)
    return out


def reports_on_day(
    *, school: School, day: dt.date, pupil_ids: Iterable[int] | None = None
) -> dict[int, list[AbsenceReport]]:
    """Parents' reports covering `day` that still stand (waiting, or accepted), by pupil."""
    reports = AbsenceReport.objects.for_school(school).covering(day).standing()
    if pupil_ids is not None:
        reports = reports.filter(pupil_id__in=list(pupil_ids))
    out: dict[int, list[AbsenceReport]] = defaultdict(list)
    for report in reports.order_by("pupil_id", "reported_at"):
        out[report.pupil_id].append(report)
    return out


def reports_for_pupil(*, school: School, pupil: Pupil) -> list[AbsenceReport]:
    return list(
        AbsenceReport.objects.for_school(school).filter(pupil=pupil).order_by("-reported_at")
    )


def waiting_reports(*, school: School) -> list[AbsenceReport]:
    """Reports the office has not decided yet, oldest first."""
    return list(
        AbsenceReport.objects.for_school(school)
        .open()
        .select_related("pupil", "contact")
        .order_by("reported_at", "pk")
    )


def held_first_day(
    *, school: School, day: dt.date, session: str, now: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """How many of a session's first-day messages are still waiting for their time (quiet
    hours, a retry's wait), and the earliest time one of them may go: the command says so,
    or a user at night sees "queued" and nothing arrive."""
    held = Message.objects.for_school(school).filter(
        kind=Message.Kind.FIRST_DAY,
        date=day,
        session=session,
        status=Message.Status.QUEUED,
        not_before__gt=now,
    )
    first = held.order_by("not_before").values_list("not_before", flat=True).first()
    return held.count(), first
