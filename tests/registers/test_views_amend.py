"""registers:amend, the office's change to one pupil's session."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registers.actors import Actor
from registers.models import Mark, MarkAmendment
from registers.services.marks import Entry, record_mark
from tests.registers.factories import PupilFactory

MONDAY = dt.date(2025, 9, 8)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2025, 9, 9, 11, 0, tzinfo=LONDON), tick=False)


def url(pupil, day: dt.date = MONDAY, session: str = "AM") -> str:
    return reverse("registers:amend", args=[pupil.school.urn, pupil.pk, day, session])


@pytest.fixture
def marked(officer, pupil):
    record_mark(
        pupil=pupil,
        day=MONDAY,
        session="AM",
        entry=Entry(pupil.pk, "N"),
        actor=Actor.for_membership(officer),
    )
    return pupil


VALID = {"code": "I", "minutes_late": "", "comment": "", "reason": "Mum phoned: flu"}


@pytest.mark.parametrize(
    ("persona", "get_status", "post_status"),
    [
        ("officer", 200, 302),
        ("head", 200, 302),
        ("teacher", 403, 403),
        ("other_teacher", 403, 403),
        ("governor", 403, 403),
        ("trust_lead", 403, 403),
        ("outsider", 404, 404),
    ],
)
def test_each_persona_gets_the_expected_status(
    request, login, marked, persona, get_status, post_status
):
    client = login(request.getfixturevalue(persona))
    assert client.get(url(marked)).status_code == get_status
    assert client.post(url(marked), VALID).status_code == post_status
    assert Mark.objects.get().code_id == ("I" if post_status == 302 else "N")


def test_a_pupil_of_another_school_is_not_found(login, officer, other_school):
    foreign = PupilFactory(school=other_school)
    address = reverse("registers:amend", args=[officer.school.urn, foreign.pk, MONDAY, "AM"])
    assert login(officer).get(address).status_code == 404


def test_the_page_shows_the_current_mark_and_the_sessions_history(login, officer, marked):
    actor = Actor.for_membership(officer)
    record_mark(
        pupil=marked,
        day=MONDAY,
        session="AM",
        entry=Entry(marked.pk, "O"),
        actor=actor,
        reason="No reply",
    )
    response = login(officer).get(url(marked))
    page = response.content.decode()
    assert "Absent in other or unknown circumstances" in page
    assert "No reply" in page
    assert response.context["form"].initial["code"] == "O"


def test_a_reason_is_required(login, officer, marked):
    response = login(officer).post(url(marked), VALID | {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Mark.objects.get().code_id == "N"
    assert not MarkAmendment.objects.exists()


def test_a_change_is_recorded_with_history_and_returns_to_the_pupil(login, officer, marked):
    response = login(officer).post(url(marked), VALID, follow=True)
    pupil_page = reverse("registers:pupil", args=[marked.school.urn, marked.pk]) + "?year=2025"
    assert response.redirect_chain == [(pupil_page, 302)]
    assert "Recorded I for" in response.content.decode()
    history = MarkAmendment.objects.get()
    assert (history.old_code, history.new_code, history.reason) == ("N", "I", "Mum phoned: flu")
    assert (history.changed_by, history.changed_by_role) == (officer.user, "Attendance officer")
    assert Mark.objects.get().source == Mark.Source.OFFICE


def test_a_missing_mark_can_be_recorded(login, head, pupil):
    data = VALID | {"code": "L", "minutes_late": "12"}
    assert login(head).post(url(pupil, session="PM"), data).status_code == 302
    mark = Mark.objects.get()
    assert (mark.code_id, mark.minutes_late, mark.recorded_by) == ("L", 12, head.user)


def test_a_service_refusal_is_shown_and_the_input_kept(login, officer, form):
    gone = PupilFactory(school=form.school, form=form, leaving_date=dt.date(2025, 9, 5))
    response = login(officer).post(url(gone), VALID)
    assert response.status_code == 200
    assert "is not on roll" in response.content.decode()
    assert response.context["form"].data["reason"] == "Mum phoned: flu"
    assert not Mark.objects.exists()


def test_marks_are_not_recorded_in_advance(login, officer, pupil):
    wednesday = dt.date(2025, 9, 10)
    client = login(officer)
    assert "cannot be recorded in advance" in client.get(url(pupil, wednesday)).content.decode()
    assert client.post(url(pupil, wednesday), VALID).status_code == 403


def test_a_non_school_day_says_so(login, officer, pupil):
    page = login(officer).get(url(pupil, dt.date(2025, 9, 6))).content.decode()
    assert "Saturday 6 September 2025 is not a school day" in page
    assert "<select" not in page
