"""Lesson attendance reports (heads and officers), the pastoral patterns view (the office
and pastoral leads) and a pupil's lessons page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from attendance_portal.permissions import get_pupil_for_user, school_view
from registers.lessons.access import pastoral_years
from registers.lessons.forms import PatternQuery, RangeQuery, ReportQuery
from registers.lessons.selectors.alerts import pupil_day
from registers.lessons.selectors.patterns import counted_alerts, repeated_misses, truancy_counts
from registers.lessons.selectors.reports import group_choices, lesson_attendance
from registers.lessons.selectors.spans import HALF_TERM, span_dates
from registers.models import Form, Membership, Pupil, School

DEFAULT_DAYS = 28


def _range(query: RangeQuery) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    data = query.cleaned_data if query.is_valid() else {}
    end = data.get("end") or today
    return data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS), end


def _span(query: PatternQuery, school: School) -> tuple[dt.date, dt.date]:
    """Dates of the user's own if they gave both, else the chosen span (this half-term)."""
    data = query.cleaned_data if query.is_valid() else {}
    if data.get("start") and data.get("end"):
        return data["start"], data["end"]
    return span_dates(school=school, span=data.get("span") or HALF_TERM, today=timezone.localdate())


@school_view("view_lesson_reports")
@require_GET
def report(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    years = sorted(
        set(Pupil.objects.for_school(school).values_list("year_group", flat=True)),
        key=lambda y: (len(y), y),
    )
    query = ReportQuery(
        request.GET,
        forms_of_school=Form.objects.for_school(school).order_by("name"),
        years=years,
        groups=group_choices(),
    )
    start, end = _range(query)
    data = query.cleaned_data if query.is_valid() else {}
    tables = lesson_attendance(
        school=school,
        start=start,
        end=end,
        year_group=data.get("year_group") or "",
        form_id=data.get("form"),
        group=data.get("group") or "",
    )
    return render(
        request,
        "lessons/report.html",
        {"school": school, "query": query, "start": start, "end": end, "tables": tables.values()},
    )


@school_view("view_truancy_alerts")
@require_GET
def patterns(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    years = pastoral_years(membership, school)
    query = PatternQuery(request.GET)
    start, end = _span(query, school)
    return render(
        request,
        "lessons/patterns.html",
        {
            "school": school,
            "query": query,
            "start": start,
            "end": end,
            "counts": truancy_counts(school=school, start=start, end=end, years=years),
            "patterns": repeated_misses(school=school, start=start, end=end, years=years),
        },
    )


@school_view("view_pupils")
@require_GET
def pupil(request: HttpRequest, school: School, membership: Membership, pk: int) -> HttpResponse:
    """A pupil's lessons: the timetable of the span's last day with its marks,
    post-registration truancy in the span (this half-term by default) and the subjects or
    periods they miss repeatedly."""
    found = get_pupil_for_user(membership, school, pk)
    query = PatternQuery(request.GET)
    start, end = _span(query, school)
    alerts = counted_alerts(school=school, start=start, end=end).filter(pupil=found)
    return render(
        request,
        "lessons/pupil.html",
        {
            "school": school,
            "pupil": found,
            "start": start,
            "end": end,
            "query": query,
            "today": pupil_day(school=school, pupil=found, day=end),
            "alerts": alerts.select_related(
                "register__lesson__period", "register__lesson__teaching_class"
            ),
            "patterns": repeated_misses(school=school, start=start, end=end, pupil=found),
        },
    )
