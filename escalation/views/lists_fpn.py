"""Penalty-notice candidates: pupils at the national threshold (10 unauthorised sessions,
G/N/O/U, in a rolling 10 school weeks; docs/domain.md §4) as of a date.

Meeting the threshold means a notice must be *considered*, never that one is issued: the
page says so, and shows what the officer needs to weigh (the codes behind the count, N
marks still to resolve, the pupil's flags and their case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from attendance_portal.permissions import school_view
from escalation import selectors
from escalation.models import Case
from escalation.views.lists import Badge, case_url, flag_badges, list_day, pupil_url
from registers import codes
from registers.figures import FPN_THRESHOLD, FPN_WEEKS, fpn_window
from registers.models import Membership, Pupil, School


@dataclass
class FpnRow:
    pupil: Pupil
    sessions: int
    by_code: list[tuple[str, int]]
    unexplained: int  # N marks in the count: the reason may yet turn out to be authorised
    badges: list[Badge]
    case: Case | None
    pupil_url: str
    case_url: str


def fpn_rows(*, school: School, as_of: dt.date) -> list[FpnRow]:
    rows = [
        FpnRow(
            pupil=f.pupil,
            sessions=f.sessions,
            by_code=[(code, f.by_code[code]) for code in ("G", "N", "O", "U") if code in f.by_code],
            unexplained=f.by_code.get(codes.UNEXPLAINED_CODE, 0),
            badges=flag_badges(f.pupil),
            case=f.case,
            pupil_url=pupil_url(school, f.pupil.pk),
            case_url=case_url(school, f.case.pk) if f.case else "",
        )
        for f in selectors.fpn_pupils(school=school, as_of=as_of)
    ]
    rows.sort(key=lambda r: (-r.sessions, r.pupil.surname, r.pupil.forename))
    return rows


@school_view("manage_cases")
@require_GET
def fpn(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    day, bad_date = list_day(request)
    rows = fpn_rows(school=school, as_of=day)
    context = {
        "school": school,
        "day": day,
        "today": timezone.localdate(),
        "bad_date": bad_date,
        "rows": rows,
        "window": fpn_window(school=school, as_of=day),
        "threshold": FPN_THRESHOLD,
        "weeks": FPN_WEEKS,
    }
    return render(request, "escalation/list_fpn.html", context)
