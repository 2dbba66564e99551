"""Reads for the unlock page: the sign-in locks and failures of one school's staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from attendance_portal.signin.models import SignInThrottle
from attendance_portal.signin.rules import normalise_username
from registers.models import Membership, School


@dataclass(frozen=True)
class StaffLock:
    username: str
    name: str
    role: str
    failures: int
    addresses: list[str]
    locked_until: dt.datetime | None  # the latest lock still in force, else None


def school_staff_usernames(school: School) -> dict[str, Membership]:
    """Every login with a role at this school, by its throttle key."""
    members = Membership.objects.filter(school=school).select_related("user")
    return {normalise_username(m.user.username): m for m in members}


def locks_for_school(school: School) -> list[StaffLock]:
    staff = school_staff_usernames(school)
    rows = SignInThrottle.objects.filter(
        scope=SignInThrottle.Scope.USER_ADDRESS, username__in=staff, failures__gt=0
    ).order_by("username", "address")
    now = timezone.now()
    grouped: dict[str, list[SignInThrottle]] = {}
    for row in rows:
        grouped.setdefault(row.username, []).append(row)
    found = []
    for key, key_rows in grouped.items():
        member = staff[key]
        locks = [r.locked_until for r in key_rows if r.locked_until and r.locked_until > now]
        found.append(
            StaffLock(
                username=member.user.username,
                name=member.user.get_full_name() or member.user.username,
                role=member.get_role_display(),
                failures=sum(r.failures for r in key_rows),
                addresses=[r.address or "unknown" for r in key_rows],
                locked_until=max(locks) if locks else None,
            )
        )
    return sorted(found, key=lambda lock: (lock.locked_until is None, lock.name))
