"""The admin holds a school's own settings; the rest comes through validated, audited paths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse


@pytest.fixture
def admin_client_(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def _form(school, **changes) -> dict:
    data = {
        "name": school.name,
        "phase": school.phase,
        "trust": school.trust_id or "",
        "target_pct": "96",
        "formal_meeting_pct": "92",
        "dip_points": "2",
        "register_open_minutes": "30",
        "am_starts": "08:45",
        "pm_starts": "13:15",
        "missing_grace_minutes": "15",
        "reminder_minutes": "20",
        "la_name": "",
        "la_number": "",
        "establishment_number": "",
        "address": "",
        "phone": "",
    }
    return {**data, **changes}


def test_an_administrator_sets_the_policy_lines_and_the_dfe_number(admin_client_, school):
    url = reverse("admin:registers_school_change", args=[school.pk])
    page = admin_client_.get(url).content.decode()
    assert "Attendance policy" in page and "LA number" in page
    assert "Sessions and reminders" in page
    response = admin_client_.post(
        url,
        _form(
            school,
            target_pct="95",
            la_number="873",
            establishment_number="2001",
            pm_starts="13:00",
            missing_grace_minutes="10",
        ),
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.target_pct == Decimal("95") and school.la_number == "873"
    assert school.pm_starts == dt.time(13, 0) and school.missing_grace_minutes == 10


def test_bad_settings_are_refused_with_a_message_and_nothing_saved(admin_client_, school):
    url = reverse("admin:registers_school_change", args=[school.pk])
    response = admin_client_.post(url, _form(school, la_number="87", register_open_minutes="45"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "An LA number is three digits." in page
    assert "Ensure this value is less than or equal to 30." in page
    school.refresh_from_db()
    assert school.la_number == "" and school.register_open_minutes == 30


def test_a_school_cannot_be_deleted_from_the_admin(admin_client_, school):
    url = reverse("admin:registers_school_delete", args=[school.pk])
    assert admin_client_.get(url).status_code == 403


def test_school_staff_cannot_open_the_admin(login, head):
    response = login(head).get(reverse("admin:registers_school_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url
