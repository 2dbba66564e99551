"""Messages other pages send: the leave decision and positive news in bulk."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from registers.families.models import FamilyPolicy, Message
from registers.families.services.absence import request_leave
from registers.models import LeaveRequest
from tests.registers.factories import ContactFactory, MarkFactory

MONDAY = dt.date(2025, 9, 15)


@pytest.fixture(autouse=True)
def _daytime(time_machine, school):
    time_machine.move_to(
        dt.datetime(2025, 9, 19, 15, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )
    FamilyPolicy.objects.create(school=school, channels="email")


def test_the_headteachers_decision_on_a_parents_request_goes_back_as_a_message(
    login, head, pupil, django_capture_on_commit_callbacks
):
    dad = ContactFactory(pupil=pupil, name="Tom Byron", email="tom@example.com")
    ContactFactory(pupil=pupil, name="Ann Byron", email="ann@example.com", priority=2)
    leave = request_leave(
        contact=dad,
        pupil=pupil,
        kind=LeaveRequest.Kind.EXCEPTIONAL,
        start_date=dt.date(2025, 10, 6),
        end_date=dt.date(2025, 10, 7),
        reason="A family funeral",
        today=dt.date(2025, 9, 19),
    )
    client = login(head)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("registers:leave_decide", args=[head.school.urn, leave.pk]),
            {"decision": "grant", "note": "Our condolences."},
        )
    assert answer.status_code == 302
    (sent,) = mail.outbox
    assert sent.to == ["tom@example.com"]  # the parent who asked
    assert "granted" in sent.body and "Our condolences." in sent.body
    assert "Monday 6 October to Tuesday 7 October" in sent.body
    assert Message.objects.get().kind == "leave_decision"


def test_positive_messages_go_once_per_pupil_and_week_from_the_celebration_page(
    login, officer, school, pupils, django_capture_on_commit_callbacks
):
    days = [MONDAY + dt.timedelta(days=n) for n in range(5)]
    for n, pupil in enumerate(pupils):
        ContactFactory(pupil=pupil, email=f"family{n}@example.com")
        MarkFactory.days(pupil, days, absent_on={days[2]: "I"} if n >= 2 else None)
    client = login(officer)
    page = client.get(reverse("reporting:celebration", args=[school.urn]), {"week": "2025-09-15"})
    assert "<strong>2</strong> pupils 100% in the week of 15 September" in page.content.decode()

    url = reverse("reporting:celebration_messages", args=[school.urn])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"group": "full_week", "week": "2025-09-15"})

    assert sorted(m.to[0] for m in mail.outbox) == ["family0@example.com", "family1@example.com"]
    assert "100% attendance in the week beginning 15 September" in mail.outbox[0].body
    assert Message.objects.filter(kind="positive", created_by=officer.user).count() == 2


def test_a_teacher_sees_the_league_but_not_the_families(login, teacher, school):
    page = login(teacher).get(reverse("reporting:celebration", args=[school.urn]))
    assert page.status_code == 200 and "Positive messages" not in page.content.decode()
