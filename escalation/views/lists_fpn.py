"""Penalty-notice candidates: pupils at the national threshold (10 unauthorised sessions,
G/N/O/U, in a rolling 10 school weeks; DOMAIN.md §4) as of a date.

Meeting the threshold means a notice must be *considered*, never that one is issued: the
page says so, and shows what the officer needs to weigh (the codes behind the count, N
marks still to resolve, the pupil's flags and their case).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from attendance_portal.permissions import school_view
from escalation.models import Case
from escalation.views.lists import Badge, case_url, flag_badges, list_day, pupil_url
from registers import codes
from registers.figures import (
    FPN_THRESHOLD,
    FPN_WEEKS,
    FpnWindow,
    counted_marks,
    fpn_candidates,
    fpn_window,
)
from registers.models import Membership, Pupil, School
from registers.school_age import compulsory_school_age


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
    candidates = fpn_candidates(school=school, as_of=as_of)
    if not candidates:
        return []
    window: FpnWindow = candidates[0].window
    ids = [c.pupil_id for c in candidates]
    pupils = Pupil.objects.for_school(school).select_related("form").in_bulk(ids)
    # The codes behind each count, of the sessions the count is made of: those on which
    # the pupil was of compulsory school age (registers.figures.fpn_candidates).
    ages = {pk: compulsory_school_age(p.date_of_birth) for pk, p in pupils.items()}
    by_code: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pupil_id, code, day in (
        counted_marks(school=school, start=window.start, end=as_of, pupil_ids=ids)
        .filter(code_id__in=codes.FPN_CODES)
        .values_list("pupil_id", "code_id", "date")
    ):
        if ages[pupil_id].covers(day):
            by_code[pupil_id][code] += 1
    cases = {c.pupil_id: c for c in Case.objects.for_school(school).open().filter(pupil_id__in=ids)}
    rows = []
    for c in candidates:
        pupil, case = pupils[c.pupil_id], cases.get(c.pupil_id)
        counts = by_code[c.pupil_id]
        rows.append(
            FpnRow(
                pupil=pupil,
                sessions=c.unauthorised_sessions,
                by_code=[(code, counts[code]) for code in ("G", "N", "O", "U") if code in counts],
                unexplained=counts.get(codes.UNEXPLAINED_CODE, 0),
                badges=flag_badges(pupil),
                case=case,
                pupil_url=pupil_url(school, pupil.pk),
                case_url=case_url(school, case.pk) if case else "",
            )
        )
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
