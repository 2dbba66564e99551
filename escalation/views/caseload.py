"""The officer's caseload: open cases, reviews due first, filtered by band, stage, year
group and flags (pupil premium, SEND, social worker). Officers and heads only.

The reads are escalation.selectors.caseload (a constant number of queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from attendance_portal.permissions import school_view
from escalation import forms, selectors
from escalation.models import Case
from escalation.services import cases as case_services
from escalation.views.lists import Badge, BandView, band_view, flag_badges, pupil_url
from registers import rates
from registers.actors import Actor
from registers.models import Membership, School

PAGE_SIZE = 50
COLUMNS = [
    ("pupil", "Pupil"),
    ("attendance", "Attendance"),
    ("stage", "Stage"),
    ("opened", "Opened"),
    ("review", "Next review"),
    ("owner", "Owner"),
]


@dataclass
class CaseloadRow:
    case: Case
    badges: list[Badge]
    band: BandView
    attendance: Decimal | None
    attendance_shown: str  # rates.shown_pct: never on the wrong side of the band
    due: bool
    pupil_url: str


@require_GET
@school_view("manage_cases")
def caseload(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """Open cases, reviews due first; filtered by band, stage, year group and flags."""
    today = timezone.localdate()
    query = forms.CaseloadFilter(request.GET)
    data = query.cleaned_data if query.is_valid() else {}
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") not in selectors.SORTS:
        sort = ""
    cases = selectors.caseload(
        school=school, today=today, filters=data, user=request.user, sort=sort
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        CaseloadRow(
            case=c,
            badges=flag_badges(c.pupil),
            band=band_view(rates.Band(c.band) if c.band else None),
            attendance=c.attendance,
            attendance_shown=rates.shown_pct_for(
                rates.SessionCounts(
                    possible=c.figure_possible or 0, present=c.figure_attended or 0
                ),
                school,
            ),
            due=c.is_open and c.next_review is not None and c.next_review <= today,
            pupil_url=pupil_url(school, c.pupil_id),
        )
        for c in page.object_list
    ]
    context = {
        "school": school,
        "query": query,
        "page": page,
        "rows": rows,
        "totals": selectors.caseload_totals(school=school, today=today),
        "stages": selectors.open_cases_by_stage(school=school),
        "today": today,
        "owners": case_services.case_owners(school),
        "sort_links": {
            name: {
                "title": title,
                "sort": f"-{name}" if sort == name else name,
                "active": sort.lstrip("-") == name,
                "descending": sort == f"-{name}",
            }
            for name, title in COLUMNS
        },
    }
    return render(request, "escalation/caseload.html", context)


@require_POST
@school_view("manage_cases")
def caseload_assign(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """Give the ticked cases to an officer (or back to nobody): one or many at once."""
    ids = [int(v) for v in request.POST.getlist("case") if v.isdigit()]
    raw_owner = request.POST.get("owner", "")
    owners = {str(u.pk): u for u in case_services.case_owners(school)}
    back = request.POST.get("next", "")
    if not back.startswith(reverse("escalation:caseload", args=[school.urn])):
        back = reverse("escalation:caseload", args=[school.urn])
    if raw_owner not in owners and raw_owner != "none":
        messages.error(request, "Choose who the cases go to.")
        return redirect(back)
    try:
        changed = case_services.assign_cases(
            school=school,
            case_ids=ids,
            owner=owners.get(raw_owner),
            actor=Actor.for_membership(membership),
            on=timezone.localdate(),
        )
    except case_services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{changed} case{'s' if changed != 1 else ''} assigned.")
    return redirect(back)
