"""Shared helpers of the officer's daily lists (calling, students of concern, penalty-notice
candidates). Each list lives in its own module: lists_calling, lists_concern, lists_fpn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from escalation.forms import DayForm
from registers import bands
from registers.bands import BandWords
from registers.models import Pupil, School

# Badge colours and order: the groups first-day calling puts first stand out, in the order
# of PupilQuerySet.vulnerable_first() (docs/domain.md §9: social worker, SEND, pupil premium).
_BADGES = {
    "Social worker": "text-bg-danger",
    "Looked after": "text-bg-danger",
    "EHC plan": "text-bg-warning",
    "SEN support": "text-bg-warning",
    "PP": "text-bg-info",
    "Young carer": "text-bg-info",
}
_BADGE_ORDER = {label: n for n, label in enumerate(_BADGES)}


@dataclass(frozen=True)
class Badge:
    label: str
    css: str


def flag_badges(pupil: Pupil) -> list[Badge]:
    """The pupil's contextual flags as badges, the vulnerable groups first."""
    labels = sorted(pupil.flags, key=lambda label: _BADGE_ORDER.get(label, len(_BADGE_ORDER)))
    return [Badge(label, _BADGES.get(label, "text-bg-light border")) for label in labels]


# A band as the lists show it (registers.bands: short name, full label in the title, colour).
BandView = BandWords
band_view = bands.words


def list_day(request: HttpRequest, param: str = "date") -> tuple[dt.date, str]:
    """The day asked for in the query string (default today), and why it was refused if it
    was (unreadable, or outside attendance_portal.dates' bounds); '' when it was not."""
    form = DayForm({"date": request.GET.get(param, "")})
    if form.is_valid():
        return form.cleaned_data["date"] or timezone.localdate(), ""
    return timezone.localdate(), " ".join(form.errors["date"])


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def pupil_url(school: School, pupil_id: int) -> str:
    return reverse("registers:pupil", args=[school.urn, pupil_id])


def case_url(school: School, case_id: int) -> str:
    return reverse("escalation:case", args=[school.urn, case_id])
