"""The patterns and counts cover this half-term by default, this term or the year to date
on request (the pastoral view and a pupil's lessons page)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from registers.lessons.selectors.spans import span_dates
from tests.registers.factories import make_half_term

from .conftest import at
from .test_reports import _two_mondays

AUTUMN2 = (dt.date(2025, 10, 27), dt.date(2025, 12, 19))
SPRING1 = (dt.date(2026, 1, 5), dt.date(2026, 2, 13))


def _calendar(school):
    make_half_term(school, "Autumn 2", *AUTUMN2)
    make_half_term(school, "Spring 1", *SPRING1)


def test_the_spans_follow_the_schools_half_terms(school):
    _calendar(school)
    november = dt.date(2025, 11, 10)
    assert span_dates(school=school, span="half_term", today=november) == (AUTUMN2[0], november)
    assert span_dates(school=school, span="term", today=november) == (
        dt.date(2025, 9, 3),
        november,
    )
    january = dt.date(2026, 1, 12)
    assert span_dates(school=school, span="term", today=january) == (SPRING1[0], january)
    assert span_dates(school=school, span="ytd", today=january) == (dt.date(2025, 9, 3), january)
    # Anything else is this half-term, as a stale bookmark should be.
    assert span_dates(school=school, span="?", today=january) == (SPRING1[0], january)


def test_the_pupil_page_and_the_pastoral_view_offer_the_half_term_term_and_year(
    login, school, timetable, pupils, teacher, other_teacher, head, time_machine
):
    _calendar(school)
    _two_mondays(timetable, pupils, teacher, other_teacher)  # two alerts in September
    pupil_page = reverse("lessons:pupil", args=[school.urn, pupils[0].pk])
    patterns = reverse("lessons:patterns", args=[school.urn])
    client = login(head)
    time_machine.move_to(at(12, 0, dt.date(2025, 11, 10)), tick=False)
    assert "<strong>0</strong> lessons missed" in client.get(pupil_page).content.decode()
    assert "<strong>2</strong> lessons missed" in (
        client.get(pupil_page + "?span=term").content.decode()
    )
    assert pupils[0].surname not in client.get(patterns).content.decode()
    assert pupils[0].surname in client.get(patterns + "?span=term").content.decode()
    time_machine.move_to(at(12, 0, dt.date(2026, 1, 12)), tick=False)
    assert "<strong>0</strong> lessons missed" in (
        client.get(pupil_page + "?span=term").content.decode()
    )
    page = client.get(pupil_page + "?span=ytd").content.decode()
    assert "<strong>2</strong> lessons missed" in page and "Year to date" in page
