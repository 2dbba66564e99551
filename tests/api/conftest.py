"""Tokens of every scope for the API tests, and a client that sends one."""

from __future__ import annotations

import pytest
from django.test import Client

from attendance_portal.api.models import ApiToken
from attendance_portal.api.services.tokens import create_token

Level, Access = ApiToken.Level, ApiToken.Access


def make_token(*, school=None, trust=None, level=Level.AGGREGATE, access=Access.READ) -> str:
    return create_token(
        name="test tool",
        school=school,
        trust=trust,
        level=level,
        access=access,
        created_by_name="tests",
    ).secret


@pytest.fixture
def tokens(school, other_school):
    """name → secret (None: no token sent; "bad": a token nobody made)."""
    return {
        "none": None,
        "bad": "apt_" + "x" * 43,
        "school_aggregate": make_token(school=school),
        "school_pupil_read": make_token(school=school, level=Level.PUPIL),
        "school_pupil_write": make_token(
            school=school, level=Level.PUPIL, access=Access.READ_WRITE
        ),
        "trust_aggregate": make_token(trust=school.trust),
        "other_school": make_token(
            school=other_school, level=Level.PUPIL, access=Access.READ_WRITE
        ),
    }


class ApiClient:
    def __init__(self, secret: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, data=None, **headers):
        return self.client.get(path, data, headers={**self.headers, **headers})

    def post(self, path: str, body, *, key: str = "k1", content_type="application/json", **headers):
        extra = {**self.headers, **headers}
        if key is not None:
            extra["Idempotency-Key"] = key
        return self.client.post(path, body, content_type=content_type, headers=extra)


@pytest.fixture
def api():
    return ApiClient
