"""A parent reports an absence or asks for leave, through the families app's services, and
sees what the school sent them (docs/domain.md §13)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registers.families.models import AbsenceReport, Message
from registers.models import LeaveRequest
from tests.parents.conftest import EMAIL_A, EMAIL_B
from tests.parents.helpers import sign_in

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2025, 10, 20, 8, 0, tzinfo=dt.UTC)  # inside the school's Autumn 1
TUESDAY = dt.date(2025, 10, 21)


@pytest.fixture
def parent_a(family_a):
    with time_machine.travel(MONDAY, tick=True):
        yield sign_in(Client(), EMAIL_A)


def test_a_parent_reports_illness_for_tomorrow(parent_a, family_a):
    url = reverse("parents:report_absence", args=[family_a.pk])
    response = parent_a.post(
        url,
        {"start_date": "2025-10-21", "part": "all", "reason": "illness", "details": "A fever"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("parents:child", args=[family_a.pk])
    report = AbsenceReport.objects.get()
    assert (report.pupil, report.start_date, report.end_date) == (family_a, TUESDAY, TUESDAY)
    assert (report.start_session, report.end_session) == ("AM", "PM")
    assert report.contact.email == EMAIL_A and report.status == AbsenceReport.Status.REPORTED
    page = parent_a.get(response["Location"]).content.decode()
    assert "Waiting for the school" in page and "The school has your report" in page


def test_a_morning_only_absence_covers_the_morning(parent_a, family_a):
    parent_a.post(
        reverse("parents:report_absence", args=[family_a.pk]),
        {"start_date": "2025-10-21", "part": "AM", "reason": "medical", "details": ""},
    )
    report = AbsenceReport.objects.get()
    assert (report.start_session, report.end_session) == ("AM", "AM")


def test_a_past_day_is_refused_with_the_reason_and_nothing_is_lost(parent_a, family_a):
    response = parent_a.post(
        reverse("parents:report_absence", args=[family_a.pk]),
        {"start_date": "2025-10-17", "part": "all", "reason": "illness", "details": "Flu"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "ring the school" in page
    assert 'value="2025-10-17"' in page and "Flu" in page
    assert not AbsenceReport.objects.exists()


def test_the_other_family_cannot_report_for_a_child_not_theirs(family_a, family_b):
    with time_machine.travel(MONDAY, tick=True):
        client = sign_in(Client(), EMAIL_B)
        response = client.post(
            reverse("parents:report_absence", args=[family_a.pk]),
            {"start_date": "2025-10-21", "part": "all", "reason": "illness"},
        )
    assert response.status_code == 404 and not AbsenceReport.objects.exists()


def test_a_parent_asks_for_leave_and_it_joins_the_heads_queue(parent_a, family_a):
    response = parent_a.post(
        reverse("parents:request_leave", args=[family_a.pk]),
        {
            "kind": LeaveRequest.Kind.EXCEPTIONAL,
            "start_date": "2025-11-03",
            "end_date": "2025-11-04",
            "reason": "A family funeral abroad",
        },
    )
    assert response.status_code == 302
    leave = LeaveRequest.objects.get()
    assert leave.status == LeaveRequest.Status.REQUESTED
    assert (leave.pupil, leave.requested_by_name) == (family_a, "Alex Quennell")
    page = parent_a.get(response["Location"]).content.decode()
    assert "Leave of absence" in page and "Requested" in page


def test_a_parent_sees_messages_to_them_and_not_to_the_other_household(parent_a, family_a):
    from tests.parents.helpers import add_contact

    other = add_contact(family_a, name="Robin Elsewhere", email="robin@example.org", priority=2)
    mine = family_a.contacts.get(email=EMAIL_A)
    for n, contact in enumerate([mine, other]):
        Message.objects.create(
            school=family_a.school,
            pupil=family_a,
            contact=contact,
            to_name=contact.name,
            to_address=contact.email,
            kind="first_day",
            channel="email",
            date=TUESDAY,
            idempotency_key=f"k{n}",
            text=f"Message number {n} for {contact.name}",
            not_before=timezone.now(),
        )
    page = parent_a.get(reverse("parents:child", args=[family_a.pk])).content.decode()
    assert "Message number 0" in page
    assert "Message number 1" not in page and "Robin" not in page


def test_letters_to_the_family_are_listed_and_the_las_referral_pack_is_not(parent_a, family_a):
    from django.core.files.base import ContentFile

    from escalation.models import Letter

    for kind in (Letter.Kind.FIRST_CONCERN, Letter.Kind.PENALTY_REFERRAL_PACK):
        letter = Letter(
            school=family_a.school,
            pupil=family_a,
            kind=kind,
            period="2025/26 Autumn 1",
            as_of=dt.date(2025, 10, 17),
            status=Letter.Status.GENERATED,
            generated_at=timezone.now(),
        )
        letter.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.4"), save=False)
        letter.save()
    page = parent_a.get(reverse("parents:child", args=[family_a.pk])).content.decode()
    assert "First concern" in page
    assert "referral" not in page.lower()


def test_the_childs_page_is_a_fixed_number_of_queries(
    parent_a, family_a, django_assert_max_num_queries
):
    """Whatever the number of marks: the year's grid, each half-term, the calculator."""
    from tests.registers.factories import MarkFactory

    days = [dt.date(2025, 9, 8) + dt.timedelta(days=d) for d in range(40)]
    MarkFactory.days(family_a, [d for d in days if d.weekday() < 5])
    with django_assert_max_num_queries(20):
        response = parent_a.get(reverse("parents:child", args=[family_a.pk]))
    assert response.status_code == 200
