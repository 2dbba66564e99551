"""Families for the parent portal's tests: contacts with parental responsibility, signed in
through the real code step."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from registers.models import Contact, Pupil

CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def add_contact(
    pupil: Pupil,
    *,
    name: str,
    email: str = "",
    phone: str = "",
    priority: int = 1,
    parental_responsibility: bool = True,
) -> Contact:
    return Contact.objects.create(
        school=pupil.school,
        pupil=pupil,
        name=name,
        relationship="Parent",
        email=email,
        phone=phone,
        priority=priority,
        parental_responsibility=parental_responsibility,
    )


def last_code(to: str) -> str:
    """The code in the newest email to this address: the only 6-digit number in it."""
    sent = [m for m in mail.outbox if to in m.to]
    assert sent, f"no email to {to}"
    found = CODE.findall(sent[-1].body)
    assert len(found) == 1, sent[-1].body
    return found[0]


def sign_in(client: Client, email: str) -> Client:
    client.post(reverse("parents:start"), {"contact": email})
    response = client.post(reverse("parents:code"), {"code": last_code(email)})
    assert response.status_code == 302 and response["Location"] == reverse("parents:home")
    return client
