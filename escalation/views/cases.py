"""A pupil's case page, with the case's everyday actions (open, note, stage, close). The
caseload is in escalation.views.caseload, the formal steps in escalation.views.case_actions.

Officers and heads only: teachers, governors and trust leads get 403, another school 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from attendance_portal.errors import DomainError
from attendance_portal.permissions import get_pupil_for_user, school_view
from escalation import forms, rules, selectors
from escalation.models import Case, EscalationEvent
from escalation.services import cases as case_services
from escalation.services.cases import CaseError
from escalation.views.lists import band_view, flag_badges, pupil_url
from registers import rates
from registers.actors import Actor
from registers.families import selectors as families
from registers.families.models import Message
from registers.models import Membership, School

# What the timeline spells out from an event's data, so a reader sees what was agreed.
DETAIL_LABELS = {
    "attendees": "Who attended",
    "discussed": "Discussed",
    "agreed": "Agreed",
    "barriers": "Barriers found",
    "school_support": "Support the school will give",
    "family_commitments": "What the family agreed to",
    "evidence": "Evidence",
}
# The forms of the case page, by prefix; per-object forms (a contract's review, …) are
# built in _case_context with the object's id in the prefix.
CASE_FORMS: dict[str, type[Form]] = {
    "note": forms.NoteForm,
    "meeting": forms.MeetingForm,
    "contract": forms.ContractForm,
    "notice": forms.NoticeForm,
    "referral": forms.ReferralForm,
    "supervision": forms.SupervisionOrderForm,
    "la": forms.LaReferralForm,
    "stage": forms.StageForm,
    "close": forms.CloseForm,
}


def find_case(school: School, pk: int) -> Case:
    return selectors.find_case(school=school, pk=pk)


@dataclass
class TimelineEntry:
    """One line of a case's timeline: an event of the case, or a message to the family
    sent while it was open (issue 16: every message is on the case timeline)."""

    event: EscalationEvent | None
    details: list[tuple[str, str]]
    message: Message | None = None

    @property
    def sort_key(self) -> tuple[dt.date, dt.datetime]:
        if self.event is not None:
            return (self.event.occurred_on, self.event.created_at)
        assert self.message is not None
        sent = timezone.localtime(self.message.created_at)
        return (sent.date(), sent)


def timeline(case: Case, messages: Sequence[Message] = ()) -> list[TimelineEntry]:
    """The case's events and, in date order among them, the messages to the family from
    the day the case opened."""
    entries = [
        TimelineEntry(
            e, [(label, e.data[k]) for k, label in DETAIL_LABELS.items() if e.data.get(k)]
        )
        for e in case.events.all()
    ]
    entries += [
        TimelineEntry(None, [], m)
        for m in messages
        if timezone.localtime(m.created_at).date() >= case.opened_on
    ]
    return sorted(entries, key=lambda entry: entry.sort_key)


def case_context(
    school: School, case: Case, *, bound: dict[str, Form] | None = None
) -> dict[str, object]:
    """Everything the case page shows: figures, calculator, timeline, steps, forms."""
    pupil, today = case.pupil, timezone.localdate()
    found = selectors.pupil_figures(school=school, pupil=pupil, today=today)
    counts_now, remaining = found.counts, found.remaining
    pupil_band = rates.band(
        counts_now, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct
    )
    # The school's two lines, then the national persistent-absence line (10% missed).
    lines = [school.target_pct, school.formal_meeting_pct, Decimal(90)]
    contracts = list(case.contracts.all())
    notices = list(case.notices.all())
    referrals = list(case.penalty_referrals.all())
    bound = bound or {}
    per_object = {
        **{f"review-{c.pk}": forms.ContractReviewForm for c in contracts if not c.reviewed},
        **{f"outcome-{n.pk}": forms.NoticeOutcomeForm for n in notices if n.outcome == "pending"},
        **{f"referral-{r.pk}": forms.ReferralOutcomeForm for r in referrals},
    }
    form_classes = {**CASE_FORMS, **per_object}
    built = {p: bound.get(p) or cls(prefix=p) for p, cls in form_classes.items()}
    family_messages = families.messages_for_pupil(school=school, pupil=pupil)
    return {
        "school": school,
        "case": case,
        "pupil": pupil,
        "badges": flag_badges(pupil),
        "pupil_url": pupil_url(school, pupil.pk),
        "counts": counts_now,
        "attendance": rates.attendance_pct(counts_now),
        "band": band_view(pupil_band),
        # Severe absence is the top priority for all partners (docs/domain.md §10).
        "severe": pupil_band == rates.Band.SEVERE,
        "recovery": rules.recovery(counts_now, lines=lines),
        "remaining": remaining,
        "projected": rates.projected_pct(counts_now, remaining_sessions=remaining),
        "history": selectors.figure_history(school=school, pupil=pupil),
        "timeline": timeline(case, family_messages),
        # Every message also in its own table beside the timeline (registers/families).
        "family_messages": family_messages,
        "family_reports": families.reports_for_pupil(school=school, pupil=pupil),
        "contracts": [(c, built.get(f"review-{c.pk}")) for c in contracts],
        "notices": [(n, built.get(f"outcome-{n.pk}")) for n in notices],
        "referrals": [(r, built.get(f"referral-{r.pk}")) for r in referrals],
        "forms": built,
        "parents": selectors.parent_names(school=school, pupil=pupil),
        "other_cases": [c for c in selectors.cases_of(school=school, pupil=pupil) if c != case],
        "today": today,
    }


def render_case(
    request: HttpRequest, school: School, case: Case, *, bound: dict[str, Form] | None = None
) -> HttpResponse:
    status = 400 if bound else 200
    context = case_context(school, case, bound=bound)
    return render(request, "escalation/case.html", context, status=status)


def act(
    request: HttpRequest,
    school: School,
    membership: Membership,
    case: Case,
    *,
    form_class: type[Form],
    prefix: str,
    perform: Callable[[dict, Actor], object],
    done: str,
) -> HttpResponse:
    """The shape of every case action: validate, call one service, redirect or re-render
    the case page with the form and its errors."""
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            perform(form.cleaned_data, Actor.for_membership(membership))
        except DomainError as exc:  # CaseError, NoticeBeforeFramework, ThirdNoticeRefused, …
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("escalation:case", school.urn, case.pk)
    return render_case(request, school, case, bound={prefix: form})


def case_action(
    form_class: type[Form], prefix: str, service: Callable[..., object], done: str
) -> Callable[..., HttpResponse]:
    """A POST view for a step whose form fields are the service's keyword arguments:
    service(case=…, actor=…, **cleaned_data)."""

    @require_POST
    @school_view("manage_cases")
    def view(request: HttpRequest, school: School, membership: Membership, pk: int):
        found = find_case(school, pk)
        return act(
            request,
            school,
            membership,
            found,
            form_class=form_class,
            prefix=prefix,
            perform=lambda data, actor: service(case=found, actor=actor, **data),
            done=done,
        )

    view.__name__ = view.__qualname__ = f"case_{prefix}"
    return view


@require_GET
@school_view("manage_cases")
def case(request: HttpRequest, school: School, membership: Membership, pk: int) -> HttpResponse:
    return render_case(request, school, find_case(school, pk))


@require_GET
@school_view("manage_cases")
def pupil_case(
    request: HttpRequest, school: School, membership: Membership, pupil_id: int
) -> HttpResponse:
    """A pupil's open case, or the form to open one (with any earlier cases listed)."""
    pupil = get_pupil_for_user(membership, school, pupil_id)
    current = selectors.open_case_of(school=school, pupil=pupil)
    if current is not None:
        return redirect("escalation:case", school.urn, current.pk)
    return _open_page(request, school, pupil, forms.OpenCaseForm(prefix="open"))


