"""Sending a sign-in code by the channel the parent typed, through the families app's
providers (email by EMAIL_BACKEND, SMS by SMS_BACKEND)."""

from __future__ import annotations

from registers.families.services.codes import send_one_time_code
from registers.models import Contact


def send_code(contact: Contact, channel: str, code: str) -> None:
    send_one_time_code(contact=contact, channel=channel, code=code)
