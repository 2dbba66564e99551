"""The leave and planned-absence pages: every persona on every URL, and what they do."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registers.actors import Actor
from registers.models import LeaveRequest, Mark, PlannedAbsence
from registers.services.leave import decide_request, record_request
from tests.registers.factories import MarkFactory

TODAY = dt.date(2025, 9, 15)
Kind, Status = LeaveRequest.Kind, LeaveRequest.Status


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(
        dt.datetime(2025, 9, 15, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


@pytest.fixture
def leave(pupil, officer):
    return record_request(
        school=pupil.school,
        pupil=pupil,
        kind=Kind.INTERVIEW,
        requested_by_name="Alex Reed",
        requested_by_relationship="father",
        requested_on=TODAY,
        start_date=dt.date(2025, 9, 17),
        end_date=dt.date(2025, 9, 17),
        start_session="PM",
        reason="College interview",
        actor=Actor.for_membership(officer),
    )


def leave_form_data(pupil, **extra) -> dict:
    return {
        "pupil": pupil.pk,
        "kind": Kind.EXCEPTIONAL,
        "requested_by_name": "Jo Bloggs",
        "requested_by_relationship": "mother",
        "requested_on": "2025-09-10",
        "start_date": "2025-09-22",
        "start_session": "AM",
        "end_date": "2025-09-23",
        "end_session": "PM",
        "sessions": "both",
        "reason": "Funeral abroad",
        **extra,
    }


def planned_form_data(pupil) -> dict:
    return {
        "pupil": pupil.pk,
        "code": "M",
        "start_date": "2025-09-16",
        "start_session": "AM",
        "end_date": "2025-09-16",
        "end_session": "AM",
        "note": "Orthodontist",
    }


OFFICE_ONLY = [
    ("officer", 200),
    ("head", 200),
    ("teacher", 403),
    ("governor", 403),
    ("trust_lead", 403),
    ("outsider", 404),
]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 302),
        ("head", 302),
        ("teacher", 403),
        ("governor", 403),
        ("trust_lead", 403),
        ("outsider", 404),
    ],
)
def test_recording_a_request_by_post(request, login, school, pupil, persona, status):
    client = login(request.getfixturevalue(persona))
    response = client.post(
        reverse("registers:leave_new", args=[school.urn]), leave_form_data(pupil)
    )
    assert response.status_code == status
    assert LeaveRequest.objects.exists() == (status == 302)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 302),
        ("head", 302),
        ("teacher", 403),
        ("governor", 403),
        ("trust_lead", 403),
        ("outsider", 404),
    ],
)
def test_recording_a_planned_absence_by_post(request, login, school, pupil, persona, status):
    client = login(request.getfixturevalue(persona))
    response = client.post(
        reverse("registers:planned_new", args=[school.urn]), planned_form_data(pupil)
    )
    assert response.status_code == status
    assert PlannedAbsence.objects.exists() == (status == 302)
    assert Mark.objects.filter(source=Mark.Source.PLANNED).count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("head", 302),
        ("officer", 403),
        ("teacher", 403),
        ("governor", 403),
        ("trust_lead", 403),
        ("outsider", 404),
    ],
)
def test_only_the_head_can_post_a_decision(request, login, leave, persona, status):
    client = login(request.getfixturevalue(persona))
    url = reverse("registers:leave_decide", args=[leave.school.urn, leave.pk])
    response = client.post(url, {"decision": "grant", "note": "Good luck"})
    assert response.status_code == status
    leave.refresh_from_db()
    assert leave.status == (Status.GRANTED if status == 302 else Status.REQUESTED)
    assert Mark.objects.filter(code_id="J1").count() == (1 if status == 302 else 0)


def test_a_leave_request_of_another_school_is_not_found(
    login, outsider, officer, leave, other_school
):
    client = login(officer)
    assert (
        client.get(reverse("registers:leave_detail", args=[other_school.urn, leave.pk])).status_code
        == 404
    )
    other_leave_url = reverse("registers:leave_detail", args=[leave.school.urn, leave.pk + 999])
    assert client.get(other_leave_url).status_code == 404


def test_the_head_sees_the_decision_form_and_the_officer_does_not(login, head, officer, leave):
    url = reverse("registers:leave_detail", args=[leave.school.urn, leave.pk])
    assert "Record the decision" in login(head).get(url).content.decode()
    page = login(officer).get(url).content.decode()
    assert "Record the decision" not in page and "Waiting for the headteacher" in page


def test_the_list_filters_by_status_and_shows_due_reviews(login, officer, head, pupils, leave):
    c2 = record_request(
        school=pupils[1].school,
        pupil=pupils[1],
        kind=Kind.PART_TIME,
        requested_by_name="Kim",
        requested_by_relationship="carer",
        requested_on=TODAY,
        start_date=TODAY,
        end_date=dt.date(2025, 10, 24),
        review_date=dt.date(2025, 9, 19),
        reason="Anxiety: phased return",
        actor=Actor.for_membership(officer),
        sessions=LeaveRequest.Sessions.PM,
    )
    decide_request(leave=c2, membership=head, grant=True, note="", today=TODAY)
    client = login(officer)
    url = reverse("registers:leave_list", args=[leave.school.urn])
    page = client.get(url).content.decode()
    assert "Part-time timetables due for review" in page and "due 19 Sep 2025" in page
    requested = client.get(url, {"status": "requested"}).context["requests"]
    assert requested == [leave]
    granted = client.get(url, {"status": "granted"}).context["requests"]
    assert [r.pk for r in granted] == [c2.pk]


def test_a_new_request_form_shows_errors_and_saves_nothing(login, officer, school, pupil):
    data = leave_form_data(
        pupil, kind=Kind.PART_TIME, end_date="2025-09-20", start_date="2025-09-22"
    )
    response = login(officer).post(reverse("registers:leave_new", args=[school.urn]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "A part-time timetable needs a review date." in page
    assert "The end must not come before the start." in page
    assert not LeaveRequest.objects.exists()


def test_the_head_grants_and_conflicts_are_reported(login, head, officer, leave, pupil):
    MarkFactory(pupil=pupil, date=dt.date(2025, 9, 17), session="PM", code_id="I")
    url = reverse("registers:leave_decide", args=[leave.school.urn, leave.pk])
    response = login(head).post(url, {"decision": "grant"}, follow=True)
    page = response.content.decode()
    assert "Leave granted" in page and "Wed 17 Sep PM (I)" in page
    assert Mark.objects.get(pupil=pupil).code_id == "I"


def test_the_letter_downloads_once_decided(login, officer, head, leave):
    client = login(officer)
    url = reverse("registers:leave_letter", args=[leave.school.urn, leave.pk])
    assert client.get(url).status_code == 404
    decide_request(leave=leave, membership=head, grant=False, note="", today=TODAY)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_the_office_codes_refused_leave_taken_as_g(login, officer, head, pupil):
    leave = record_request(
        school=pupil.school,
        pupil=pupil,
        kind=Kind.EXCEPTIONAL,
        requested_by_name="Jo",
        requested_by_relationship="mother",
        requested_on=dt.date(2025, 9, 1),
        start_date=dt.date(2025, 9, 10),
        end_date=dt.date(2025, 9, 10),
        reason="Holiday",
        actor=Actor.for_membership(officer),
    )
    decide_request(leave=leave, membership=head, grant=False, note="", today=TODAY)
    MarkFactory.at(pupil, [(dt.date(2025, 9, 10), "AM"), (dt.date(2025, 9, 10), "PM")], "N")
    url = reverse("registers:leave_refused_taken", args=[pupil.school.urn, leave.pk])
    response = login(officer).post(url, follow=True)
    assert "2 absence(s) during the refused leave coded G" in response.content.decode()
    assert set(Mark.objects.values_list("code_id", flat=True)) == {"G"}
    assert login(officer).get(url).status_code == 405


def test_the_family_can_withdraw_an_undecided_request(login, officer, leave):
    url = reverse("registers:leave_withdraw", args=[leave.school.urn, leave.pk])
    login(officer).post(url)
    leave.refresh_from_db()
    assert leave.status == Status.WITHDRAWN


def test_a_c2_review_sets_the_next_review_date(login, officer, head, pupil):
    leave = record_request(
        school=pupil.school,
        pupil=pupil,
        kind=Kind.PART_TIME,
        requested_by_name="Kim",
        requested_by_relationship="carer",
        requested_on=TODAY,
        start_date=TODAY,
        end_date=dt.date(2025, 10, 24),
        review_date=dt.date(2025, 9, 19),
        reason="Medical needs",
        actor=Actor.for_membership(officer),
    )
    decide_request(leave=leave, membership=head, grant=True, note="", today=TODAY)
    url = reverse("registers:leave_review", args=[pupil.school.urn, leave.pk])
    data = {"reviewed_on": "2025-09-15", "next_review_date": "2025-10-06", "note": "Extend"}
    login(officer).post(url, data)
    leave.refresh_from_db()
    assert (leave.review_date, leave.last_reviewed_on) == (dt.date(2025, 10, 6), TODAY)


def test_the_pupil_and_day_pages_link_to_leave_for_the_office_only(login, officer, teacher, pupil):
    pupil_url = reverse("registers:pupil", args=[pupil.school.urn, pupil.pk])
    day_url = reverse("registers:day", args=[pupil.school.urn])
    new_url = reverse("registers:leave_new", args=[pupil.school.urn])
    list_url = reverse("registers:leave_list", args=[pupil.school.urn])
    assert f"{new_url}?pupil={pupil.pk}" in login(officer).get(pupil_url).content.decode()
    assert list_url in login(officer).get(day_url).content.decode()
    assert new_url not in login(teacher).get(pupil_url).content.decode()
    assert list_url not in login(teacher).get(day_url).content.decode()


def test_the_new_request_form_is_prefilled_with_the_pupil(login, officer, pupil):
    url = reverse("registers:leave_new", args=[pupil.school.urn])
    response = login(officer).get(url, {"pupil": pupil.pk})
    assert response.context["form"]["pupil"].value() == str(pupil.pk)


def test_the_request_received_on_default_is_shown_in_the_date_box(client, officer, school):
    """<input type="date"> takes ISO dates only; "20/10/2025" showed as blank (issue 17)."""
    import time_machine

    with time_machine.travel(dt.datetime(2025, 10, 20, 10, 0), tick=False):
        client.force_login(officer.user)
        response = client.get(reverse("registers:leave_new", args=[school.urn]))
    assert response.status_code == 200
    assert 'name="requested_on" value="2025-10-20"' in response.content.decode()
