"""The parents' sign-in throttle: signin's pure rules (rules.reserve), counted in the
parents' own table under two keys, the contact and the client address.

Every request for a code is counted against the contact it names (whether or not the school
holds it: a count that only existing contacts had would tell who they are) and against the
address; every wrong code against the address. A contact is limited so that nobody can flood
a family's phone with codes; an address so that nobody can try one contact after another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance_portal.parents.models import ParentThrottle
from attendance_portal.signin import rules

Scope = ParentThrottle.Scope
WINDOW = dt.timedelta(hours=1)


def policy(scope: str) -> rules.Policy:
    free = (
        settings.PARENT_CODE_MAX_REQUESTS
        if scope == Scope.CONTACT
        else settings.PARENT_ADDRESS_MAX_FAILURES
    )
    first = dt.timedelta(seconds=settings.PARENT_LOCKOUT_SECONDS)
    longest = dt.timedelta(hours=24)
    return rules.Policy(max_failures=free, first_lockout=first, max_lockout=longest, window=WINDOW)


@dataclass(frozen=True)
class Charge:
    allowed: bool
    locked_until: dt.datetime | None = None


def _row(scope: str, key: str, now: dt.datetime) -> ParentThrottle:
    """The key's row, locked until the transaction ends (the UPDATE takes the lock first,
    as signin.services._row explains)."""
    rows = ParentThrottle.objects.filter(scope=scope, key=key)
    if not rows.update(updated_at=now):
        try:
            with transaction.atomic():
                ParentThrottle.objects.create(scope=scope, key=key)
        except IntegrityError:
            rows.update(updated_at=now)
    return rows.get()


def charge(keys: list[tuple[str, str]], *, now: dt.datetime | None = None) -> Charge:
    """Count one event under every (scope, key), or none of them if any key is locked."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = [_row(scope, key[:270], now) for scope, key in keys]
        reserved = [rules.reserve(row.count, now=now, policy=policy(row.scope)) for row in rows]
        refused = [row for row, count in zip(rows, reserved, strict=True) if count is None]
        if refused:
            return Charge(False, max(row.locked_until for row in refused if row.locked_until))
        for row, count in zip(rows, reserved, strict=True):
            assert count is not None
            row.failures = count.failures
            row.window_started_at = count.window_started_at
            row.locked_until = count.locked_until
            row.save(update_fields=["failures", "window_started_at", "locked_until", "updated_at"])
    return Charge(True)


def locked_until(keys: list[tuple[str, str]], *, now: dt.datetime) -> dt.datetime | None:
    """The latest lock in force on any of the keys, counting nothing."""
    locks = [
        row.locked_until
        for scope, key in keys
        for row in ParentThrottle.objects.filter(scope=scope, key=key[:270], locked_until__gt=now)
        if row.locked_until is not None
    ]
    return max(locks) if locks else None


def purge(*, now: dt.datetime) -> int:
    """Forget counts whose window is over and that hold no lock (how many)."""
    deleted, _ = (
        ParentThrottle.objects.filter(window_started_at__lt=now - WINDOW)
        .exclude(locked_until__gt=now)
        .delete()
    )
    return deleted
