"""The officer's caseload: open cases, reviews due first, filtered by band, stage, year
group and flags (pupil premium, SEND, social worker). Officers and heads only.

A constant number of queries: the page of cases with each pupil's latest stored band
(a subquery on escalation_figure_latest_idx), the totals, and the count by stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import Count, F, OuterRef, Q, Subquery, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from attendance_portal.permissions import OFFICE, school_view
from escalation import forms
from escalation.models import Case, PupilFigure
from escalation.services import cases as case_services
from escalation.views.lists import Badge, BandView, band_view, flag_badges, pupil_url
from registers import rates
from registers.models import Membership, Pupil, School
from registers.services.marks import Actor

PAGE_SIZE = 50
# The columns the caseload sorts by (?sort=name, ?sort=-name for descending); by default
# severe absence first, then reviews due.
SORTS = {
    "pupil": ("pupil__surname", "pupil__forename"),
    "attendance": ("attendance",),
    "stage": ("stage",),
    "opened": ("opened_on",),
    "review": ("next_review",),
    "owner": ("owner__username",),
}
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
@school_view(OFFICE)
def caseload(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """Open cases, reviews due first; filtered by band, stage, year group and flags."""
    today = timezone.localdate()
    query = forms.CaseloadFilter(request.GET)
    data = query.cleaned_data if query.is_valid() else {}
    latest = PupilFigure.objects.filter(pupil_id=OuterRef("pupil_id")).order_by("-as_of")
    cases = (
        Case.objects.for_school(school)
        .filter(status=Case.Status.CLOSED if data.get("closed") else Case.Status.OPEN)
        .select_related("pupil__form", "owner")
        .annotate(
            band=Subquery(latest.values("band")[:1]),
            attendance=Subquery(latest.values("attendance")[:1]),
            # The counts behind it, so the page shows it as rates.shown_pct does.
            figure_possible=Subquery(latest.values("possible")[:1]),
            figure_attended=Subquery(latest.annotate(a=F("present") + F("aea")).values("a")[:1]),
            overdue=SqlCase(When(next_review__lte=today, then=0), default=1),
            # Severe absence is the top priority for all partners (DOMAIN.md §10).
            priority=SqlCase(When(band=PupilFigure.Band.SEVERE, then=0), default=1),
        )
    )
    filters = {
        "band": Q(band=data.get("band")),
        "stage": Q(stage=data.get("stage")),
        "year": Q(pupil__year_group=data.get("year")),
        "pp": Q(pupil__pupil_premium=True),
        "send": ~Q(pupil__sen=Pupil.SEN.NONE),
        "cin": Q(pupil__cin=True),
        "due": Q(next_review__lte=today),
        "mine": Q(owner=request.user),
        "unassigned": Q(owner__isnull=True),
    }
    for name, condition in filters.items():
        if data.get(name):
            cases = cases.filter(condition)
    sort = request.GET.get("sort", "")
    key = SORTS.get(sort.lstrip("-"))
    if key:
        descending = sort.startswith("-")
        ordering = [f"-{k}" if descending else k for k in key]
        cases = cases.order_by(
            *(
                F(k.lstrip("-")).desc(nulls_last=True)
                if k.startswith("-")
                else F(k).asc(nulls_last=True)
                for k in ordering
            ),
            "pk",
        )
    else:
        sort = ""
        cases = cases.order_by(
            "priority", "overdue", "next_review", "pupil__surname", "pupil__forename", "pk"
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
    open_cases = Case.objects.for_school(school).open()
    totals = open_cases.aggregate(
        open=Count("pk"),
        due=Count("pk", filter=Q(next_review__lte=today)),
        focus=Count("pk", filter=Q(focus=True)),
    )
    by_stage = dict(open_cases.values_list("stage").annotate(n=Count("pk")).order_by())
    context = {
        "school": school,
        "query": query,
        "page": page,
        "rows": rows,
        "totals": totals,
        "stages": [(label, by_stage.get(value, 0)) for value, label in Case.Stage.choices],
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
@school_view(OFFICE)
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
