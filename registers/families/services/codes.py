"""Sending a parent's one-time sign-in code (the parents' portal generates and checks it)."""

from __future__ import annotations

from registers.families.providers import send_code
from registers.models import Contact


def send_one_time_code(*, contact: Contact, channel: str, code: str) -> None:
    """Send `code` to the contact's email (channel "email") or mobile ("sms") through the
    configured backends. Raises providers.ProviderError if it could not be sent, and
    ValueError if the contact has no address for that channel."""
    to = contact.email if channel == "email" else contact.phone if channel == "sms" else ""
    if not to:
        raise ValueError(f"{contact} has no address for {channel!r}")
    send_code(channel=channel, to=to, code=code, school_name=contact.school.name)
