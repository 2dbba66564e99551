"""Writes of the sign-in throttle: count an attempt before its password is checked, give it
back when the password was right, lift a lock."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from attendance_portal.signin import rules
from attendance_portal.signin.models import SignInThrottle

Scope = SignInThrottle.Scope
log = logging.getLogger(__name__)

# Spraying many usernames from one address: counted per hour, so that a school's shared
# address (every member of staff behind one router) is not locked by a day of typos.
ADDRESS_WINDOW = dt.timedelta(hours=1)


def policies() -> dict[str, rules.Policy]:
    first = dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    longest = dt.timedelta(seconds=max(settings.LOGIN_LOCKOUT_MAX_SECONDS, 1))
    return {
        Scope.USER_ADDRESS: rules.Policy(settings.LOGIN_MAX_FAILURES, first, longest, longest),
        Scope.ADDRESS: rules.Policy(
            settings.LOGIN_ADDRESS_MAX_FAILURES, first, longest, ADDRESS_WINDOW
        ),
    }


@dataclass(frozen=True)
class Attempt:
    username: str  # normalised
    address: str  # the throttle key of the client address
    allowed: bool
    locked_until: dt.datetime | None = None  # when refused: the earliest next try

    @property
    def keys(self) -> list[tuple[str, str, str]]:
        return [
            (Scope.USER_ADDRESS, self.username, self.address),
            (Scope.ADDRESS, "", self.address),
        ]


def _row(scope: str, username: str, address: str, now: dt.datetime) -> tuple[SignInThrottle, bool]:
    """The key's row, locked until the transaction ends: the UPDATE comes first so that it
    takes the row lock (PostgreSQL) or the database's write lock (SQLite) before anything
    is read, and parallel attempts queue here instead of reading the same count."""
    rows = SignInThrottle.objects.filter(scope=scope, username=username, address=address)
    created = False
    if not rows.update(updated_at=now):
        try:
            with transaction.atomic():
                SignInThrottle.objects.create(scope=scope, username=username, address=address)
            created = True
        except IntegrityError:  # another attempt created it first: queue behind it
            rows.update(updated_at=now)
    return rows.get(), created


def begin_attempt(*, username: str, address: str, now: dt.datetime | None = None) -> Attempt:
    """Count a password attempt for (username, address) before the password is checked.

    Refused (nothing counted) while either key is locked. Otherwise both keys count one
    more failure, atomically; `attempt_succeeded` gives it back.
    """
    now = now or timezone.now()
    username = rules.normalise_username(username)
    policy = policies()
    created_any = False
    with transaction.atomic():
        attempt = Attempt(username, address, allowed=True)
        rows = []
        for key in attempt.keys:  # always this order: no two attempts wait on each other
            row, created = _row(*key, now)
            rows.append(row)
            created_any |= created
        reserved = [rules.reserve(row.count, now=now, policy=policy[row.scope]) for row in rows]
        if any(count is None for count in reserved):
            until = max(r.locked_until for r, c in zip(rows, reserved, strict=True) if c is None)
            return Attempt(username, address, allowed=False, locked_until=until)
        for row, count in zip(rows, reserved, strict=True):
            _store(row, count)
    if created_any:
        _purge_forgotten(now=now, policy=policy)
    return attempt


def attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: forget this username's failures from this address and give
    the address back the attempt it was charged."""
    policy = policies()[Scope.ADDRESS]
    with transaction.atomic():
        SignInThrottle.objects.filter(
            scope=Scope.USER_ADDRESS, username=attempt.username, address=attempt.address
        ).delete()
        row = (
            SignInThrottle.objects.select_for_update()
            .filter(scope=Scope.ADDRESS, username="", address=attempt.address)
            .first()
        )
        if row is not None:
            _store(row, rules.give_back(row.count, policy=policy))


def unlock_username(*, username: str) -> int:
    """Lift every lock and forget every failure of this username, from any address."""
    deleted, _ = SignInThrottle.objects.filter(
        scope=Scope.USER_ADDRESS, username=rules.normalise_username(username)
    ).delete()
    return deleted


def _store(row: SignInThrottle, count: rules.Count) -> None:
    row.failures, row.window_started_at, row.locked_until = (
        count.failures,
        count.window_started_at,
        count.locked_until,
    )
    row.save(update_fields=["failures", "window_started_at", "locked_until", "updated_at"])


def _purge_forgotten(*, now: dt.datetime, policy: dict[str, rules.Policy]) -> None:
    """Delete rows whose failures are forgotten anyway (window over, not locked). Rows
    another attempt holds are skipped, never waited for, so this cannot deadlock."""
    oldest = now - max(p.window for p in policy.values())
    with transaction.atomic():
        stale = list(
            SignInThrottle.objects.select_for_update(skip_locked=True)
            .filter(
                Q(window_started_at__lt=oldest)
                # made for an attempt refused by the other key's lock, never counted
                | Q(window_started_at__isnull=True, updated_at__lt=oldest)
            )
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .values_list("pk", flat=True)[:500]
        )
        if stale:
            SignInThrottle.objects.filter(pk__in=stale).delete()
