"""Cover for a day (issue 17): the office gives a teacher a form's registers for one date."""

from __future__ import annotations

import datetime as dt
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registers.models import CoverGrant, Mark

MONDAY = dt.date(2025, 9, 8)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2025, 9, 8, 9, 0, tzinfo=LONDON), tick=False)


def cover_url(school) -> str:
    return reverse("registers:cover", args=[school.urn])


def take_url(form, day=MONDAY) -> str:
    return reverse("registers:take", args=[form.school.urn, form.pk, day, "AM"])


def present(pupils) -> dict:
    data = {"version": "0", "reason": ""}
    for p in pupils:
        data |= {f"p{p.pk}-code": "/", f"p{p.pk}-minutes_late": "", f"p{p.pk}-comment": ""}
    return data


def test_a_cover_teacher_takes_the_form_register_on_that_day_only(
    login, officer, other_teacher, form, pupils
):
    school = form.school
    client = login(other_teacher)
    assert client.get(take_url(form)).status_code == 403
    response = login(officer).post(
        cover_url(school),
        {"teacher": other_teacher.pk, "form": form.pk, "date": "2025-09-08"},
        follow=True,
    )
    assert "takes 4A's registers on Monday 8 September" in unescape(response.content.decode())
    assert CoverGrant.objects.get().granted_by == officer.user
    client = login(other_teacher)
    day_page = client.get(reverse("registers:day", args=[school.urn])).content.decode()
    assert "Take the 4A AM register" in day_page or take_url(form) in day_page
    assert client.post(take_url(form), present(pupils)).status_code == 302
    assert Mark.objects.filter(recorded_by=other_teacher.user).count() == len(pupils)
    # Not the day after.
    assert client.get(take_url(form, dt.date(2025, 9, 9))).status_code == 403


def test_cover_is_not_given_for_a_past_day_and_can_be_removed(login, officer, other_teacher, form):
    client = login(officer)
    response = client.post(
        cover_url(form.school), {"teacher": other_teacher.pk, "form": form.pk, "date": "2025-09-05"}
    )
    assert response.status_code == 400
    assert "Cover is given for today or a day to come." in response.content.decode()
    client.post(
        cover_url(form.school), {"teacher": other_teacher.pk, "form": form.pk, "date": "2025-09-08"}
    )
    grant = CoverGrant.objects.get()
    client.post(cover_url(form.school), {"revoke": str(grant.pk)})
    assert not CoverGrant.objects.exists()
    assert login(other_teacher).get(take_url(form)).status_code == 403


def test_only_teachers_of_this_school_can_be_given_cover(login, officer, head, form):
    response = login(officer).post(
        cover_url(form.school), {"teacher": head.pk, "form": form.pk, "date": "2025-09-08"}
    )
    assert response.status_code == 400
    assert not CoverGrant.objects.exists()
