"""The navigation bar: which sections each role sees at a school.

Each section names the capability its page requires (attendance_portal.permissions
CAPABILITIES), so the bar offers a section to exactly the roles the page lets in. A page
whose view checks more than the role (SECTION_CHECKS) is offered only when that check
passes too, by the same function the view uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from attendance_portal.permissions import has_capability
from registers.models import Membership

# (label, url name, capability, what the section holds)
SECTIONS: list[tuple[str, str, str, str]] = [
    (
        "Registers",
        "registers:day",
        "take_register",
        "Today's AM and PM registers, and which are still missing.",
    ),
    (
        "Pupils",
        "registers:pupils",
        "view_pupils",
        "Each pupil's year as a calendar, their figures and every change to their marks.",
    ),
    (
        "Calling",
        "escalation:calling",
        "manage_cases",
        "First-day calling, students of concern and penalty-notice candidates.",
    ),
    (
        "Caseload",
        "escalation:caseload",
        "manage_cases",
        "Open cases by stage: meetings, contracts, notices and referrals due.",
    ),
    (
        "Letters",
        "escalation:letters",
        "send_letters",
        "Termly and escalation letters: generate, print and edit their wording.",
    ),
    (
        "Internal truancy",
        "lessons:alerts",
        "view_truancy_alerts",
        "Pupils in school at registration and absent from a lesson, and their outcomes.",
    ),
    (
        "Dashboard",
        "reporting:dashboard",
        "view_dashboard",
        "Half-termly figures against target and national, by group, with trends.",
    ),
    (
        "Governors",
        "reporting:governors",
        "view_governors_summary",
        "The governors' summary and printable report: figures only, no pupils.",
    ),
    (
        "Trust",
        "reporting:trust",
        "view_trust",
        "Every school of the trust side by side.",
    ),
    (
        "Local authority",
        "reporting:local_authority",
        "view_local_authority",
        "Every school of the local authority side by side, against the national figures.",
    ),
    (
        "API tokens",
        "api_pages:tokens",
        "manage_api_tokens",
        "Tokens for the trust's tools and the MIS, and who read pupil data through them.",
    ),
]


# url name → the view's own check beyond the capability, added by the module that owns
# the page when its app loads (registers.lessons: a teacher sees the alerts only as a
# pastoral lead). registers' core must not import those modules, and this bar is drawn
# by registers' views.
SECTION_CHECKS: dict[str, Callable[[Membership], bool]] = {}


def register_section_check(name: str, check: Callable[[Membership], bool]) -> None:
    """Offer the section of url `name` only to members for whom `check` is true."""
    SECTION_CHECKS[name] = check


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    description: str = ""


def nav_items(membership: Membership, urn: str, path: str) -> list[NavItem]:
    items = []
    for label, name, capability, description in SECTIONS:
        check = SECTION_CHECKS.get(name)
        if has_capability(membership, capability) and (check is None or check(membership)):
            url = reverse(name, args=[urn])
            items.append(NavItem(label, url, path.startswith(url), description))
    return items
