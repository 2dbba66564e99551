from __future__ import annotations

import datetime as dt

from reporting.periods import TERM, YTD, period_choices, resolve_period
from tests.registers.factories import SchoolFactory, make_half_term


def _year(school):
    a1 = make_half_term(school, "Autumn 1", dt.date(2025, 9, 3), dt.date(2025, 10, 24))
    a2 = make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    s1 = make_half_term(school, "Spring 1", dt.date(2026, 1, 5), dt.date(2026, 2, 13))
    return a1, a2, s1


def test_the_default_is_the_current_half_term_up_to_today(db):
    school = SchoolFactory()
    a1, a2, _ = _year(school)
    period = resolve_period(school=school, key=None, today=dt.date(2025, 11, 12))
    assert (period.key, period.start, period.end) == (
        str(a2.pk),
        a2.start_date,
        dt.date(2025, 11, 12),
    )
    assert period.previous.start == a1.start_date
    assert period.label == "Autumn 2 2025/26"


def test_a_half_term_can_be_chosen_by_id_and_a_stale_id_falls_back(db):
    school = SchoolFactory()
    a1, a2, _ = _year(school)
    today = dt.date(2025, 11, 12)
    assert resolve_period(school=school, key=str(a1.pk), today=today).end == a1.end_date
    assert resolve_period(school=school, key="999999", today=today).key == str(a2.pk)


def test_term_and_year_to_date(db):
    school = SchoolFactory()
    a1, _a2, _s1 = _year(school)
    today = dt.date(2025, 11, 12)
    term = resolve_period(school=school, key=TERM, today=today)
    assert (term.label, term.start, term.end) == ("Autumn term", a1.start_date, today)
    assert term.previous is None  # nothing before the first half-term of the year
    ytd = resolve_period(school=school, key=YTD, today=dt.date(2026, 1, 20))
    assert (ytd.start, ytd.end) == (a1.start_date, dt.date(2026, 1, 20))
    assert ytd.previous.label.startswith("Autumn 2")  # the half-term before the current one


def test_a_school_without_a_calendar_has_no_period(db):
    assert resolve_period(school=SchoolFactory(), key=None, today=dt.date(2025, 9, 10)) is None


def test_the_picker_lists_started_half_terms_and_marks_the_chosen_one(db):
    school = SchoolFactory()
    a1, a2, _ = _year(school)
    today = dt.date(2025, 11, 12)
    period = resolve_period(school=school, key=str(a1.pk), today=today)
    choices = period_choices(school=school, period=period, today=today)
    assert [c.key for c in choices] == [TERM, YTD, str(a2.pk), str(a1.pk)]
    assert [c.selected for c in choices] == [False, False, False, True]


def test_a_past_years_period_counts_pupils_in_the_year_group_they_were_in(
    school, form, time_machine
):
    """The MIS records the year group a pupil is in now (a leaver's, when they left): in
    November 2026 last year's figures must show this year's Year 1 as Reception, and last
    summer's Year 6 leavers still as Year 6."""
    import datetime as dt

    from reporting.selectors import pupil_values
    from tests.registers.factories import PupilFactory

    year1 = PupilFactory(school=school, form=form, year_group="1")
    year6_now = PupilFactory(school=school, form=form, year_group="6")
    leaver = PupilFactory(
        school=school, form=form, year_group="6", leaving_date=dt.date(2026, 7, 20)
    )
    time_machine.move_to(dt.datetime(2026, 11, 2, 9, 0))
    rows = pupil_values(school=school, start=dt.date(2025, 9, 3), end=dt.date(2025, 10, 24))
    year_of = {row[0]: row[1] for row in rows}
    assert year_of == {year1.pk: "R", year6_now.pk: "5", leaver.pk: "6"}
    # This year's own figures keep the year groups as recorded.
    now = pupil_values(school=school, start=dt.date(2026, 9, 7), end=dt.date(2026, 10, 23))
    assert {row[0]: row[1] for row in now}[year1.pk] == "1"
