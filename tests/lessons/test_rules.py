"""The pure rules of lesson registers (docs/domain.md §11), without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from registers.lessons import rules

START = dt.datetime(2025, 9, 8, 8, 45)
CLOSES = START + dt.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("code", "asked"),
    [
        (None, True),
        ("/", True),
        ("L", True),
        ("U", True),
        ("N", True),
        ("O", True),
        ("I", False),
        ("M", False),
        ("C", False),
        ("V", False),
        ("G", False),
        ("X", False),
    ],
)
def test_which_statutory_codes_the_lesson_register_still_asks_about(code, asked):
    assert rules.is_asked(code) is asked


@pytest.mark.parametrize(
    ("code", "kind", "truant"),
    [
        ("/", "absent", True),
        ("\\", "absent", True),
        ("L", "absent", True),
        ("U", "absent", True),
        ("/", "out", False),
        ("/", "late", False),
        ("N", "absent", False),
        (None, "absent", False),
    ],
)
def test_internal_truancy_is_in_school_at_registration_and_absent_from_the_lesson(
    code, kind, truant
):
    assert rules.is_internal_truancy(code, kind) is truant


@pytest.mark.parametrize(
    ("code", "kind", "seen", "expected"),
    [
        ("N", "present", START + dt.timedelta(minutes=5), rules.Correction("L", 5)),
        ("O", "late", CLOSES, rules.Correction("L", 30)),
        ("N", "present", CLOSES + dt.timedelta(minutes=1), rules.Correction("U", 31)),
        ("N", "absent", START, None),
        ("/", "present", START, None),
        ("I", "present", START, None),
    ],
)
def test_a_pupil_seen_in_a_lesson_after_an_absence_at_registration_suggests_l_or_u(
    code, kind, seen, expected
):
    found = rules.suggest_correction(
        statutory_code=code, kind=kind, session_starts=START, register_closes=CLOSES, seen_at=seen
    )
    assert found == expected


def test_weeks_a_and_b_alternate_from_week_a():
    monday = dt.date(2025, 9, 1)
    weeks = [
        rules.week_of(monday + dt.timedelta(weeks=n), week_a_monday=monday, weeks=2)
        for n in range(4)
    ]
    assert weeks == ["A", "B", "A", "B"]
    assert rules.week_of(monday - dt.timedelta(weeks=1), week_a_monday=monday, weeks=2) == "B"
    assert rules.week_of(monday + dt.timedelta(weeks=1), week_a_monday=monday, weeks=1) == "A"
