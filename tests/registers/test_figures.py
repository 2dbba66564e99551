"""Figures computed in the database (registers.figures).

The school fixture's calendar is Autumn 1 2025: Wednesday 3 September to Friday 24 October.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count

from registers import codes, figures
from registers.models import Closure, Pupil
from registers.rates import SessionCounts, attendance_pct, band
from registers.services.calendar import rebuild_school_days
from tests.registers.factories import MarkFactory, PupilFactory, make_half_term

START = dt.date(2025, 9, 3)  # Wednesday, first day of Autumn 1
END = dt.date(2025, 10, 24)  # Friday, last day
MONDAY = dt.date(2025, 9, 8)


def counts_of(pupil: Pupil, start: dt.date = START, end: dt.date = END) -> SessionCounts:
    return figures.counts_by_pupil(school=pupil.school, start=start, end=end).get(
        pupil.pk, SessionCounts()
    )


# --- every code in its category ---------------------------------------------------------

# Written out by hand (not derived from registers.codes) so that a code moved to the wrong
# set is caught. Keys: possible, present, aea, authorised, unauthorised, late.
ONE_SESSION_OF = {
    "/": {"possible": 1, "present": 1},
    "\\": {"possible": 1, "present": 1},
    "L": {"possible": 1, "present": 1, "late": 1},  # late before the register closed: present
    **{c: {"possible": 1, "aea": 1} for c in ("K", "V", "P", "W", "B")},
    **{
        c: {"possible": 1, "authorised": 1}
        for c in ("C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E")
    },
    **{c: {"possible": 1, "unauthorised": 1} for c in ("G", "N", "O")},
    "U": {"possible": 1, "unauthorised": 1, "late": 1},  # after the register closed: absent
    # Recorded but not possible sessions (docs/domain.md §1.1): neither attendance nor absence.
    **{c: {} for c in ("D", "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#")},
}


def test_the_table_of_expected_categories_covers_every_statutory_code():
    assert set(ONE_SESSION_OF) == set(codes.BY_CODE)


@pytest.mark.parametrize("code", sorted(ONE_SESSION_OF))
def test_one_session_of_each_code_counts_in_its_category(pupil, code):
    MarkFactory.run(pupil, [code], start=START, end=END)
    assert counts_of(pupil) == SessionCounts(**ONE_SESSION_OF[code])


def test_a_pupil_with_every_code_has_exact_totals_by_category(pupil):
    MarkFactory.run(pupil, [c.code for c in codes.CODES], start=START, end=END)
    assert counts_of(pupil) == SessionCounts(
        possible=22, present=3, aea=5, authorised=10, unauthorised=4, late=2
    )


def test_not_possible_codes_leave_the_attendance_figure_unchanged(pupil):
    MarkFactory.run(
        pupil, ["/"] * 9 + ["N"] + ["D", "X", "Q", "Y4", "Z", "#"], start=START, end=END
    )
    pupil_counts = counts_of(pupil)
    assert (pupil_counts.possible, pupil_counts.attended) == (10, 9)
    assert attendance_pct(pupil_counts) == 90


# --- on roll: admission and leaving dates ---------------------------------------------


def test_marks_before_admission_are_not_counted(school, form):
    joiner = PupilFactory(school=school, form=form, admission_date=dt.date(2025, 9, 15))
    MarkFactory(
        pupil=joiner, date=dt.date(2025, 9, 12), session="AM", code_id="O"
    )  # the Friday before: not on roll
    MarkFactory(
        pupil=joiner, date=dt.date(2025, 9, 15), session="AM", code_id="/"
    )  # admission day: counted
    MarkFactory(pupil=joiner, date=dt.date(2025, 9, 15), session="PM", code_id="N")
    assert counts_of(joiner) == SessionCounts(possible=2, present=1, unauthorised=1)


def test_the_leaving_date_is_included_and_later_marks_are_not_counted(school, form):
    leaver = PupilFactory(school=school, form=form, leaving_date=dt.date(2025, 10, 1))
    MarkFactory(
        pupil=leaver, date=dt.date(2025, 10, 1), session="PM", code_id="I"
    )  # leaving day: still on roll
    MarkFactory(
        pupil=leaver, date=dt.date(2025, 10, 2), session="AM", code_id="O"
    )  # the day after: not counted
    assert counts_of(leaver) == SessionCounts(possible=1, authorised=1)
    assert figures.counts_by_code(school=school, start=START, end=END) == {"I": 1}


def test_marks_outside_the_range_are_not_counted(pupil):
    MarkFactory(pupil=pupil, date=dt.date(2025, 9, 9), session="AM", code_id="N")
    MarkFactory(pupil=pupil, date=dt.date(2025, 9, 10), session="AM", code_id="/")
    MarkFactory(pupil=pupil, date=dt.date(2025, 9, 11), session="AM", code_id="N")
    counted = counts_of(pupil, dt.date(2025, 9, 10), dt.date(2025, 9, 10))
    assert counted == SessionCounts(possible=1, present=1)


@pytest.mark.parametrize(
    ("admission", "leaving", "on_roll"),
    [
        (dt.date(2020, 9, 1), None, True),
        (dt.date(2020, 9, 1), START, True),  # left on the first day of the range
        (dt.date(2020, 9, 1), START - dt.timedelta(days=1), False),
        (END, None, True),  # admitted on the last day of the range
        (END + dt.timedelta(days=1), None, False),
        (dt.date(2025, 9, 20), dt.date(2025, 9, 30), True),  # joined and left inside it
    ],
)
def test_pupils_on_roll_at_any_point_of_the_range(school, form, admission, leaving, on_roll):
    pupil = PupilFactory(school=school, form=form, admission_date=admission, leaving_date=leaving)
    found = figures.pupils_on_roll(school=school, start=START, end=END)
    assert (pupil in found) is on_roll


# --- closed sessions ----------------------------------------------------------------------


def test_a_closed_session_has_no_possible_sessions_for_anyone(school, pupils):
    Closure.objects.create(school=school, date=MONDAY, session="PM", reason="INSET")
    rebuild_school_days(school=school)
    for pupil in pupils:
        MarkFactory(pupil=pupil, date=MONDAY, session="AM", code_id="/")
        MarkFactory(pupil=pupil, date=MONDAY, session="PM", code_id="#")
    assert figures.totals(school=school, start=MONDAY, end=MONDAY) == SessionCounts(
        possible=5, present=5
    )


def test_marks_left_in_a_session_closed_afterwards_are_not_counted(school, pupil):
    MarkFactory(pupil=pupil, date=MONDAY, session="AM", code_id="N")
    MarkFactory(pupil=pupil, date=MONDAY, session="PM", code_id="N")
    MarkFactory(pupil=pupil, date=dt.date(2025, 9, 9), session="AM", code_id="N")
    MarkFactory(pupil=pupil, date=dt.date(2025, 9, 10), session="AM", code_id="/")
    # Monday afternoon closed, and all of Tuesday, after the registers were taken.
    Closure.objects.create(school=school, date=MONDAY, session="PM")
    Closure.objects.create(school=school, date=dt.date(2025, 9, 9), session="AM")
    Closure.objects.create(school=school, date=dt.date(2025, 9, 9), session="PM")
    rebuild_school_days(school=school)
    assert counts_of(pupil) == SessionCounts(possible=2, present=1, unauthorised=1)


def test_marks_on_a_day_that_is_not_a_school_day_are_not_counted(pupil):
    MarkFactory.off_calendar(
        pupil=pupil, date=dt.date(2025, 9, 6), session="AM", code_id="N"
    )  # a Saturday
    MarkFactory.off_calendar(
        pupil=pupil, date=dt.date(2025, 10, 27), session="AM", code_id="N"
    )  # half-term holiday
    assert counts_of(pupil, START, dt.date(2025, 10, 31)) == SessionCounts()


# --- zero possible sessions ---------------------------------------------------------------


def test_a_pupil_with_only_not_possible_sessions_has_no_rate_and_no_band(pupil):
    MarkFactory.run(pupil, ["X"] * 6, start=START, end=END)
    pupil_counts = counts_of(pupil)
    assert pupil_counts == SessionCounts()
    assert attendance_pct(pupil_counts) is None
    assert band(pupil_counts, target_pct=96, formal_pct=92) is None


def test_pupils_without_counted_marks_are_absent_from_counts_by_pupil(school, pupils):
    MarkFactory.run(pupils[0], ["/"], start=START, end=END)
    result = figures.counts_by_pupil(school=school, start=START, end=END)
    assert set(result) == {pupils[0].pk}


def test_totals_of_a_range_without_marks_are_zero(school):
    assert figures.totals(school=school, start=START, end=END) == SessionCounts()


# --- aggregates -----------------------------------------------------------------------------


def test_totals_sum_sessions_across_pupils_never_average_rates(school, pupils):
    MarkFactory.run(pupils[0], ["/"] * 9 + ["N"], start=START, end=END)  # 90%
    MarkFactory.run(pupils[1], ["/"] * 76, start=START, end=END)  # every session of the term: 100%
    MarkFactory.run(pupils[2], ["I", "I"], start=START, end=END)  # 0%
    total = figures.totals(school=school, start=START, end=END)
    assert total == SessionCounts(possible=88, present=85, authorised=2, unauthorised=1)
    # 85 / 88, not the mean of 90%, 100% and 0%.
    assert attendance_pct(total) == Decimal("96.6")


def test_pupil_ids_restrict_every_aggregate(school, pupils):
    MarkFactory.run(pupils[0], ["/", "N"], start=START, end=END)
    MarkFactory.run(pupils[1], ["I", "L"], start=START, end=END)
    only = [pupils[1].pk]
    assert figures.totals(school=school, start=START, end=END, pupil_ids=only) == SessionCounts(
        possible=2, present=1, authorised=1, late=1
    )
    by_code = figures.counts_by_code(school=school, start=START, end=END, pupil_ids=only)
    assert by_code == {"I": 1, "L": 1}


def test_figures_never_include_another_schools_marks(school, other_school, pupil):
    MarkFactory.run(pupil, ["/"], start=START, end=END)
    stranger = PupilFactory(school=other_school)
    MarkFactory.run(stranger, ["N", "N"], start=START, end=END)
    assert figures.totals(school=school, start=START, end=END) == SessionCounts(
        possible=1, present=1
    )


def test_counts_by_code_counts_sessions_per_code_including_not_possible_ones(school, pupils):
    MarkFactory.run(pupils[0], ["/", "\\", "/", "I", "D"], start=START, end=END)
    MarkFactory.run(pupils[1], ["/", "N", "L"], start=START, end=END)
    assert figures.counts_by_code(school=school, start=START, end=END) == {
        "/": 3,
        "\\": 1,
        "I": 1,
        "D": 1,
        "N": 1,
        "L": 1,
    }


# --- the calculator's remaining sessions --------------------------------------------------


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (dt.date(2025, 10, 22), 4),  # Thursday and Friday left
        (dt.date(2025, 10, 23), 2),
        (END, 0),  # nothing after the last day of the calendar
        (dt.date(2025, 10, 18), 10),  # a Saturday: the whole last week
    ],
)
def test_remaining_sessions_counts_open_sessions_after_the_date(school, after, expected):
    assert figures.remaining_sessions(school=school, after=after) == expected


def test_remaining_sessions_skip_closed_sessions(school):
    Closure.objects.create(school=school, date=END, session="PM")
    Closure.objects.create(school=school, date=dt.date(2025, 10, 23), session="AM")
    Closure.objects.create(school=school, date=dt.date(2025, 10, 23), session="PM")
    rebuild_school_days(school=school)
    assert figures.remaining_sessions(school=school, after=dt.date(2025, 10, 22)) == 1


def test_remaining_sessions_stop_at_the_end_of_the_academic_year(school):
    # Summer 2 ends Friday 17 July 2026; Autumn 1 2026 belongs to the next academic year.
    make_half_term(school, "Summer 2", dt.date(2026, 7, 13), dt.date(2026, 7, 17))
    make_half_term(school, "Autumn 1", dt.date(2026, 9, 2), dt.date(2026, 10, 23))
    assert figures.remaining_sessions(school=school, after=dt.date(2026, 7, 14)) == 6
    assert figures.remaining_sessions(school=school, after=END) == 10


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (dt.date(2025, 9, 10), dt.date(2025, 8, 1)),
        (dt.date(2025, 8, 1), dt.date(2025, 8, 1)),  # the academic year starts on 1 August
        (dt.date(2025, 7, 31), dt.date(2024, 8, 1)),
        (dt.date(2026, 3, 2), dt.date(2025, 8, 1)),
    ],
)
def test_year_to_date_runs_from_1_august_to_today(today, start):
    assert figures.year_to_date(today) == (start, today)


# --- set-based: the number of queries does not grow with the number of pupils -----------


@pytest.mark.parametrize("n_pupils", [1, 30])
def test_figures_take_a_fixed_number_of_queries_whatever_the_number_of_pupils(
    school, form, django_assert_num_queries, n_pupils
):
    pupils = PupilFactory.create_batch(n_pupils, school=school, form=form)
    for pupil in pupils:
        MarkFactory.run(pupil, ["/", "N", "L", "I", "D", "V"] * 3, start=START, end=END)
    args = {"school": school, "start": START, "end": END}
    with django_assert_num_queries(1):
        assert len(figures.counts_by_pupil(**args)) == n_pupils
    with django_assert_num_queries(1):
        assert figures.totals(**args).possible == 15 * n_pupils
    with django_assert_num_queries(1):
        assert figures.counts_by_code(**args)["/"] == 3 * n_pupils
    with django_assert_num_queries(1):
        assert figures.pupils_on_roll(**args).count() == n_pupils
    with django_assert_num_queries(2):  # the window, then the candidates
        figures.fpn_candidates(school=school, as_of=END)


def test_counts_by_pupil_and_day_match_the_two_queries_they_replace(school, form, other_school):
    """One scan (GROUPING SETS on PostgreSQL) for what counts_by_pupil and a per-day count
    give: on-roll dates, closed sessions and not-possible codes included."""
    codes_cycle = ["/", "\\", "I", "O", "L", "U", "X", "K", "N", "G", "M", "#"]
    for n in range(6):
        pupil = PupilFactory(
            school=school,
            form=form,
            admission_date=START + dt.timedelta(days=7 * (n % 2)),
            leaving_date=END - dt.timedelta(days=10) if n == 5 else None,
        )
        MarkFactory.run(
            pupil,
            [codes_cycle[(n + i) % len(codes_cycle)] for i in range(60)],
            start=START,
            end=END,
        )
    MarkFactory.run(
        PupilFactory(school=other_school), ["O"] * 20, start=START, end=END
    )  # never counted here
    Closure.objects.create(school=school, date=MONDAY, session="PM", reason="INSET")
    rebuild_school_days(school=school)
    start, end = START + dt.timedelta(days=2), END - dt.timedelta(days=3)

    counts, by_day = figures.counts_by_pupil_and_day(school=school, start=start, end=end)

    assert counts == figures.counts_by_pupil(school=school, start=start, end=end)
    expected = {
        (row["date"], row["code_id"]): row["n"]
        for row in figures.counted_marks(school=school, start=start, end=end)
        .values("date", "code_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    assert by_day == expected
    assert sum(by_day.values()) > 0 and (MONDAY, "#") not in by_day
