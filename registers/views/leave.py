"""Leave of absence (requests, the headteacher's decision, the letter) and planned absences.

The attendance office (officers and the head) records requests and planned absences; only
the headteacher decides leave (SI 2024/208 reg 11: a person the proprietor authorises).
Teachers, governors and trust leads never reach these pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance_portal.downloads import file_response
from attendance_portal.permissions import has_capability, school_view
from registers import selectors
from registers.actors import Actor
from registers.families.services.notices import decide_leave
from registers.forms import (
    DecisionForm,
    LeaveFilterForm,
    LeaveRequestForm,
    PlannedAbsenceForm,
    ReviewForm,
)
from registers.models import LeaveRequest, Membership, Pupil, School
from registers.pdf import decision_letter_pdf
from registers.services.leave import (
    apply_refused_leave_taken,
    record_c2_review,
    record_request,
    withdraw_request,
)
from registers.services.marks import MarkError
from registers.services.planned import Prefill, record_planned_absence

PAGE_SIZE = 50


def _get_leave(school: School, pk: int) -> LeaveRequest:
    leave = (
        LeaveRequest.objects.for_school(school)
        .select_related("pupil__form", "school")
        .filter(pk=pk)
        .first()
    )
    if leave is None:
        raise Http404("No such leave request")
    return leave


def _pupils(school: School):
    """Pupils a request can be recorded for: on roll today or joining later."""
    today = timezone.localdate()
    return Pupil.objects.for_school(school).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gte=today)
    )


def _report_prefill(request: HttpRequest, prefill: Prefill) -> None:
    messages.success(request, prefill.summary())
    if prefill.conflicts:
        messages.warning(request, prefill.conflict_summary())


@school_view("manage_absence")
@require_GET
def leave_list(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    today = timezone.localdate()
    query = LeaveFilterForm(request.GET)
    status = query.cleaned_data["status"] if query.is_valid() else ""
    page = Paginator(selectors.leave_requests(school=school, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "school": school,
        "query": query,
        "page": page,
        "requests": list(page.object_list),
        "reviews": list(selectors.c2_reviews_due(school=school, today=today)),
        "today": today,
    }
    return render(request, "registers/leave_list.html", context)


SpanForm = type[LeaveRequestForm] | type[PlannedAbsenceForm]
Record = Callable[[HttpRequest, School, Membership, dict[str, Any]], HttpResponse]


def form_page(
    form_class: SpanForm,
    record: Record,
    *,
    name: str,
    template: str,
    initial: Callable[[HttpRequest], dict[str, object]],
) -> Callable[..., HttpResponse]:
    """The shape of the two form pages (a new request, a new planned absence), as
    leave_action is of the steps on a request: GET shows the form (`initial` from the
    query string) with the pupils a request can be for; a valid POST makes one service call
    in `record`, which says what it did in messages and returns where to go next. A form
    page keeps the page on a refusal: invalid fields and a MarkError are shown in the form
    itself, which is shown again with what was typed (an action's form is one control on
    the request's page, so it goes back there with a message instead)."""

    @school_view("manage_absence")
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
        pupils = _pupils(school)
        if request.method != "POST":
            form = form_class(initial=initial(request), pupils=pupils)
        else:
            form = form_class(request.POST, pupils=pupils)
            if form.is_valid():
                try:
                    return record(request, school, membership, form.cleaned_data)
                except MarkError as exc:
                    form.add_error(None, str(exc))
        return render(request, template, {"school": school, "form": form})

    view.__name__ = view.__qualname__ = name
    return view


def _record_request(
    request: HttpRequest, school: School, membership: Membership, data: dict[str, Any]
) -> HttpResponse:
    leave = record_request(school=school, actor=Actor.for_membership(membership), **data)
    messages.success(request, f"Recorded the request for {leave.pupil.name}.")
    return redirect("registers:leave_detail", school.urn, leave.pk)


leave_new = form_page(
    LeaveRequestForm,
    _record_request,
    name="leave_new",
    template="registers/leave_form.html",
    initial=lambda request: {
        "requested_on": timezone.localdate(),
        "pupil": request.GET.get("pupil"),
    },
)


@school_view("manage_absence")
@require_GET
def leave_detail(
    request: HttpRequest, school: School, membership: Membership, pk: int
) -> HttpResponse:
    leave = _get_leave(school, pk)
    today = timezone.localdate()
    context = {
        "school": school,
        "leave": leave,
        "can_decide": has_capability(membership, "decide_leave")
        and leave.status == LeaveRequest.Status.REQUESTED,
        "decision_form": DecisionForm(),
        "review_form": ReviewForm(today=today),
        "can_review": leave.kind == LeaveRequest.Kind.PART_TIME
        and leave.status == LeaveRequest.Status.GRANTED,
        "can_apply_g": leave.status == LeaveRequest.Status.REFUSED and leave.start_date <= today,
    }
    return render(request, "registers/leave_detail.html", context)


@school_view("manage_absence")
@require_GET
def leave_letter(
    request: HttpRequest, school: School, membership: Membership, pk: int
) -> HttpResponse:
    leave = _get_leave(school, pk)
    if not leave.is_decided:
        raise Http404("No decision yet")
    return file_response(decision_letter_pdf(leave))


LeaveForm = Callable[[HttpRequest], Form]
Perform = Callable[[HttpRequest, LeaveRequest, Membership, Form | None], None]


def leave_action(
    perform: Perform,
    *,
    name: str,
    capability: str = "manage_absence",
    form: LeaveForm | None = None,
    invalid: str = "",
) -> Callable[..., HttpResponse]:
    """The shape of every step on a leave request (as escalation.views.cases.case_action
    is for a case): a POST by a member with `capability` about a request of their school;
    the step's form, if it has one, refused with the message `invalid`; then one service
    call in `perform`, which says what it did in messages and whose MarkError becomes an
    error message; and back to the request's page either way."""

    @school_view(capability)
    @require_POST
    def view(request: HttpRequest, school: School, membership: Membership, pk: int):
        leave = _get_leave(school, pk)
        bound = form(request) if form is not None else None
        if bound is not None and not bound.is_valid():
            messages.error(request, invalid)
        else:
            try:
                perform(request, leave, membership, bound)
            except MarkError as exc:
                messages.error(request, str(exc))
        return redirect("registers:leave_detail", school.urn, leave.pk)

    view.__name__ = view.__qualname__ = name
    return view


def _decide(
    request: HttpRequest, leave: LeaveRequest, membership: Membership, form: Form | None
) -> None:
    assert isinstance(form, DecisionForm)
    decision = decide_leave(
        leave=leave,
        membership=membership,
        grant=form.grant,
        note=form.cleaned_data["note"],
        today=timezone.localdate(),
    )
    verb = "granted" if form.grant else "refused"
    messages.success(
        request,
        f"Leave {verb}. The decision letter is ready to download; the family is told by message.",
    )
    if decision.prefill is not None:
        _report_prefill(request, decision.prefill)


def _refused_taken(
    request: HttpRequest, leave: LeaveRequest, membership: Membership, form: Form | None
) -> None:
    result = apply_refused_leave_taken(
        leave=leave, actor=Actor.for_membership(membership), today=timezone.localdate()
    )
    messages.success(request, f"{result.recoded} absence(s) during the refused leave coded G.")
    if result.left:
        listed = ", ".join(f"{c.day:%a %-d %b} {c.session} ({c.code})" for c in result.left)
        messages.warning(request, f"Left as recorded (a reason is on the register): {listed}.")
    if result.unmarked:
        messages.warning(request, f"{result.unmarked} session(s) have no mark yet.")


def _withdraw(
    request: HttpRequest, leave: LeaveRequest, membership: Membership, form: Form | None
) -> None:
    withdraw_request(leave=leave)
    messages.success(request, "The request is withdrawn.")


def _review(
    request: HttpRequest, leave: LeaveRequest, membership: Membership, form: Form | None
) -> None:
    assert form is not None
    record_c2_review(leave=leave, **form.cleaned_data)
    messages.success(request, f"Review recorded; next review {leave.review_date:%-d %b %Y}.")


leave_decide = leave_action(
    _decide,
    name="leave_decide",
    capability="decide_leave",
    form=lambda request: DecisionForm(request.POST),
    invalid="Choose whether to grant or refuse the leave.",
)
leave_refused_taken = leave_action(_refused_taken, name="leave_refused_taken")
leave_withdraw = leave_action(_withdraw, name="leave_withdraw")
leave_review = leave_action(
    _review,
    name="leave_review",
    form=lambda request: ReviewForm(request.POST, today=timezone.localdate()),
    invalid="Give the review date and the next review date.",
)


@school_view("manage_absence")
@require_GET
def planned_list(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    since = None if show_all else timezone.localdate()
    page = Paginator(selectors.planned_absences(school=school, since=since), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "school": school,
        "page": page,
        "planned": list(page.object_list),
        "show_all": show_all,
    }
    return render(request, "registers/planned_list.html", context)


def _record_planned(
    request: HttpRequest, school: School, membership: Membership, data: dict[str, Any]
) -> HttpResponse:
    planned, prefill = record_planned_absence(
        school=school, actor=Actor.for_membership(membership), today=timezone.localdate(), **data
    )
    messages.success(request, f"Recorded the planned absence for {planned.pupil.name}.")
    _report_prefill(request, prefill)
    return redirect("registers:planned_list", school.urn)


planned_new = form_page(
    PlannedAbsenceForm,
    _record_planned,
    name="planned_new",
    template="registers/planned_form.html",
    initial=lambda request: {"pupil": request.GET.get("pupil")},
)
