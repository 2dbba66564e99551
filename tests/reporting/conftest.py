"""Fixtures for the reporting tests: pupils with known marks, so every rate is exact.

`ten_pupils` is the worked example of tests/reporting/test_breakdowns.py: ten pupils, ten
sessions each in the week of Monday 8 September 2025 (Autumn 1 of the root conftest).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.registers.factories import MarkFactory, PupilFactory

WEEK = dt.date(2025, 9, 8)  # a Monday of Autumn 1
TODAY = dt.datetime(2025, 10, 20, 12, 0)  # inside Autumn 1, after the marks


def sessions_from(start: dt.date, count: int) -> list[tuple[dt.date, str]]:
    """`count` consecutive weekday sessions from `start` (AM then PM)."""
    found: list[tuple[dt.date, str]] = []
    day = start
    while len(found) < count:
        if day.weekday() < 5:
            found += [(day, "AM"), (day, "PM")]
        day += dt.timedelta(days=1)
    return found[:count]


@pytest.fixture(autouse=True)
def _today(request):
    """Reports end at today: pin it inside Autumn 1 so the figures never drift.

    Not for browser tests: the browser's session cookie would already have expired by the
    real date, so those build their calendar around the real today instead.
    """
    if request.node.get_closest_marker("browser"):
        yield
        return
    with time_machine.travel(TODAY, tick=False):
        yield


PRESENT = ["/", "\\"] * 5  # ten sessions present


def _with(codes: dict[int, str]) -> list[str]:
    marks = list(PRESENT)
    for index, code in codes.items():
        marks[index] = code
    return marks


TEN_PUPILS = [
    # (pupil premium, sen, marks)
    (True, "N", PRESENT),  # P0
    (True, "K", _with({0: "I"})),  # P1: 10% absent: persistent
    (True, "E", _with({0: "O", 1: "O", 2: "O", 3: "O", 4: "O"})),  # P2: 50%: severe
    (True, "N", PRESENT),  # P3
    (False, "N", _with({0: "L", 2: "L"})),  # P4: late twice, still present
    (False, "N", _with({1: "U"})),  # P5: late after the register closed
    (False, "N", PRESENT),
    (False, "N", PRESENT),
    (False, "N", PRESENT),
    (False, "N", PRESENT),
]


@pytest.fixture
def ten_pupils(school, form):
    pupils = []
    for n, (pp, sen, codes) in enumerate(TEN_PUPILS):
        pupil = PupilFactory(
            school=school,
            form=form,
            pupil_premium=pp,
            sen=sen,
            forename=f"Quilla{n}",
            surname=f"Zephyrine{n}",
            upn=f"B{n:011d}7",
        )
        MarkFactory.run(pupil, codes, start=WEEK)
        pupils.append(pupil)
    return pupils
