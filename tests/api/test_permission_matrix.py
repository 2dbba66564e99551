"""The API's permission matrix: every endpoint × every kind of token, another school's
token, a token nobody made and no token at all (like tests/portal/test_permission_matrix.py
for the pages). A new endpoint without a row fails test_every_endpoint_has_a_row."""

from __future__ import annotations

import json

import pytest

from attendance_portal.api import urls
from attendance_portal.api.models import ApiAccess

TOKENS = (
    "none",
    "bad",
    "school_aggregate",
    "school_pupil_read",
    "school_pupil_write",
    "trust_aggregate",
    "other_school",
)
URN = "123456"
EMPTY = {name: json.dumps({name: []}) for name in ("marks", "pupils", "contacts")}

#                 none bad  sAgg sPupR sPupW tAgg other
EVERY_TOKEN = "401  401  200  200   200   200  200"
SCHOOL_AGG = "401  401  200  200   200   200  404"
PUPIL_READ = "401  401  403  200   200   403  404"
PUPIL_WRITE = "401  401  403  403   200   403  404"
TRUST_ONLY = "401  401  404  404   404   200  404"

# (url name, method, path, answers)
ROWS = [
    ("api:schools", "GET", "/api/v1/schools/", EVERY_TOKEN),
    ("api:pupil_figures", "GET", f"/api/v1/schools/{URN}/figures/", PUPIL_READ),
    ("api:marks", "GET", f"/api/v1/schools/{URN}/marks/", PUPIL_READ),
    ("api:marks", "POST", f"/api/v1/schools/{URN}/marks/", PUPIL_WRITE),
    ("api:pupils", "POST", f"/api/v1/schools/{URN}/pupils/", PUPIL_WRITE),
    ("api:contacts", "POST", f"/api/v1/schools/{URN}/contacts/", PUPIL_WRITE),
    ("api:school_groups", "GET", f"/api/v1/schools/{URN}/groups/", SCHOOL_AGG),
    ("api:school_bands", "GET", f"/api/v1/schools/{URN}/bands/", SCHOOL_AGG),
    ("api:cases", "GET", f"/api/v1/schools/{URN}/cases/", PUPIL_READ),
    ("api:case_counts", "GET", f"/api/v1/schools/{URN}/cases/counts/", SCHOOL_AGG),
    ("api:trust_groups", "GET", "/api/v1/trust/groups/", TRUST_ONLY),
    ("api:trust_bands", "GET", "/api/v1/trust/bands/", TRUST_ONLY),
]
# Public: they hold no data (the schema and its docs).
PUBLIC = {"api:schema", "api:docs"}

CASES = [
    pytest.param(name, method, path, token, int(answer), id=f"{method} {path} {token}")
    for name, method, path, answers in ROWS
    for token, answer in zip(TOKENS, answers.split(), strict=True)
]


@pytest.mark.parametrize(("name", "method", "path", "token", "expected"), CASES)
def test_the_api_answers_each_token_as_the_matrix_says(
    name, method, path, token, expected, tokens, api, pupils
):
    client = api(tokens[token])
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, EMPTY[name.split(":")[1]], key=f"matrix-{token}")
    assert response.status_code == expected, response.content[:300]
    if expected != 200:
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == expected and problem["detail"]
    if expected == 401:
        assert response["WWW-Authenticate"] == "Bearer"


def test_every_endpoint_has_a_row():
    names = {f"api:{p.name}" for p in urls.urlpatterns}
    assert names - PUBLIC == {row[0] for row in ROWS}


@pytest.mark.parametrize("path", [f"/api/v1/schools/{URN}/figures/", "/api/v1/schools/"])
def test_a_wrong_method_is_405_with_allow(path, tokens, api):
    response = api(tokens["school_pupil_write"]).client.delete(
        path, headers={"Authorization": f"Bearer {tokens['school_pupil_write']}"}
    )
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]


def test_a_revoked_or_expired_token_opens_nothing(school, api):
    from django.utils import timezone

    from attendance_portal.api.models import ApiToken
    from attendance_portal.api.services.tokens import create_token, revoke_token

    revoked = create_token(name="old", school=school, level="pupil", created_by_name="t")
    revoke_token(token=revoked.token, revoked_by_name="head")
    expired = create_token(name="older", school=school, level="pupil", created_by_name="t")
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now())
    for secret in (revoked.secret, expired.secret):
        assert api(secret).get("/api/v1/schools/").status_code == 401


def test_a_session_does_not_open_the_api(client, head, login):
    login(head)
    assert client.get("/api/v1/schools/").status_code == 401


def test_pupil_level_reads_are_logged_and_aggregate_ones_are_not(tokens, api, pupils, school):
    api(tokens["school_aggregate"]).get(f"/api/v1/schools/{URN}/groups/")
    assert not ApiAccess.objects.exists()
    api(tokens["school_pupil_read"]).get(f"/api/v1/schools/{URN}/figures/")
    entry = ApiAccess.objects.get()
    assert entry.school == school and entry.pupil_count == len(pupils)
    assert sorted(entry.pupil_ids) == sorted(p.pk for p in pupils)
    assert entry.endpoint == f"/api/v1/schools/{URN}/figures/"
