"""The navigation bar: which sections each role sees at a school."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from registers.models import Membership

Role = Membership.Role

# (label, url name, roles). Sections an app has not built yet are skipped by reverse().
SECTIONS: list[tuple[str, str, frozenset[str]]] = [
    ("Registers", "registers:day", frozenset({Role.OFFICER, Role.HEAD, Role.TEACHER})),
    ("Pupils", "registers:pupils", frozenset({Role.OFFICER, Role.HEAD, Role.TEACHER})),
    ("Calling", "escalation:calling", frozenset({Role.OFFICER, Role.HEAD})),
    ("Caseload", "escalation:caseload", frozenset({Role.OFFICER, Role.HEAD})),
    ("Letters", "escalation:letters", frozenset({Role.OFFICER, Role.HEAD})),
    ("Dashboard", "reporting:dashboard", frozenset({Role.OFFICER, Role.HEAD, Role.TRUST})),
    ("Governors", "reporting:governors", frozenset({Role.HEAD, Role.GOVERNOR, Role.TRUST})),
    ("Trust", "reporting:trust", frozenset({Role.TRUST})),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def nav_items(membership: Membership, urn: str, path: str) -> list[NavItem]:
    items = []
    for label, name, roles in SECTIONS:
        if membership.role not in roles:
            continue
        try:
            url = reverse(name, args=[urn])
        except NoReverseMatch:
            continue
        items.append(NavItem(label, url, path.startswith(url)))
    return items
