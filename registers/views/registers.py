"""The day's registers (teachers' start page, the office's missing list) and the class
register itself."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from attendance_portal.permissions import (
    Role,
    can_amend_marks,
    can_take_register,
    school_view,
    visible_forms,
)
from registers import codes, selectors
from registers.actors import Actor
from registers.forms import DayForm, RegisterForm
from registers.models import Form, Membership, PupilPhoto, School
from registers.selectors.day import RegisterState
from registers.selectors.missing import unmarked_total
from registers.services.marks import MarkError, StaleRegister, describe, save_register


@school_view("take_register")
@require_GET
def day(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """A day's AM and PM registers of the forms this member works with; ?missing=1 lists
    only those still missing or taken with blanks."""
    today = timezone.localdate()
    query = DayForm(request.GET)
    valid = query.is_valid()
    chosen = (query.cleaned_data["date"] if valid else None) or today
    missing_only = valid and query.cleaned_data["missing"]
    overview = selectors.day_overview(
        school=school,
        forms=visible_forms(membership, school, day=chosen),
        day=chosen,
        today=today,
        now=timezone.now(),
    )
    # A teacher's own missing registers of today, as a banner (the reminders' in-app twin).
    my_missing = (
        [
            (row.form, status)
            for row in overview.rows
            for status in row.sessions
            if status.state is RegisterState.MISSING
        ]
        if membership.role == Role.TEACHER and chosen == today
        else []
    )
    context = {
        "school": school,
        "overview": overview,
        "my_missing": my_missing,
        "rows": overview.needing_attention() if missing_only else overview.rows,
        "missing_only": missing_only,
        "bad_date": " ".join(query.errors.get("date", [])),
        "today": today,
        "can_manage_absence": can_amend_marks(membership),
        # The office's data-quality count: sessions with no mark this year before today.
        "unmarked": unmarked_total(school=school, today=today)
        if can_amend_marks(membership)
        else 0,
    }
    return render(request, "registers/day.html", context)


def get_form_for_register(
    membership: Membership, school: School, form_id: int, day: dt.date | None = None
) -> Form:
    """A form of this school (else 404) whose registers this member may take (else 403);
    a cover teacher only on the day they cover it."""
    form = Form.objects.for_school(school).filter(pk=form_id).first()
    if form is None:
        raise Http404("No such form")
    if not can_take_register(membership, form, day):
        raise PermissionDenied("You do not take this form's registers.")
    return form


def edit_refusal(
    membership: Membership,
    day: dt.date,
    today: dt.date,
    *,
    school: School | None = None,
    session: str = "AM",
    now: dt.datetime | None = None,
) -> str:
    """Why this member may look at but not save this register, or "" if they may save.

    A register is taken at the start of its session, so never in advance. Teachers take
    today's registers; a past register is completed or corrected by the attendance office
    (officers and heads), which keeps late changes with the people who chase absence.
    A teacher cannot take the afternoon register before the afternoon session starts (the
    school's setting): marks of the morning carried over would be false. Officers may.
    A refused save is a 403: the page offers no save button then.
    """
    if day > today:
        return "A register cannot be taken in advance."
    if membership.role == Role.TEACHER and day < today:
        return (
            "Registers of past days are completed by the attendance office. "
            "Ask them if a mark here needs changing."
        )
    if (
        membership.role == Role.TEACHER
        and session == "PM"
        and school is not None
        and now is not None
        and day == today
        and now < school.session_starts(day, session)
    ):
        starts = school.session_starts(day, session)
        return (
            f"The {session} register opens when the session starts, at "
            f"{timezone.localtime(starts):%H:%M}."
        )
    return ""


def stale_details(register_form: RegisterForm) -> list[str]:
    """After a stale save: each pupil both people changed, with the saved mark beside the
    user's, and what was put back for the next save."""
    details = [
        f"{line.row.pupil.name}: saved meanwhile "
        f"{describe(line.row.mark.code_id, line.row.mark.minutes_late, line.row.mark.comment)} "
        f"by {line.row.recorded_by_name or 'someone'}; you chose {line.yours_text}. "
        "The saved mark is shown: choose yours again if it is right."
        for line in register_form.conflicts
    ]
    others = len(register_form.changed_meanwhile) - len(details)
    if others > 0:
        other = " other" if details else ""
        details.append(
            f"{others}{other} pupil{'s' if others != 1 else ''} changed meanwhile "
            f"{'are' if others != 1 else 'is'} highlighted with the saved mark."
        )
    mine = len(register_form.reapplied)
    if mine:
        details.append(
            f"Your change{'s' if mine != 1 else ''} to {mine} "
            f"pupil{'s' if mine != 1 else ''} {'are' if mine != 1 else 'is'} put back: "
            "check and save again."
        )
    return details


def register_summary(entries) -> str:
    """The one line after a save: present (of them late), absent, other."""
    present = sum(1 for e in entries if e.code in codes.PRESENT_CODES | codes.AEA_CODES)
    late = sum(1 for e in entries if e.code in codes.LATE_CODES)
    absent = sum(1 for e in entries if e.code in codes.AUTHORISED_CODES | codes.UNAUTHORISED_CODES)
    other = len(entries) - present - absent
    line = f"{present} present, {absent} absent, {late} late"
    return line + (f", {other} not counted" if other else "")


def _saved_message(request: HttpRequest, sheet: selectors.RegisterSheet, result, entries) -> None:
    counts = [(result.created, "new"), (result.amended, "changed"), (result.unchanged, "unchanged")]
    changes = ", ".join(f"{k} {label}" for k, label in counts if k) or "no marks"
    unmarked = len(sheet.rows) - len(entries)
    if unmarked:
        messages.warning(
            request,
            f"Saved the {sheet.session} register of {sheet.form}, but "
            f"{unmarked} pupil{'s' if unmarked != 1 else ''} still "
            f"{'have' if unmarked != 1 else 'has'} no mark: the register is not complete and "
            "stays on the missing list (and unmarked pupils on the calling list) until "
            f"every pupil has a mark. {register_summary(entries)} ({changes}).",
        )
        return
    messages.success(
        request,
        f"Saved the {sheet.session} register of {sheet.form}: {register_summary(entries)} "
        f"({changes}).",
    )


@school_view("take_register")
@require_http_methods(["GET", "POST"])
def take(
    request: HttpRequest,
    school: School,
    membership: Membership,
    form_id: int,
    day: dt.date,
    session: str,
) -> HttpResponse:
    """The class register: one code per pupil, saved as one unit by save_register."""
    form = get_form_for_register(membership, school, form_id, day)
    sheet = selectors.register_sheet(school=school, form=form, day=day, session=session)
    refusal = edit_refusal(
        membership, day, timezone.localdate(), school=school, session=session, now=timezone.now()
    )
    teacher = membership.role == Role.TEACHER
    # Marks pre-filled from granted leave or a planned absence are the office's to change.
    locked = not can_amend_marks(membership)
    if request.method != "POST":
        register_form = RegisterForm(sheet, lock_prefilled=locked, teacher=teacher)
    else:
        if refusal:
            raise PermissionDenied(refusal)
        register_form = RegisterForm(
            sheet, request.POST.copy(), lock_prefilled=locked, teacher=teacher
        )
        if "fill_present" in request.POST:
            filled = register_form.fill_unmarked_present()
            messages.info(request, f"{filled} marked present. Not saved yet: check and save.")
        elif register_form.is_valid():
            entries = register_form.entries()
            try:
                result = save_register(
                    form=form,
                    day=day,
                    session=session,
                    entries=entries,
                    actor=Actor.for_membership(membership),
                    expected_version=register_form.cleaned_data["version"],
                    reason=register_form.cleaned_data["reason"],
                    protect_prefilled=locked,
                )
            except StaleRegister as exc:
                # Read again: the page starts from what is saved now; only the user's own
                # changes are put back, and whose mark is whose is said beside each pupil.
                sheet = selectors.register_sheet(school=school, form=form, day=day, session=session)
                register_form = RegisterForm(
                    sheet, request.POST.copy(), lock_prefilled=locked, teacher=teacher
                )
                register_form.rebase_after_stale()
                register_form.add_error(None, str(exc))
                for message in stale_details(register_form):
                    register_form.add_error(None, message)
            except MarkError as exc:
                register_form.add_error(None, str(exc))
            else:
                _saved_message(request, sheet, result, entries)
                return redirect(request.path)
    context = {
        "school": school,
        "sheet": sheet,
        "form": register_form,
        "refusal": refusal,
        "can_save": sheet.is_open and not refusal,
        "can_amend": can_amend_marks(membership),
        "other_session": "PM" if session == "AM" else "AM",
        # Contextual flags (social worker, looked after, FSM, SEN) are hidden by default:
        # the register is often projected in class.
        "show_flags": request.GET.get("flags") == "1",
        # Pupils with a photo (import_photos): a small one beside the name, else initials.
        "photo_ids": set(
            PupilPhoto.objects.for_school(school)
            .filter(pupil__in=[row.pupil for row in sheet.rows])
            .values_list("pupil_id", flat=True)
        ),
    }
    return render(request, "registers/take.html", context)
