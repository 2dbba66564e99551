"""Reads of the API's own: a page of a school's marks, keyset-paginated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from rest_framework import exceptions

from registers.models import Mark, School

from .models import ApiAccess


def marks_page(
    *, school: School, start: dt.date, end: dt.date, after: list[Any] | None, limit: int
) -> tuple[list[dict[str, Any]], list[int], list[Any] | None]:
    """Up to `limit` marks after the key `after` (date, session, pupil id), with the pupils
    they name and the key of the last one when more follow. Uses the marks' (school, date)
    index; the order is the register's, not the UPN's, so that a page is one index range."""
    marks = Mark.objects.for_school(school).between(start, end)
    if after is not None:
        try:
            day, session, pupil_id = dt.date.fromisoformat(after[0]), str(after[1]), int(after[2])
        except (ValueError, TypeError, IndexError):
            raise exceptions.ValidationError({"cursor": ["Not a cursor of this list."]}) from None
        marks = marks.filter(
            Q(date__gt=day)
            | Q(date=day, session__gt=session)
            | Q(date=day, session=session, pupil_id__gt=pupil_id)
        )
    found = list(
        marks.order_by("date", "session", "pupil_id").values_list(
            "date", "session", "pupil_id", "pupil__upn", "code_id", "minutes_late", "comment"
        )[: limit + 1]
    )
    more = len(found) > limit
    found = found[:limit]
    rows = [
        {
            "upn": upn,
            "date": day,
            "session": session,
            "code": code,
            "minutes_late": minutes,
            "comment": comment,
        }
        for day, session, _, upn, code, minutes, comment in found
    ]
    last = found[-1] if more else None
    key = [last[0].isoformat(), last[1], last[2]] if last else None
    return rows, sorted({row[2] for row in found}), key


def access_log(*, school: School, limit: int = 200):
    """The latest calls that returned this school's pupil-level data, newest first."""
    return (
        ApiAccess.objects.for_school(school).select_related("token").order_by("-at", "-pk")[:limit]
    )
