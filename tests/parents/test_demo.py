"""The README's demo parent: seed_demo gives one contact the documented address, a parent
of a pupil with an open case (one away without a reason on the demo's day if there is one)."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from attendance_portal.parents.demo import DEMO_PARENT_EMAIL
from escalation.models import Case
from registers.models import Contact
from tests.parents.helpers import sign_in

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London"))  # a Monday

pytestmark = pytest.mark.slow  # builds the whole demo trust: not in make test-fast


def test_the_demo_parent_signs_in_and_sees_their_child(db):
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", "--password", "demo-pw-for-tests", "--pupils", "60", stdout=out)
    assert DEMO_PARENT_EMAIL in out.getvalue()
    (contact,) = Contact.objects.filter(email=DEMO_PARENT_EMAIL)
    pupil = contact.pupil
    assert contact.parental_responsibility and pupil.school.urn == "100001"
    assert Case.objects.open().filter(pupil=pupil).exists()
    with time_machine.travel(NOW, tick=True):
        client = sign_in(Client(), DEMO_PARENT_EMAIL)
        page = client.get(reverse("parents:child", args=[pupil.pk]))
    assert page.status_code == 200 and pupil.forename in page.content.decode()
