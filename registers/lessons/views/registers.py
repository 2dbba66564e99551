"""A teacher's lessons of the day, the lesson register, and the office's missing lesson
registers by period."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from attendance_portal.permissions import OFFICE, Role, school_view
from registers.actors import Actor
from registers.lessons import rules
from registers.lessons.access import get_lesson_for_user
from registers.lessons.forms import DateQuery, LessonRegisterForm
from registers.lessons.selectors.day import lesson_sheet, scheduled_on, teacher_day
from registers.lessons.selectors.missing import missing_by_period
from registers.lessons.services.registers import (
    LessonError,
    StaleLessonRegister,
    save_lesson_register,
)
from registers.models import Membership, School


def _chosen_day(request: HttpRequest) -> tuple[dt.date, str]:
    query = DateQuery(request.GET)
    today = timezone.localdate()
    if not query.is_valid():
        return today, " ".join(query.errors.get("date", []))
    return query.cleaned_data["date"] or today, ""


@school_view("take_lesson_register")
@require_GET
def my_day(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """The member's lessons of a day (today by default), each with its register's state."""
    day, bad_date = _chosen_day(request)
    now = timezone.now()
    lessons = teacher_day(school=school, membership=membership, day=day)
    return render(
        request,
        "lessons/my_day.html",
        {
            "school": school,
            "day": day,
            "bad_date": bad_date,
            "lessons": lessons,
            "now": now,
            "is_office": membership.role in OFFICE,
        },
    )


def _refusal(membership: Membership, sheet, now: dt.datetime) -> str:
    today = timezone.localdate(now)
    if sheet.day > today or now < sheet.starts:
        return (
            f"This register opens when the lesson starts, at "
            f"{timezone.localtime(sheet.starts):%H:%M} on {sheet.day:%A %-d %B}."
        )
    if membership.role == Role.TEACHER and sheet.day < today:
        return "Lesson registers of past days are completed by the attendance office."
    return ""


@school_view("take_lesson_register")
@require_http_methods(["GET", "POST"])
def take(
    request: HttpRequest, school: School, membership: Membership, lesson_id: int, day: dt.date
) -> HttpResponse:
    """The lesson register: present, late, absent or out of the lesson for each pupil; a
    pupil with a statutory absence code for the session is shown, not asked."""
    lesson = get_lesson_for_user(membership, school, lesson_id)
    if not scheduled_on(lesson, day):
        raise Http404("This lesson is not timetabled on that day.")
    now = timezone.now()
    sheet = lesson_sheet(lesson=lesson, day=day)
    refusal = _refusal(membership, sheet, now)
    form = LessonRegisterForm(sheet, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if refusal:
            raise PermissionDenied(refusal)
        if form.is_valid():
            entries = form.entries()
            try:
                result = save_lesson_register(
                    lesson=lesson,
                    day=day,
                    entries=entries,
                    actor=Actor.for_membership(membership),
                    expected_version=form.cleaned_data["version"],
                    now=now,
                )
            except StaleLessonRegister as exc:
                sheet = lesson_sheet(lesson=lesson, day=day)
                form = LessonRegisterForm(sheet, request.POST)
                form.rebase_after_stale(sheet)
                form.is_valid()
                form.add_error(None, str(exc))
            except LessonError as exc:
                form.add_error(None, str(exc))
            else:
                _saved_message(request, lesson, form, entries, result)
                return redirect(request.path)
    return render(
        request,
        "lessons/take.html",
        {
            "school": school,
            "sheet": sheet,
            "lesson": lesson,
            "form": form,
            "refusal": refusal,
            "can_save": not refusal,
            "keys": rules.KEYS,
        },
    )


def _saved_message(request, lesson, form, entries, result) -> None:
    counts = {kind: 0 for kind in rules.Kind}
    for entry in entries:
        counts[rules.Kind(entry.kind)] += 1
    line = ", ".join(
        f"{counts[k]} {rules.KIND_LABELS[k].split(' (')[0].lower()}" for k in rules.Kind
    )
    unmarked = sum(1 for row in form.sheet.rows if row.asked) - len(entries)
    text = f"Saved the register of {lesson.teaching_class.code} {lesson.period.name}: {line}."
    if result.alerts_raised:
        n = len(result.alerts_raised)
        text += (
            f" {n} pupil{'s' if n != 1 else ''} present at registration but absent here: the "
            "attendance office has been alerted."
        )
    if unmarked > 0:
        messages.warning(request, f"{text} {unmarked} pupil(s) still have no lesson mark.")
    else:
        messages.success(request, text)


@school_view("chase_lesson_registers")
@require_GET
def missing(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """Today's lesson registers still not taken, by period, with their teachers."""
    now = timezone.now()
    return render(
        request,
        "lessons/missing.html",
        {"school": school, "groups": missing_by_period(school=school, now=now), "now": now},
    )
