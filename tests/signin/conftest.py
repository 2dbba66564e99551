from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

ATTACKER = "198.51.100.7"
PROXY = "10.0.0.1"


@pytest.fixture
def try_sign_in(db):
    """try_sign_in(username, password, address=..., forwarded=None, client=None) → response."""

    def _sign_in(username, password, *, address=ATTACKER, forwarded=None, client=None, url=None):
        extra = {"REMOTE_ADDR": address}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return (client or Client()).post(
            url or reverse("login"), {"username": username, "password": password}, **extra
        )

    return _sign_in


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session
