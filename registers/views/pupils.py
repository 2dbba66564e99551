"""The pupil list, the pupil page (year grid and history) and the office's mark changes."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from attendance_portal.downloads import file_response
from attendance_portal.permissions import (
    can_amend_marks,
    get_pupil_for_user,
    has_capability,
    school_view,
    visible_forms,
    visible_pupils,
)
from registers import rates, selectors
from registers.actors import Actor
from registers.families import selectors as families
from registers.figures import counts_by_pupil, year_to_date
from registers.forms import AmendMarkForm, PupilSearchForm, YearForm
from registers.models import Mark, Membership, School
from registers.models.calendar import academic_year_start
from registers.selectors.missing import unmarked_total
from registers.services.marks import MarkError, record_mark
from registers.services.transfer import ExportRefused, export_pupil_ctf

PAGE_SIZE = 50


@school_view("view_pupils")
@require_GET
def pupils(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """Searchable, filtered, paginated; a teacher sees their own forms' pupils only."""
    form_choices = list(visible_forms(membership, school).values_list("pk", "name"))
    search = PupilSearchForm(request.GET, form_choices=form_choices)
    data = search.cleaned_data if search.is_valid() else {}
    found = selectors.pupil_list(
        pupils=visible_pupils(membership, school),
        today=timezone.localdate(),
        search=data.get("q", ""),
        form_id=data.get("form"),
        year_group=data.get("year", ""),
        include_left=data.get("left", False),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)  # evaluated here: no queries from the template
    # This year's attendance of the page's pupils, one query, shown as every page shows it.
    start, end = year_to_date(timezone.localdate())
    counts = counts_by_pupil(school=school, start=start, end=end, pupil_ids=[p.pk for p in shown])
    context = {
        "school": school,
        "search": search,
        "page": page,
        "pupils": shown,
    }
    for p in shown:
        p.attendance_shown = rates.shown_pct_for(counts.get(p.pk), school)
    return render(request, "registers/pupils.html", context)


# How many pupils the navigation bar's search offers at once.
SEARCH_LIMIT = 10


@school_view("view_pupils")
@require_GET
def pupil_search(request: HttpRequest, school: School, membership: Membership) -> JsonResponse:
    """The navigation bar's typeahead: pupils on roll by name or UPN, as JSON.

    Scoped as the pupil pages are: the user's school, a teacher's own forms only. Fewer
    than two characters find nobody (a single letter would list half the school).
    """
    query = request.GET.get("q", "")[:100].strip()
    results = []
    if len(query) >= 2:
        found = selectors.pupil_list(
            pupils=visible_pupils(membership, school), today=timezone.localdate(), search=query
        )[:SEARCH_LIMIT]
        results = [
            {
                "name": f"{p.forename} {p.surname}",
                "upn": p.upn,
                "form": p.form.name if p.form_id else "",
                "url": reverse("registers:pupil", args=[school.urn, p.pk]),
            }
            for p in found
        ]
    more = reverse("registers:pupils", args=[school.urn]) + "?" + urlencode({"q": query})
    return JsonResponse({"query": query, "results": results, "all": more})


@school_view("view_pupils")
@require_GET
def pupil(request: HttpRequest, school: School, membership: Membership, pk: int) -> HttpResponse:
    """Who the pupil is, their contacts, the year's marks as a calendar, and the history."""
    found = get_pupil_for_user(membership, school, pk)
    query = YearForm(request.GET)
    requested = query.cleaned_data["year"] if query.is_valid() else None
    context = {
        "school": school,
        "pupil": found,
        "contacts": selectors.contacts_of(school=school, pupil=found),
        "year": selectors.pupil_year(
            school=school, pupil=found, requested_year=requested, today=timezone.localdate()
        ),
        "can_amend": can_amend_marks(membership),
        "can_change_opt_out": has_capability(membership, "send_letters"),
        "opt_out_changes": families.opt_out_changes(school=school, pupil=found),
        "unmarked": unmarked_total(school=school, today=timezone.localdate(), pupil_ids=[found.pk]),
        "prior_attendance": selectors.prior_attendance_of(school=school, pupil=found),
        "family_messages": families.messages_for_pupil(school=school, pupil=found),
        "family_reports": families.reports_for_pupil(school=school, pupil=found),
    }
    return render(request, "registers/pupil.html", context)


@school_view("view_pupils")
@require_GET
def pupil_ctf(
    request: HttpRequest, school: School, membership: Membership, pk: int
) -> HttpResponse:
    """The pupil's attendance for one academic year as a Common Transfer File (?year=)."""
    found = get_pupil_for_user(membership, school, pk)
    query = YearForm(request.GET)
    today = timezone.localdate()
    year = (query.cleaned_data["year"] if query.is_valid() else None) or academic_year_start(today)
    try:
        export = export_pupil_ctf(
            school=school,
            pupil=found,
            start_year=year,
            today=today,
            allow_unmarked=request.GET.get("allow_unmarked") == "1",
        )
    except ExportRefused as exc:
        # Told on the pupil page, where the missing marks (or the sex) can be put right.
        messages.error(request, str(exc))
        return redirect(f"{reverse('registers:pupil', args=[school.urn, found.pk])}?year={year}")
    return file_response(export)


@school_view("amend_marks")
@require_http_methods(["GET", "POST"])
def amend(
    request: HttpRequest,
    school: School,
    membership: Membership,
    pk: int,
    day: dt.date,
    session: str,
) -> HttpResponse:
    """Record or change one pupil's mark for one session, with a reason (office only)."""
    found = get_pupil_for_user(membership, school, pk)
    record = selectors.session_history(school=school, pupil=found, day=day, session=session)
    # Same rule as the register: nothing is recorded for a session that has not started.
    refusal = "Marks cannot be recorded in advance." if day > timezone.localdate() else ""
    mark = record.mark
    form = AmendMarkForm(
        initial={"code": mark.code_id, "minutes_late": mark.minutes_late, "comment": mark.comment}
        if mark
        else {}
    )
    if request.method == "POST":
        if refusal:
            raise PermissionDenied(refusal)
        form = AmendMarkForm(request.POST)
        if form.is_valid():
            try:
                record_mark(
                    pupil=found,
                    day=day,
                    session=session,
                    entry=form.entry(found.pk),
                    actor=Actor.for_membership(membership),
                    source=Mark.Source.OFFICE,
                    reason=form.cleaned_data["reason"],
                )
            except MarkError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Recorded {form.cleaned_data['code']} for {found.name}, "
                    f"{day:%a %-d %b %Y} {session}.",
                )
                url = reverse("registers:pupil", args=[school.urn, found.pk])
                return redirect(f"{url}?year={academic_year_start(day)}")
    context = {
        "school": school,
        "pupil": found,
        "record": record,
        "form": form,
        "refusal": refusal or record.closed_message,
    }
    return render(request, "registers/amend.html", context)
