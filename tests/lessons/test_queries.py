"""Query budgets: the lesson register's save and the alert list do not grow with pupils."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registers.lessons.models import Lesson, TruancyAlert
from tests.registers.factories import MarkFactory, PupilFactory

from .builders import MONDAY, build_timetable


def _count(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_saving_a_register_and_listing_alerts_take_a_fixed_number_of_queries(
    login, school, form, teacher, other_teacher, officer, monday_morning
):
    pupils = [PupilFactory(school=school, form=form) for _ in range(12)]
    build_timetable(school, pupils, teacher, other_teacher)
    for p in pupils:
        MarkFactory(pupil=p, date=MONDAY, session="AM", code_id="/")
    lesson = Lesson.objects.get(period__name="P1")
    client = login(teacher)
    url = reverse("lessons:take", args=[school.urn, lesson.pk, MONDAY])
    post = {"version": 0} | {f"mark_{p.pk}": "A" if n < 6 else "/" for n, p in enumerate(pupils)}
    saved = _count(lambda: client.post(url, post))
    assert TruancyAlert.objects.count() == 6
    assert saved <= 34, saved
    client = login(officer)
    alerts = reverse("lessons:alerts", args=[school.urn])
    listed = _count(lambda: client.get(alerts))
    assert listed <= 15, listed
