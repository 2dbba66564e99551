"""Helpers for the sign-in security tests: a real password sign-in and real TOTP codes."""

from __future__ import annotations

import time
from base64 import b32decode

import requests
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# Where the provider sends Django's test client back to.
CALLBACK = "http://testserver/accounts/sso/callback/"


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


def register_client(url: str, redirect_uri: str) -> dict:
    """Register the portal with the provider, as a school registers it with Entra ID."""
    answer = requests.post(
        f"{url}/oauth2/clients",
        json={"redirect_uris": [redirect_uri], "token_endpoint_auth_method": "client_secret_post"},
        timeout=5,
    )
    answer.raise_for_status()
    client = answer.json()
    return {"url": url, "client_id": client["client_id"], "secret": client["client_secret"]}


def configure_sso(settings, provider: dict) -> dict:
    """Point the portal's SSO settings at the provider, as the environment variables do."""
    url = provider["url"]
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Microsoft 365"
    settings.OIDC_RP_CLIENT_ID = provider["client_id"]
    settings.OIDC_RP_CLIENT_SECRET = provider["secret"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{url}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{url}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{url}/jwks"
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "attendance_portal.identity.oidc.StaffEmailBackend",
    ]
    return provider
