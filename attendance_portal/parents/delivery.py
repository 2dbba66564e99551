"""Sending a sign-in code by the channel the parent typed (email or SMS)."""

from __future__ import annotations

from django.core.mail import send_mail

from attendance_portal.parents.rules import CODE_LIFETIME, Channel, ContactKey

SUBJECT = "Your school attendance sign-in code"


def code_text(code: str) -> str:
    """The message: the code is its only 6-digit number (docs/interfaces.md)."""
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    return (
        f"Your sign-in code for the school attendance portal is {code}. "
        f"It works once, for {minutes} minutes. "
        "If you did not ask for it, you can ignore this message: nobody can sign in without it."
    )


def send_code(key: ContactKey, code: str) -> None:
    if key.channel == Channel.EMAIL:
        send_mail(SUBJECT, code_text(code), None, [key.value])
    else:
        raise NotImplementedError("SMS codes arrive with the families app")
