"""The navigation bar: which sections each role sees at a school."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from registers.models import Membership

Role = Membership.Role

# (label, url name, roles, what the section holds). Sections an app has not built yet
# are skipped by reverse().
SECTIONS: list[tuple[str, str, frozenset[str], str]] = [
    (
        "Registers",
        "registers:day",
        frozenset({Role.OFFICER, Role.HEAD, Role.TEACHER}),
        "Today's AM and PM registers, and which are still missing.",
    ),
    (
        "Pupils",
        "registers:pupils",
        frozenset({Role.OFFICER, Role.HEAD, Role.TEACHER}),
        "Each pupil's year as a calendar, their figures and every change to their marks.",
    ),
    (
        "Calling",
        "escalation:calling",
        frozenset({Role.OFFICER, Role.HEAD}),
        "First-day calling, students of concern and penalty-notice candidates.",
    ),
    (
        "Caseload",
        "escalation:caseload",
        frozenset({Role.OFFICER, Role.HEAD}),
        "Open cases by stage: meetings, contracts, notices and referrals due.",
    ),
    (
        "Letters",
        "escalation:letters",
        frozenset({Role.OFFICER, Role.HEAD}),
        "Termly and escalation letters: generate, print and edit their wording.",
    ),
    (
        "Dashboard",
        "reporting:dashboard",
        frozenset({Role.OFFICER, Role.HEAD, Role.TRUST}),
        "Half-termly figures against target and national, by group, with trends.",
    ),
    (
        "Governors",
        "reporting:governors",
        frozenset({Role.HEAD, Role.GOVERNOR, Role.TRUST}),
        "The governors' summary and printable report: figures only, no pupils.",
    ),
    (
        "Trust",
        "reporting:trust",
        frozenset({Role.TRUST}),
        "Every school of the trust side by side.",
    ),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    description: str = ""


def nav_items(membership: Membership, urn: str, path: str) -> list[NavItem]:
    items = []
    for label, name, roles, description in SECTIONS:
        if membership.role not in roles:
            continue
        try:
            url = reverse(name, args=[urn])
        except NoReverseMatch:
            continue
        items.append(NavItem(label, url, path.startswith(url), description))
    return items
