"""The calling list shows the families' side: parents' reports with a one-click accept
(the code recorded, audited) and the first-day messages sent, with their status."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from registers.families.models import AbsenceReport, Message
from registers.models import Mark, MarkAmendment
from tests.registers.factories import ContactFactory, MarkFactory

DAY = dt.date(2025, 10, 6)  # a Monday of the conftest's Autumn 1


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(
        dt.datetime(2025, 10, 6, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


@pytest.fixture
def absentee(pupil):
    MarkFactory.at(pupil, [(DAY, "AM")], "N")
    return pupil


@pytest.fixture
def mum(absentee):
    return ContactFactory(pupil=absentee, name="Sarah Jones")


def calling(client, school):
    return client.get(reverse("escalation:calling", args=[school.urn]))


def test_a_parents_report_is_shown_and_accepted_in_one_click(login, officer, school, absentee, mum):
    report = AbsenceReport.objects.create(
        school=school,
        pupil=absentee,
        contact=mum,
        reported_by_name=mum.name,
        start_date=DAY,
        end_date=DAY,
        reason="illness",
        details="Sickness bug",
    )
    client = login(officer)
    page = calling(client, school).content.decode()
    assert "Reported by parent" in page and "Sickness bug" in page
    assert f"Accept report for {absentee.forename}" in page

    answer = client.post(
        reverse("escalation:report_accept", args=[school.urn, report.pk]), {"date": "2025-10-06"}
    )

    assert answer.status_code == 302
    assert dict(
        Mark.objects.filter(pupil=absentee, date=DAY).values_list("session", "code_id")
    ) == {"AM": "I", "PM": "I"}
    amendment = MarkAmendment.objects.get(pupil=absentee)
    assert "Sarah Jones" in amendment.reason and officer.user.get_full_name() in amendment.reason
    report.refresh_from_db()
    assert report.status == "accepted" and report.decided_by == officer.user


def test_a_report_of_another_school_is_404(login, outsider, school, absentee, mum):
    report = AbsenceReport.objects.create(
        school=school,
        pupil=absentee,
        contact=mum,
        reported_by_name=mum.name,
        start_date=DAY,
        end_date=DAY,
        reason="illness",
    )
    answer = login(outsider).post(
        reverse("escalation:report_accept", args=[outsider.school.urn, report.pk])
    )
    assert answer.status_code == 404
    report.refresh_from_db()
    assert report.status == "reported"


def test_the_first_day_messages_and_their_status_are_on_the_row(
    login, officer, school, absentee, mum
):
    for channel, status, error in (("sms", "delivered", ""), ("email", "failed", "Mailbox full")):
        Message.objects.create(
            school=school,
            pupil=absentee,
            contact=mum,
            to_name=mum.name,
            to_address="x",
            kind="first_day",
            channel=channel,
            date=DAY,
            session="AM",
            idempotency_key=f"k-{channel}",
            text="Not in school",
            status=status,
            error=error,
            not_before=timezone.now(),
            sent_at=timezone.now(),
        )
    page = calling(login(officer), school).content.decode()
    assert "Text message to Sarah Jones" in page and "Delivered" in page
    assert "Email to Sarah Jones" in page and "Mailbox full" in page
