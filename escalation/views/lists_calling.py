"""The first-day calling list: pupils absent with no reason yet (an N mark), vulnerable
pupils first, with their contacts and one-click logging of each call (DOMAIN.md §5, §9).

The page costs the same number of queries whatever the number of pupils: one each for the
N marks, the pupils, their contacts, the day's calls and the year-to-date counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from attendance_portal.permissions import get_pupil_for_user, school_view
from escalation.forms_lists import COMMON_CODE_CHOICES, OTHER_CODE_CHOICES, CallOutcomeForm
from escalation.views.lists import Badge, flag_badges, is_htmx, list_day, pupil_url
from registers.figures import counts_by_pupil, year_to_date
from registers.models import (
    CallAttempt,
    Contact,
    Form,
    Mark,
    Membership,
    Pupil,
    Register,
    School,
    SchoolDay,
)
from registers.rates import attendance_pct, shown_pct_for
from registers.services.calls import log_call
from registers.services.marks import Actor, MarkError

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

    @property
    def resolved(self) -> bool:
        return not self.sessions and not self.unmarked

    @property
    def resolution(self) -> CallAttempt | None:
        return next((c for c in reversed(self.calls) if c.resolved), None)


def unmarked_in_saved_registers(
    *, school: School, day: dt.date, pupil_ids: list[int] | None = None
) -> dict[int, list[str]]:
    """Pupils on roll left without a mark in a register saved on `day` (an open session):
    pupil id -> sessions. Three queries whatever the number of forms."""
    school_day = SchoolDay.objects.for_school(school).filter(date=day).first()
    if school_day is None:
        return {}
    saved = {
        (form_id, session)
        for form_id, session in Register.objects.for_school(school)
        .filter(date=day, taken_at__isnull=False)
        .values_list("form_id", "session")
        if school_day.is_open(session)
    }
    if not saved:
        return {}
    pupils = Pupil.objects.for_school(school).on_roll(day)
    pupils = pupils.filter(form_id__in={form_id for form_id, _ in saved})
    if pupil_ids is not None:
        pupils = pupils.filter(pk__in=pupil_ids)
    on_roll = list(pupils.values_list("pk", "form_id"))
    marked = set(
        Mark.objects.for_school(school)
        .on(day)
        .filter(pupil_id__in=[pk for pk, _ in on_roll])
        .values_list("pupil_id", "session")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for pk, form_id in on_roll:
        for session in ("AM", "PM"):
            if (form_id, session) in saved and (pk, session) not in marked:
                found[pk].append(session)
    return found


def calling_rows(
    *, school: School, day: dt.date, pupil_ids: list[int] | None = None
) -> list[CallingRow]:
    """Rows of the calling list, vulnerable pupils first.

    Without `pupil_ids`: every pupil with an N mark on `day`, and every pupil left without
    a mark in a register saved that day. With them (one row redrawn after a call): those
    pupils, even if their absence has just been resolved.
    """
    marks = Mark.objects.for_school(school).on(day).unexplained()
    if pupil_ids is not None:
        marks = marks.filter(pupil_id__in=pupil_ids)
    sessions: dict[int, list[str]] = defaultdict(list)
    for pupil_id, session in marks.order_by("session").values_list("pupil_id", "session"):
        sessions[pupil_id].append(session)
    unmarked = unmarked_in_saved_registers(school=school, day=day, pupil_ids=pupil_ids)
    ids = list(sessions.keys() | unmarked.keys()) if pupil_ids is None else pupil_ids
    if not ids:
        return []

    pupils = (
        Pupil.objects.for_school(school)
        .filter(pk__in=ids)
        .select_related("form")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.for_school(school).order_by("priority"))
        )
        .vulnerable_first()
    )
    calls: dict[int, list[CallAttempt]] = defaultdict(list)
    for call in (
        CallAttempt.objects.for_school(school)
        .on(day)
        .filter(pupil_id__in=ids)
        .select_related("contact", "called_by", "code_given")
    ):
        calls[call.pupil_id].append(call)
    start, end = year_to_date(day)
    counts = counts_by_pupil(school=school, start=start, end=end, pupil_ids=ids)
    return [
        CallingRow(
            pupil=p,
            sessions=sessions.get(p.pk, []),
            contacts=list(p.contacts.all()),
            calls=calls.get(p.pk, []),
            attendance=attendance_pct(counts[p.pk]) if p.pk in counts else None,
            badges=flag_badges(p),
            pupil_url=pupil_url(school, p.pk),
            attendance_shown=shown_pct_for(counts.get(p.pk), school),
            unmarked=unmarked.get(p.pk, []),
            register_url=reverse(
                "registers:take", args=[school.urn, p.form_id, day, unmarked[p.pk][0]]
            )
            if p.pk in unmarked and p.form_id
            else "",
        )
        for p in pupils
    ]


@dataclass(frozen=True)
class DayContext:
    school_day: SchoolDay | None
    previous: dt.date | None
    next: dt.date | None
    forms_total: int
    missing_am: int
    missing_pm: int


def _day_context(*, school: School, day: dt.date) -> DayContext:
    days = SchoolDay.objects.for_school(school)
    school_day = days.filter(date=day).first()
    previous = days.filter(date__lt=day).order_by("-date").values_list("date", flat=True).first()
    following = days.filter(date__gt=day).order_by("date").values_list("date", flat=True).first()
    # Absent pupils in a form whose register is not taken yet have no N mark, so they are
    # not on this list: say how many registers are missing.
    form_ids = set(
        Form.objects.for_school(school)
        .filter(pupils__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    taken = set(
        Register.objects.for_school(school)
        .filter(date=day, taken_at__isnull=False)
        .values_list("form_id", "session")
    )
    missing = {
        session: sum((pk, session) not in taken for pk in form_ids)
        if school_day and school_day.is_open(session)
        else 0
        for session in ("AM", "PM")
    }
    return DayContext(school_day, previous, following, len(form_ids), missing["AM"], missing["PM"])


def _resolved_today(*, school: School, day: dt.date, listed: set[int]) -> list[CallAttempt]:
    """The calls that settled an absence today, for pupils no longer on the list."""
    calls = (
        CallAttempt.objects.for_school(school)
        .on(day)
        .resolving()
        .select_related("pupil", "pupil__form", "contact", "called_by", "code_given")
        .order_by("-called_at")
    )
    return [c for c in calls if c.pupil_id not in listed]


def _row_context(school: School, day: dt.date) -> dict:
    return {
        "school": school,
        "day": day,
        "quick_outcomes": QUICK_OUTCOMES,
        "common_codes": COMMON_CODE_CHOICES,
        "other_codes": OTHER_CODE_CHOICES,
        "register_open_minutes": school.register_open_minutes,
        "today": timezone.localdate(),
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
        "resolved_calls": _resolved_today(school=school, day=day, listed=listed),
        "bad_date": bad_date,
        "day_info": _day_context(school=school, day=day),
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
        to_call = (
            Mark.objects.for_school(school).on(day).unexplained().values("pupil_id").distinct()
        ).count()
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
