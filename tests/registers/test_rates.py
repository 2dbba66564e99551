"""The pure attendance rules (registers.rates): no database.

docs/domain.md §2: attendance = (present + AEA) / possible; persistent absence is 10% or more of
possible sessions missed, severe 50% or more; decisions use exact fractions, and the
published percentage is rounded to one decimal place, halves away from zero.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest

from registers.rates import (
    Band,
    SessionCounts,
    attendance_pct,
    band,
    is_persistent,
    is_severe,
    percent,
    projected_pct,
    sessions_to_reach,
    summed,
)

DEFAULT_POLICY = {"target_pct": Decimal("96"), "formal_pct": Decimal("92")}


def counts(attended: int, possible: int, *, aea: int = 0) -> SessionCounts:
    """A pupil who attended `attended` of `possible` sessions; the rest unauthorised."""
    return SessionCounts(
        possible=possible,
        present=attended - aea,
        aea=aea,
        unauthorised=possible - attended,
    )


# --- percent: one decimal place, halves away from zero --------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (19191, 20000, "96.0"),  # 95.955 rounds up, past 95.9
        (9596, 10000, "96.0"),  # 95.96
        (1, 8, "12.5"),  # exact, nothing to round
        (2, 3, "66.7"),
        (1, 3, "33.3"),
        (1, 16, "6.3"),  # 6.25: a half goes up (banker's rounding would give 6.2)
        (1, 80, "1.3"),  # 1.25: a float round() gives 1.2
        (-1, 16, "-6.3"),  # away from zero on the negative side too
        (0, 7, "0.0"),
        (7, 7, "100.0"),
        (96, 100, "96.0"),  # whole numbers keep their tenths digit
    ],
)
def test_percent_rounds_to_one_decimal_half_away_from_zero(numerator, denominator, expected):
    result = percent(numerator, denominator)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize("denominator", [0, -3])
def test_percent_of_no_possible_sessions_is_none(denominator):
    assert percent(0, denominator) is None


def test_percent_agrees_with_exact_decimal_rounding_for_every_small_fraction():
    with localcontext() as ctx:
        ctx.prec = 60
        for denominator in range(1, 201):
            for numerator in range(denominator + 1):
                exact = Decimal(numerator) * 100 / Decimal(denominator)
                expected = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                assert percent(numerator, denominator) == expected, (numerator, denominator)


def test_attendance_counts_present_and_approved_educational_activity():
    pupil = SessionCounts(possible=200, present=180, aea=11, authorised=6, unauthorised=3)
    assert attendance_pct(pupil) == Decimal("95.5")


def test_attendance_of_a_pupil_with_no_possible_sessions_is_none():
    assert attendance_pct(SessionCounts()) is None


def test_session_counts_add_field_by_field_as_dfe_aggregates():
    total = SessionCounts(4, 2, 1, 1, 0, 1) + SessionCounts(6, 3, 0, 0, 3, 2)
    assert total == SessionCounts(
        possible=10, present=5, aea=1, authorised=1, unauthorised=3, late=3
    )


# --- persistent and severe absence: exact fractions -----------------------------------


@pytest.mark.parametrize(
    ("absent", "possible", "persistent", "severe"),
    [
        (10, 100, True, False),  # exactly 10% is persistent
        (999, 10000, False, False),  # 9.99% is not, though it rounds to 10.0%
        (1, 10, True, False),
        (1, 11, False, False),
        (50, 100, True, True),  # exactly 50% is severe
        (4999, 10000, True, False),  # 49.99%
        (1, 2, True, True),
        (0, 100, False, False),
        (0, 0, False, False),  # nothing possible: neither
    ],
)
def test_persistent_and_severe_absence_use_exact_session_counts(
    absent, possible, persistent, severe
):
    pupil = counts(possible - absent, possible)
    assert is_persistent(pupil) is persistent
    assert is_severe(pupil) is severe


def test_authorised_absence_counts_towards_persistent_absence():
    pupil = SessionCounts(possible=20, present=18, authorised=2)
    assert is_persistent(pupil)


# --- bands: school policy thresholds, national lines first ----------------------------


@pytest.mark.parametrize(
    ("attended", "possible", "expected"),
    [
        (96, 100, Band.EXPECTED),  # exactly the target
        (100, 100, Band.EXPECTED),
        (9596, 10000, Band.MONITOR),  # 95.96% is shown as 96.0 but is below target
        (9599, 10000, Band.MONITOR),
        (92, 100, Band.MONITOR),  # exactly the formal-meeting line
        (9199, 10000, Band.CONCERN),  # 91.99% is shown as 92.0 but is below the line
        (91, 100, Band.CONCERN),
        (9001, 10000, Band.CONCERN),  # 9.99% absence: not persistent
        (90, 100, Band.PERSISTENT),  # 10% absence
        (51, 100, Band.PERSISTENT),
        (50, 100, Band.SEVERE),  # 50% absence
        (0, 100, Band.SEVERE),
        (0, 0, None),  # nothing possible: no band
    ],
)
def test_band_boundaries_with_the_default_96_and_92_policy(attended, possible, expected):
    assert band(counts(attended, possible), **DEFAULT_POLICY) == expected


@pytest.mark.parametrize(
    ("attended", "possible", "expected"),
    [
        (39, 40, Band.EXPECTED),  # 97.5% exactly meets a 97.5 target
        (389, 400, Band.MONITOR),  # 97.25%
        (95, 100, Band.MONITOR),
        (94, 100, Band.MONITOR),  # exactly the formal line of 94
        (9399, 10000, Band.CONCERN),
        (90, 100, Band.PERSISTENT),
    ],
)
def test_band_uses_the_schools_own_thresholds(attended, possible, expected):
    policy = {"target_pct": Decimal("97.50"), "formal_pct": Decimal("94.00")}
    assert band(counts(attended, possible), **policy) == expected


def test_the_national_persistent_line_wins_over_a_lenient_school_policy():
    policy = {"target_pct": Decimal("85"), "formal_pct": Decimal("80")}
    assert band(counts(88, 100), **policy) == Band.PERSISTENT
    assert band(counts(91, 100), **policy) == Band.EXPECTED


def test_approved_educational_activity_counts_as_attendance_for_the_band():
    pupil = SessionCounts(possible=100, present=80, aea=16, authorised=4)
    assert band(pupil, **DEFAULT_POLICY) == Band.EXPECTED


# --- the attendance calculator ---------------------------------------------------------


@pytest.mark.parametrize(
    ("attended", "possible", "line", "expected"),
    [
        (90, 100, "96", 150),  # 240 / 250 is exactly 96%
        (95, 100, "96", 25),  # 120 / 125
        (91, 100, "92", 13),  # 12.5 rounds up: 103 / 112 is still below 92%
        (89, 100, "90", 10),  # back out of persistent absence: 99 / 110
        (96, 100, "96", 0),  # already exactly on the line
        (97, 100, "96", 0),  # already above
        (0, 0, "96", 0),  # nothing possible yet: nothing to make up
        (100, 100, "100", 0),  # full attendance stays at 100%
        (99, 100, "100", None),  # 100% is unreachable after any absence
        (99, 100, "100.00", None),
        (1, 2, "97.5", 38),  # 39 / 40 is exactly 97.5%; 37 gives 38 / 39 = 97.44%
    ],
)
def test_sessions_to_reach_a_line(attended, possible, line, expected):
    assert sessions_to_reach(counts(attended, possible), line_pct=Decimal(line)) == expected


def test_sessions_to_reach_is_the_least_number_of_sessions_for_every_small_case():
    for possible in range(1, 60):
        for attended in range(possible + 1):
            for line in (Decimal("90"), Decimal("92"), Decimal("96"), Decimal("97.5")):
                k = sessions_to_reach(counts(attended, possible), line_pct=line)
                target = Fraction(line) / 100
                assert Fraction(attended + k, possible + k) >= target
                if k:
                    assert Fraction(attended + k - 1, possible + k - 1) < target


@pytest.mark.parametrize(
    ("attended", "possible", "remaining", "expected"),
    [
        (90, 100, 100, Decimal("95.0")),  # 190 / 200
        (90, 100, 0, Decimal("90.0")),  # the year is over: the figure stands
        (1, 3, 0, Decimal("33.3")),
        (100, 100, 50, Decimal("100.0")),
        (0, 0, 10, Decimal("100.0")),  # a new pupil who attends everything
        (0, 0, 0, None),
        (180, 200, 19, Decimal("90.9")),  # 199 / 219 = 90.87%
    ],
)
def test_projected_pct_assumes_every_remaining_session_is_attended(
    attended, possible, remaining, expected
):
    assert projected_pct(counts(attended, possible), remaining_sessions=remaining) == expected


def test_summed_adds_every_count_of_many_pupils_and_is_zero_for_none():
    a = SessionCounts(possible=10, present=7, aea=1, authorised=1, unauthorised=1, late=2)
    b = SessionCounts(possible=4, present=2, aea=0, authorised=0, unauthorised=2, late=1)
    assert summed([a, b]) == a + b == SessionCounts(14, 9, 1, 1, 3, 3)
    assert summed([]) == SessionCounts()
