"""The throttle's pure rules: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_portal.signin.rules import (
    Count,
    Policy,
    give_back,
    lockout_for,
    normalise_username,
    reserve,
)

T0 = dt.datetime(2025, 10, 20, 8, 0, tzinfo=dt.UTC)
POLICY = Policy(
    max_failures=5,
    first_lockout=dt.timedelta(minutes=5),
    max_lockout=dt.timedelta(days=1),
    window=dt.timedelta(days=1),
)


@pytest.mark.parametrize("typed", ["head", "HEAD", "ｈｅａｄ", "Ｈｅａｄ", " head "])
def test_a_username_and_its_twins_count_as_one(typed):
    assert normalise_username(typed) == "head"


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(4, 0), (5, 5), (6, 10), (7, 20), (8, 40), (20, 24 * 60), (10**6, 24 * 60)],
)
def test_each_failure_after_the_free_ones_doubles_the_lock_up_to_a_day(failures, minutes):
    assert lockout_for(failures, POLICY) == dt.timedelta(minutes=minutes)


def test_five_free_attempts_then_a_lock_then_one_try_per_lock():
    count = Count()
    for _ in range(4):
        count = reserve(count, now=T0, policy=POLICY)
        assert count.locked_until is None
    count = reserve(count, now=T0, policy=POLICY)  # the fifth is tried, and locks if wrong
    assert count.locked_until == T0 + dt.timedelta(minutes=5)
    assert reserve(count, now=T0 + dt.timedelta(minutes=4), policy=POLICY) is None
    count = reserve(count, now=T0 + dt.timedelta(minutes=5), policy=POLICY)
    assert (count.failures, count.locked_until) == (6, T0 + dt.timedelta(minutes=15))


def test_failures_are_forgotten_after_the_window_unless_locked():
    count = Count(failures=3, window_started_at=T0)
    later = reserve(count, now=T0 + dt.timedelta(days=1), policy=POLICY)
    assert (later.failures, later.window_started_at) == (1, T0 + dt.timedelta(days=1))
    locked = Count(failures=9, window_started_at=T0, locked_until=T0 + dt.timedelta(days=2))
    assert reserve(locked, now=T0 + dt.timedelta(days=1), policy=POLICY) is None


def test_a_right_password_gives_its_attempt_back_and_lifts_the_lock_it_set():
    count = Count(failures=5, window_started_at=T0, locked_until=T0 + dt.timedelta(minutes=5))
    assert give_back(count, policy=POLICY) == Count(4, T0, None)
    deeper = Count(failures=7, window_started_at=T0, locked_until=T0 + dt.timedelta(minutes=20))
    assert give_back(deeper, policy=POLICY).locked_until == deeper.locked_until
