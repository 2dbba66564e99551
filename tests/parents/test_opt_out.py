"""Opting out of messages: a parent for themselves in the parent portal, the office for any
contact from the pupil page; every change audited (who, when) (docs/domain.md §12-13)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from registers.families.models import OptOutChange
from registers.families.services.optout import PARENT_PORTAL
from registers.models import Contact
from tests.parents.conftest import EMAIL_A
from tests.parents.helpers import add_contact, sign_in
from tests.registers.factories import PupilFactory

pytestmark = pytest.mark.django_db


def choose(client: Client, pupil, opted_out: str):
    return client.post(reverse("parents:message_choice", args=[pupil.pk]), {"opted_out": opted_out})


def test_a_parent_opts_themselves_out_and_back_in_and_nobody_else(client, family_a):
    own = Contact.objects.get(pupil=family_a, email=EMAIL_A)
    other_parent = add_contact(
        family_a, name="Robin Quennell", email="robin@example.org", priority=2
    )
    sign_in(client, EMAIL_A)
    page = client.get(reverse("parents:child", args=[family_a.pk])).content.decode()
    assert "Stop messages to me about Amaris" in page

    response = choose(client, family_a, "1")
    assert response["Location"] == reverse("parents:child", args=[family_a.pk])
    own.refresh_from_db()
    other_parent.refresh_from_db()
    assert own.opted_out and not other_parent.opted_out
    change = OptOutChange.objects.get()
    assert (change.contact, change.opted_out, change.source) == (own, True, "parent")
    assert change.changed_by is None and change.changed_by_name == PARENT_PORTAL
    page = client.get(reverse("parents:child", args=[family_a.pk])).content.decode()
    assert "You have opted out of messages about Amaris" in page

    choose(client, family_a, "1")  # again: no change, no second audit row
    assert OptOutChange.objects.count() == 1
    choose(client, family_a, "0")
    own.refresh_from_db()
    assert not own.opted_out and OptOutChange.objects.count() == 2
    assert OptOutChange.objects.first().opted_out is False  # newest first


def test_a_parent_cannot_opt_out_for_a_child_not_theirs(client, family_a, family_b):
    sign_in(client, EMAIL_A)
    assert choose(client, family_b, "1").status_code == 404
    assert not Contact.objects.filter(opted_out_at__isnull=False).exists()


def test_a_nonsense_choice_changes_nothing(client, family_a):
    sign_in(client, EMAIL_A)
    response = choose(client, family_a, "maybe")
    assert response["Location"] == reverse("parents:child", args=[family_a.pk])
    assert not Contact.objects.filter(opted_out_at__isnull=False).exists()
    assert not OptOutChange.objects.exists()


def test_the_office_sees_and_changes_a_contacts_opt_out_audited(client, login, officer, family_a):
    contact = Contact.objects.get(pupil=family_a)
    officer.user.first_name, officer.user.last_name = "Olive", "Officer"
    officer.user.save()
    login(officer)
    school = family_a.school
    url = reverse("families:contact_opt_out", args=[school.urn, contact.pk])
    pupil_page = reverse("registers:pupil", args=[school.urn, family_a.pk])
    assert "Opt out of messages" in client.get(pupil_page).content.decode()

    assert client.post(url, {"opted_out": "1"})["Location"] == pupil_page
    contact.refresh_from_db()
    assert contact.opted_out
    change = OptOutChange.objects.get()
    assert (change.source, change.changed_by, change.changed_by_name) == (
        "office",
        officer.user,
        "Olive Officer",
    )
    page = client.get(pupil_page).content.decode()
    assert "Opted out of messages" in page and "Opt back in to messages" in page
    assert "Olive Officer" in page  # who changed it, and when, on the pupil page

    assert client.post(url, {"opted_out": "?"}).status_code == 400
    client.post(url, {"opted_out": "0"})
    contact.refresh_from_db()
    assert not contact.opted_out and OptOutChange.objects.count() == 2


def test_the_office_cannot_reach_another_schools_contact(client, login, officer, other_school):
    elsewhere = PupilFactory(school=other_school)
    contact = add_contact(elsewhere, name="Far Away", email="far@example.org")
    login(officer)
    url = reverse("families:contact_opt_out", args=[officer.school.urn, contact.pk])
    assert client.post(url, {"opted_out": "1"}).status_code == 404
    contact.refresh_from_db()
    assert not contact.opted_out and not OptOutChange.objects.exists()


def test_a_teacher_sees_the_opt_out_but_cannot_change_it(client, login, teacher, family_a):
    contact = Contact.objects.get(pupil=family_a)
    login(teacher)
    page = client.get(reverse("registers:pupil", args=[family_a.school.urn, family_a.pk]))
    assert page.status_code == 200 and "Opt out of messages" not in page.content.decode()
    url = reverse("families:contact_opt_out", args=[family_a.school.urn, contact.pk])
    assert client.post(url, {"opted_out": "1"}).status_code == 403
