"""The weekly students-of-concern list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.models import Case
from tests.escalation.factories import CaseFactory, school_days
from tests.registers.factories import FormFactory, MarkFactory, PupilFactory

WEEK = dt.date(2025, 10, 6)  # Monday; the list is asked for the week of 6–10 October


def url(school) -> str:
    return reverse("escalation:concern", args=[school.urn])


def week_of_absence(start: dt.date, days: int, code: str = "I") -> dict[dt.date, str]:
    return {start + dt.timedelta(days=n): code for n in range(days)}


@pytest.fixture
def friday(school):
    return dt.date(2025, 10, 10)


def test_it_lists_pupils_below_target_and_pupils_absent_twice_this_week(
    login, officer, school, form, friday
):
    steady = PupilFactory(school=school, form=form, surname="Steady")
    MarkFactory.days(steady, school_days(steady.school, end=friday))
    # 4 days off in September: 8 of 56 sessions missed = 85.7%, persistent.
    poorly = PupilFactory(school=school, form=form, surname="Poorly")
    MarkFactory.days(
        poorly,
        school_days(poorly.school, end=friday),
        absent_on=week_of_absence(dt.date(2025, 9, 15), 4),
    )
    # One day off this week: still 96.4% for the year, but 2 sessions this week.
    dipping = PupilFactory(school=school, form=form, surname="Dipping")
    MarkFactory.days(
        dipping, school_days(dipping.school, end=friday), absent_on={dt.date(2025, 10, 7): "O"}
    )

    html = login(officer).get(url(school), {"week": "2025-10-08"}).content.decode()
    assert "Poorly" in html and "85.7%" in html and "Persistent absence" in html
    assert "Dipping" in html and "96.4%" in html
    assert "Steady" not in html
    assert html.index("Poorly") < html.index("Dipping")  # worst band first
    assert "Week of Monday 6 October 2025" in html
    assert "2 of 3 pupils" in html


def test_pupils_are_grouped_by_year_group_and_the_filter_keeps_one(
    login, officer, school, form, friday
):
    year3 = FormFactory(school=school, name="3A")
    young = PupilFactory(school=school, form=year3, year_group="3", surname="Younger")
    old = PupilFactory(school=school, form=form, year_group="4", surname="Older")
    for p in (young, old):
        MarkFactory.days(
            p, school_days(p.school, end=friday), absent_on=week_of_absence(dt.date(2025, 9, 15), 3)
        )
    client = login(officer)
    html = client.get(url(school), {"week": "2025-10-06"}).content.decode()
    assert html.index('id="year-3"') < html.index("Younger") < html.index('id="year-4"')
    assert html.index('id="year-4"') < html.index("Older")

    html = client.get(url(school), {"week": "2025-10-06", "year_group": "4"}).content.decode()
    assert "Older" in html and "Younger" not in html and 'id="year-3"' not in html


def test_an_unknown_year_group_or_week_falls_back_to_the_defaults(login, officer, school):
    response = login(officer).get(url(school), {"week": "soon", "year_group": "99"})
    assert response.status_code == 200
    assert "That is not a date" in response.content.decode()


def test_it_shows_the_open_case_stage_and_next_review(login, officer, school, form, friday):
    pupil = PupilFactory(school=school, form=form, surname="Casey")
    MarkFactory.days(
        pupil,
        school_days(pupil.school, end=friday),
        absent_on=week_of_absence(dt.date(2025, 9, 15), 4),
    )
    CaseFactory(
        school=school,
        pupil=pupil,
        stage=Case.Stage.CONTRACT,
        reason=Case.Reason.BAND,
        opened_on=dt.date(2025, 9, 20),
        next_review=dt.date(2025, 10, 20),
    )
    html = login(officer).get(url(school), {"week": "2025-10-06"}).content.decode()
    assert "Attendance contract" in html and "review 20 Oct" in html


def test_the_page_is_laid_out_for_printing(login, officer, school, form, friday):
    pupil = PupilFactory(school=school, form=form)
    MarkFactory.days(
        pupil,
        school_days(pupil.school, end=friday),
        absent_on=week_of_absence(dt.date(2025, 9, 15), 4),
    )
    html = login(officer).get(url(school), {"week": "2025-10-06"}).content.decode()
    assert "css/lists.css" in html
    assert 'class="print-only' in html


def test_other_schools_pupils_never_appear(login, officer, school, other_school, friday):
    stranger = PupilFactory(school=other_school, surname="Stranger")
    MarkFactory.days(
        stranger,
        school_days(stranger.school, end=friday),
        absent_on=week_of_absence(dt.date(2025, 9, 15), 5),
    )
    html = login(officer).get(url(school), {"week": "2025-10-06"}).content.decode()
    assert "Stranger" not in html


def test_the_query_count_does_not_grow_with_pupils(login, officer, school, form, friday):
    client = login(officer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(school), {"week": "2025-10-06"}).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for _ in range(n):
            p = PupilFactory(school=school, form=form)
            MarkFactory.days(
                p,
                school_days(p.school, end=friday),
                absent_on=week_of_absence(dt.date(2025, 10, 6), 2),
            )
            CaseFactory(
                school=school,
                pupil=p,
                reason=Case.Reason.BAND,
                opened_on=dt.date(2025, 9, 20),
            )

    add(2)
    few = count_queries()
    add(8)
    assert count_queries() == few
    assert few <= 15
