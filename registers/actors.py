"""Who is making a change, as the audit trail must name them.

Every service that writes something a person must be able to answer for (a mark, a case, a
letter, a purge) takes an `Actor`. It lives here, beside the memberships it is built from,
rather than in one app's services: registers is the bottom layer, so escalation and
reporting may import it (docs/development.md, "Layers").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from registers.models import Membership


@dataclass(frozen=True)
class Actor:
    """Who is making a change, as the register's history must name them."""

    user: User | None
    name: str
    position: str = ""

    @classmethod
    def for_membership(cls, membership: Membership) -> Actor:
        user = membership.user
        return cls(user, user.get_full_name() or user.username, membership.get_role_display())