def _open_page(request, school, pupil, form, status=200) -> HttpResponse:
    context = {
        "school": school,
        "pupil": pupil,
        "badges": flag_badges(pupil),
        "pupil_url": pupil_url(school, pupil.pk),
        "form": form,
        "cases": selectors.cases_of(school=school, pupil=pupil),
    }
    return render(request, "escalation/case_open.html", context, status=status)


@require_POST
@school_view("manage_cases")
def case_open(
    request: HttpRequest, school: School, membership: Membership, pupil_id: int
) -> HttpResponse:
    pupil = get_pupil_for_user(membership, school, pupil_id)
    form = forms.OpenCaseForm(request.POST, prefix="open")
    if form.is_valid():
        try:
            opened = case_services.open_case(
                pupil=pupil,
                actor=Actor.for_membership(membership),
                summary=form.cleaned_data["summary"],
                on=timezone.localdate(),
                next_review=form.cleaned_data["next_review"],
            )
        except CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Case opened for {pupil.name}.")
            return redirect("escalation:case", school.urn, opened.pk)
    return _open_page(request, school, pupil, form, status=400)


case_note = case_action(forms.NoteForm, "note", case_services.add_note, "Note added to the case.")
case_stage = case_action(forms.StageForm, "stage", case_services.change_stage, "Stage changed.")
case_close = case_action(forms.CloseForm, "close", case_services.close_case, "Case closed.")
