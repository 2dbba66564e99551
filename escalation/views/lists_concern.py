"""The weekly students-of-concern list, per year group (docs/domain.md §9: "so no pupil is
missed"): pupils below the school's target this year, plus pupils absent for two or more
sessions this week, with their open case.

The reads are escalation.selectors.lists (queries do not grow with the number of pupils:
the pupils, one count of the year, one of the week, and the open cases).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from attendance_portal.dates import monday_of
from attendance_portal.permissions import school_view
from escalation import rules, selectors
from escalation.forms import ConcernFilterForm
from escalation.models import Case
from escalation.views.lists import (
    Badge,
    BandView,
    band_view,
    case_url,
    flag_badges,
    pupil_url,
)
from registers.bands import BELOW_TARGET, WORST_FIRST, Band, key_line, worst_first
from registers.models import Membership, Pupil, School
from registers.models.pupils import YEAR_GROUPS
from registers.rates import attendance_pct, shown_pct_for


@dataclass(frozen=True)
class Week:
    monday: dt.date
    friday: dt.date
    as_of: dt.date  # figures are as at the end of the week, or today for this week

    @classmethod
    def containing(cls, day: dt.date, today: dt.date) -> Week:
        monday = monday_of(day)
        friday = monday + dt.timedelta(days=4)
        return cls(monday, friday, max(monday, min(friday, today)))


@dataclass
class ConcernRow:
    pupil: Pupil
    badges: list[Badge]
    attendance: Decimal | None
    band: BandView
    week_absent: int
    week_unauthorised: int
    below_target: bool
    case: Case | None
    pupil_url: str
    case_url: str
    attendance_shown: str = "–"  # rates.shown_pct: never on the wrong side of the band


@dataclass
class YearGroupBlock:
    year_group: str
    on_roll: int
    rows: list[ConcernRow]
    bands: list[tuple[BandView, int]]


def _sort_key(row: ConcernRow) -> tuple:
    pct = row.attendance if row.attendance is not None else Decimal(101)
    return (worst_first(row.band.band), pct, row.pupil.surname, row.pupil.forename)


def concern_blocks(*, school: School, week: Week, year_group: str = "") -> list[YearGroupBlock]:
    found, on_roll = selectors.concern_pupils(
        school=school, monday=week.monday, as_of=week.as_of, year_group=year_group
    )
    rows: dict[str, list[ConcernRow]] = {}
    for f in found:
        rows.setdefault(f.pupil.year_group, []).append(
            ConcernRow(
                pupil=f.pupil,
                badges=flag_badges(f.pupil),
                attendance=attendance_pct(f.year),
                band=band_view(f.band),
                week_absent=f.week.absent,
                week_unauthorised=f.week.unauthorised,
                below_target=f.below_target,
                case=None,
                pupil_url=pupil_url(school, f.pupil.pk),
                case_url="",
                attendance_shown=shown_pct_for(f.year, school),
            )
        )

    listed = [r for group in rows.values() for r in group]
    cases = selectors.open_cases_of(school=school, pupil_ids=[r.pupil.pk for r in listed])
    for row in listed:
        row.case = cases.get(row.pupil.pk)
        if row.case is not None:
            row.case_url = case_url(school, row.case.pk)

    order = {y: i for i, y in enumerate(YEAR_GROUPS)}
    blocks = []
    for group in sorted(on_roll, key=lambda y: order.get(y, len(order))):
        group_rows = sorted(rows.get(group, []), key=_sort_key)
        tally = Counter(r.band.band for r in group_rows if r.below_target)
        bands = [(band_view(b), tally[b]) for b in WORST_FIRST if b in tally]
        blocks.append(YearGroupBlock(group, on_roll[group], group_rows, bands))
    return blocks


@school_view("manage_cases")
@require_GET
def concern(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    today = timezone.localdate()
    form = ConcernFilterForm(request.GET)
    form.is_valid()  # an unreadable week or year group falls back to the defaults
    data = form.cleaned_data
    week = Week.containing(data.get("week") or today, today)
    year_groups = selectors.year_groups_of(school=school)
    year_group = data.get("year_group") or ""
    if year_group not in year_groups:
        year_group = ""
    blocks = concern_blocks(school=school, week=week, year_group=year_group)
    context = {
        "school": school,
        "week": week,
        "today": today,
        "previous_week": week.monday - dt.timedelta(days=7),
        "next_week": week.monday + dt.timedelta(days=7),
        "year_groups": year_groups,
        "year_group": year_group,
        "blocks": blocks,
        "total": sum(len(b.rows) for b in blocks),
        "bad_week": " ".join(form.errors.get("week", [])),
        "week_absences": rules.CONCERN_WEEK_ABSENCES,
        "band_key": [
            key_line(b, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct)
            for b in Band
            if b in BELOW_TARGET
        ],
    }
    return render(request, "escalation/list_concern.html", context)
