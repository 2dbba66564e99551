"""The sign-in throttle's rules, pure: no ORM, no settings, no clock.

A failed password attempt is counted against two keys: the username from one client address,
and the client address for any username. Each key has a number of free failures; after that
it is locked, and each further failure (one is allowed when a lock ends) doubles the lock.
So a person who mistypes is held up for minutes at most, while a guesser from one address
gets a handful of tries a day. Nobody else can lock a user out: the lock is per address.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, replace

USERNAME_KEY_LENGTH = 150  # auth.User.username's max_length


def normalise_username(username: str) -> str:
    """The key a username is counted under: "ｈｅａｄ", "HEAD" and "head" are one."""
    return unicodedata.normalize("NFKC", username).casefold().strip()[:USERNAME_KEY_LENGTH]


@dataclass(frozen=True)
class Policy:
    max_failures: int  # free failures in a window
    first_lockout: dt.timedelta  # the lock after the last free failure; doubles after that
    max_lockout: dt.timedelta
    window: dt.timedelta  # failures are forgotten this long after the first, unless locked


@dataclass(frozen=True)
class Count:
    failures: int = 0
    window_started_at: dt.datetime | None = None
    locked_until: dt.datetime | None = None

    def is_locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def lockout_for(failures: int, policy: Policy) -> dt.timedelta:
    """How long the key is locked after its `failures`-th failure (0 while still free)."""
    over = failures - policy.max_failures
    if over < 0:
        return dt.timedelta(0)
    # Capped in plain seconds first: a long attack must not overflow the timedelta.
    seconds = policy.first_lockout.total_seconds() * 2.0 ** min(over, 64)
    return dt.timedelta(seconds=min(seconds, policy.max_lockout.total_seconds()))


def reserve(count: Count, *, now: dt.datetime, policy: Policy) -> Count | None:
    """Count one more attempt before its password is checked, or None if the key is locked.

    The attempt is counted as a failure up front (and given back by `give_back` if the
    password was right) so that parallel attempts cannot all pass a check made before any
    of them failed.
    """
    if count.is_locked(now):
        return None
    if count.window_started_at is None or now - count.window_started_at >= policy.window:
        count = Count(failures=0, window_started_at=now)
    failures = count.failures + 1
    lock = lockout_for(failures, policy)
    return replace(count, failures=failures, locked_until=now + lock if lock else None)


def give_back(count: Count, *, policy: Policy) -> Count:
    """Undo one reserved attempt whose password turned out to be right."""
    failures = max(count.failures - 1, 0)
    locked_until = count.locked_until if failures >= policy.max_failures else None
    return replace(count, failures=failures, locked_until=locked_until)
