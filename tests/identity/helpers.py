"""Helpers for the sign-in security tests: a real password sign-in and real TOTP codes."""

from __future__ import annotations

import time
from base64 import b32decode

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def sign_in(client: Client, username: str, password: str = "password"):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, "the password step failed"
    return response


def code_for(key: bytes, *, steps_ahead: int = 0) -> str:
    """The 6-digit code an authenticator app would show now (or some 30 s steps later)."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def key_from_secret(secret_text: str) -> bytes:
    """The key from the secret shown on the enrolment page ("ABCD EFGH ...")."""
    secret = secret_text.replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8))


def device_code(user, *, steps_ahead: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return code_for(device.bin_key, steps_ahead=steps_ahead)
