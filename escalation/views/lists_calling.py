"""The first-day calling list: pupils absent with no reason yet (an N mark), vulnerable
pupils first, with their contacts and one-click logging of each call (docs/domain.md §5, §9).

The reads are escalation.selectors.lists (the same number of queries whatever the number
of pupils: one each for the N marks, the pupils, their contacts, the day's calls and the
year-to-date counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from attendance_portal.permissions import get_pupil_for_user, school_view
from escalation import selectors
from escalation.forms import COMMON_CODE_CHOICES, OTHER_CODE_CHOICES, CallOutcomeForm
from escalation.views.lists import Badge, flag_badges, is_htmx, list_day, pupil_url
from registers.actors import Actor
from registers.families import selectors as families
from registers.families.models import AbsenceReport, Message
from registers.families.services.absence import ACCEPT_CODES
from registers.models import CallAttempt, Contact, Membership, Pupil, School
from registers.rates import attendance_pct, shown_pct_for
from registers.services.calls import log_call
from registers.services.marks import MarkError

Outcome = CallAttempt.Outcome

# The one-click outcomes: a call that did not get a reason, logged with a single button.
QUICK_OUTCOMES = [Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.MESSAGE, Outcome.UNOBTAINABLE]


@dataclass
class CallingRow:
    pupil: Pupil
    sessions: list[str]  # the sessions still marked N
    contacts: list[Contact]
    calls: list[CallAttempt]
    attendance: Decimal | None
    badges: list[Badge]
    pupil_url: str
    errors: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    attendance_shown: str = "–"  # rates.shown_pct: never on the wrong side of the band
    # Sessions whose register was saved without a mark for this pupil: nobody knows where
    # they are, so they stay on the list (a safeguarding check) until they have a mark.
    unmarked: list[str] = field(default_factory=list)
    register_url: str = ""
    messages: list[Message] = field(default_factory=list)
    reports: list[AbsenceReport] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return not self.sessions and not self.unmarked

    @property
    def resolution(self) -> CallAttempt | None:
        return next((c for c in reversed(self.calls) if c.resolved), None)


def calling_rows(
    *, school: School, day: dt.date, pupil_ids: list[int] | None = None
) -> list[CallingRow]:
    """Rows of the calling list, vulnerable pupils first.

    Without `pupil_ids`: every pupil with an N mark on `day`, and every pupil left without
    a mark in a register saved that day. With them (one row redrawn after a call): those
    pupils, even if their absence has just been resolved.
    """
    return [
        CallingRow(
            pupil=c.pupil,
            sessions=c.sessions,
            contacts=c.contacts,
            calls=c.calls,
            attendance=attendance_pct(c.counts) if c.counts is not None else None,
            badges=flag_badges(c.pupil),
            pupil_url=pupil_url(school, c.pupil.pk),
            attendance_shown=shown_pct_for(c.counts, school),
            unmarked=c.unmarked,
            messages=c.messages,
            reports=c.reports,
            register_url=reverse(
                "registers:take", args=[school.urn, c.pupil.form_id, day, c.unmarked[0]]
            )
            if c.unmarked and c.pupil.form_id
            else "",
        )
        for c in selectors.calling_pupils(school=school, day=day, pupil_ids=pupil_ids)
    ]


def _row_context(school: School, day: dt.date) -> dict:
    return {
        "school": school,
        "day": day,
        "quick_outcomes": QUICK_OUTCOMES,
        "common_codes": COMMON_CODE_CHOICES,
        "other_codes": OTHER_CODE_CHOICES,
        "register_open_minutes": school.register_open_minutes,
        "today": timezone.localdate(),
        "accept_codes": ACCEPT_CODES,
    }


@school_view("manage_cases")
@require_GET
def calling(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    day, bad_date = list_day(request)
    return _render_list(request, school, day, bad_date=bad_date)


def _render_list(
    request: HttpRequest,
    school: School,
    day: dt.date,
    *,
    bad_date: str = "",
    failed: CallingRow | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = calling_rows(school=school, day=day)
    if failed is not None:
        # Redraw the row that failed with its errors and what the officer typed.
        # (at the top if it has left the list, e.g. resolved meanwhile by someone else).
        others = [r for r in rows if r.pupil.pk != failed.pupil.pk]
        if len(others) == len(rows):
            rows = [failed, *rows]
        else:
            rows = [failed if r.pupil.pk == failed.pupil.pk else r for r in rows]
    listed = {r.pupil.pk for r in rows}
    context = {
        **_row_context(school, day),
        "rows": rows,
        "to_call": sum(not r.resolved for r in rows),
        "resolved_calls": selectors.resolved_calls(school=school, day=day, listed=listed),
        "bad_date": bad_date,
        "day_info": selectors.day_status(school=school, day=day),
        # Parents' reports the office has not decided yet, whatever day they are for.
        "waiting_reports": [
            r for r in families.waiting_reports(school=school) if r.pupil_id not in listed
        ],
    }
    return render(request, "escalation/list_calling.html", context, status=status)


@school_view("manage_cases")
@require_POST
def log_call_view(
    request: HttpRequest, school: School, membership: Membership, pk: int
) -> HttpResponse:
    """Log one call. htmx gets the redrawn row; a plain form post is redirected back."""
    pupil = get_pupil_for_user(membership, school, pk)
    form = CallOutcomeForm(request.POST, pupil=pupil)
    if form.is_valid():
        data = form.cleaned_data
        try:
            log_call(
                pupil=pupil,
                day=data["date"],
                outcome=data["outcome"],
                code=data["code"] or None,
                contact=data["contact"],
                note=data["note"],
                actor=Actor.for_membership(membership),
                minutes_late=data["minutes_late"],
                session=data["session"] or None,
            )
        except MarkError as exc:
            form.add_error(None, str(exc))
    day = form.cleaned_data.get("date") or timezone.localdate()

    if form.errors:
        rows = calling_rows(school=school, day=day, pupil_ids=[pupil.pk])
        failed = rows[0]
        # Templates cannot read "__all__": errors of the whole form are under "form".
        failed.errors = {
            ("form" if k == "__all__" else k): " ".join(v) for k, v in form.errors.items()
        }
        if failed.resolved:  # no form is drawn for a resolved row: say it all at the top
            failed.errors = {"form": " ".join(failed.errors.values())}
        failed.values = {k: request.POST.get(k, "") for k in form.fields}
        # 422 so a plain browser and htmx (see htmx-config in list_calling.html) both show
        # the row again with the errors, and nothing was written.
        if is_htmx(request):
            return _render_row(request, school, day, failed, status=422)
        return _render_list(request, school, day, failed=failed, status=422)

    if is_htmx(request):
        row = calling_rows(school=school, day=day, pupil_ids=[pupil.pk])[0]
        # The page's "n pupils to call" is swapped out of band with the row.
        to_call = selectors.to_call_count(school=school, day=day)
        return _render_row(request, school, day, row, to_call=to_call)
    outcome = Outcome(form.cleaned_data["outcome"]).label
    messages.success(request, f"{pupil.name}: {outcome} logged.")
    url = reverse("escalation:calling", args=[school.urn])
    return redirect(f"{url}?date={day:%Y-%m-%d}#call-row-{pupil.pk}")


def _render_row(
    request: HttpRequest,
    school: School,
    day: dt.date,
    row: CallingRow,
    *,
    status: int = 200,
    to_call: int | None = None,
) -> HttpResponse:
    context = {**_row_context(school, day), "row": row, "oob_to_call": to_call}
    return render(request, "escalation/_list_calling_row.html", context, status=status)
