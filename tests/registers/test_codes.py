"""The code table must match docs/domain.md §1.1 exactly: it decides every figure."""

from __future__ import annotations

import pytest

from registers import codes
from registers.models import AttendanceCode

# (code, category, counts as possible, new in 2024), transcribed from docs/domain.md §1.1.
EXPECTED = [
    ("/", "present", True, False),
    ("\\", "present", True, False),
    ("L", "present", True, False),
    ("K", "approved_educational_activity", True, True),
    ("V", "approved_educational_activity", True, False),
    ("P", "approved_educational_activity", True, False),
    ("W", "approved_educational_activity", True, False),
    ("B", "approved_educational_activity", True, False),
    ("D", "not_possible_session", False, False),
    ("C1", "authorised_absence", True, True),
    ("M", "authorised_absence", True, False),
    ("J1", "authorised_absence", True, True),
    ("S", "authorised_absence", True, False),
    ("X", "not_possible_session", False, False),
    ("C2", "authorised_absence", True, True),
    ("C", "authorised_absence", True, False),
    ("T", "authorised_absence", True, False),
    ("R", "authorised_absence", True, False),
    ("I", "authorised_absence", True, False),
    ("E", "authorised_absence", True, False),
    ("Q", "not_possible_session", False, True),
    *[(f"Y{n}", "not_possible_session", False, True) for n in range(1, 8)],
    ("G", "unauthorised_absence", True, False),
    ("N", "unauthorised_absence", True, False),
    ("O", "unauthorised_absence", True, False),
    ("U", "unauthorised_absence", True, False),
    ("Z", "not_possible_session", False, False),
    ("#", "not_possible_session", False, False),
]


def test_the_code_table_is_exactly_the_2024_set():
    assert [c.code for c in codes.CODES] == [row[0] for row in EXPECTED]


@pytest.mark.parametrize(("code", "category", "possible", "new"), EXPECTED)
def test_each_code_has_its_statistical_category(code, category, possible, new):
    entry = codes.BY_CODE[code]
    assert entry.category.value == category
    assert entry.counts_as_possible is possible
    assert entry.new_in_2024 is new


@pytest.mark.parametrize("withdrawn", ["H", "J", "Y", "F"])
def test_codes_withdrawn_in_2024_are_gone(withdrawn):
    assert withdrawn not in codes.BY_CODE


def test_penalty_and_late_sets():
    assert codes.FPN_CODES == {"G", "N", "O", "U"} == codes.UNAUTHORISED_CODES
    assert {"L", "U"} == codes.LATE_CODES
    assert "L" in codes.PRESENT_CODES and "U" in codes.UNAUTHORISED_CODES


def test_every_code_is_in_one_register_group():
    grouped = [c.code for _, group in codes.grouped() for c in group]
    assert sorted(grouped) == sorted(codes.BY_CODE)


@pytest.mark.django_db
def test_the_migration_loads_the_table_into_the_database():
    rows = {c.code: c for c in AttendanceCode.objects.all()}
    assert set(rows) == set(codes.BY_CODE)
    for code in codes.CODES:
        assert rows[code.code].category == code.category.value
        assert rows[code.code].counts_as_possible is code.counts_as_possible
