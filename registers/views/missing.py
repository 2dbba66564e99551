"""The school's sessions with no mark, any past dates (the office fills them)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from attendance_portal.permissions import school_view
from registers.forms import MissingMarksForm
from registers.models import Membership, Pupil, School
from registers.selectors.missing import default_range, missing_by_register

PER_PAGE = 50


@school_view("amend_marks")
@require_GET
def missing_marks(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """Every register with pupils on roll but no mark, between two past dates (default: the
    academic year up to yesterday), newest first; ?pupil= narrows it to one pupil."""
    today = timezone.localdate()
    query = MissingMarksForm(request.GET)
    valid = query.is_valid()
    start, end = default_range(today)
    pupil = None
    if valid:
        start = query.cleaned_data["start"] or start
        # Today's and later sessions are not missing yet: a register may still be open.
        end = min(query.cleaned_data["end"] or end, default_range(today)[1])
        if query.cleaned_data["pupil"]:
            pupil = Pupil.objects.for_school(school).filter(pk=query.cleaned_data["pupil"]).first()
    rows = (
        missing_by_register(
            school=school, start=start, end=end, pupil_ids=[pupil.pk] if pupil else None
        )
        if valid and (pupil or not query.cleaned_data["pupil"])
        else []
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "school": school,
        "query": query,
        "start": start,
        "end": end,
        "pupil": pupil,
        "page": page,
        "sessions": sum(len(r.pupils) for r in rows),
        "registers": len(rows),
    }
    return render(request, "registers/missing_marks.html", context)
