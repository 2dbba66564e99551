"""Tokens: made on the portal's page (a head, a trust lead) or by the command, shown once,
stored hashed, revocable; the head's page of pupil-level calls."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from attendance_portal.api.models import ApiAccess, ApiToken
from attendance_portal.api.services.tokens import digest_of
from tests.api.conftest import make_token

Level, Access = ApiToken.Level, ApiToken.Access


def make_on_page(client, school, **fields):
    data = {
        "name": "Power BI",
        "scope": "school",
        "level": "aggregate",
        "access": "read",
        "days": 90,
    }
    data.update(fields)
    return client.post(f"/s/{school.urn}/api-tokens/", data)


def test_a_head_makes_a_token_shown_once_and_stored_hashed(client, login, head, school, api):
    login(head)
    response = make_on_page(client, school, level="pupil", access="read_write")
    assert response.status_code == 200
    secret = response.context["created"].secret
    assert secret.startswith("apt_") and secret in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.school, token.level, token.access) == (school, Level.PUPIL, Access.READ_WRITE)
    assert token.digest == digest_of(secret)
    assert secret not in str(ApiToken.objects.values().get())  # only its digest is kept
    assert secret not in client.get(f"/s/{school.urn}/api-tokens/").content.decode()
    assert api(secret).get(f"/api/v1/schools/{school.urn}/figures/").status_code == 200


def test_a_trust_lead_makes_only_aggregate_read_tokens(client, login, trust_lead, school):
    login(trust_lead)
    refused = make_on_page(client, school, scope="trust", level="pupil")
    assert refused.context["form"].errors["level"]
    assert not ApiToken.objects.exists()
    make_on_page(client, school, scope="trust")
    token = ApiToken.objects.get()
    assert (token.trust, token.school, token.level) == (school.trust, None, Level.AGGREGATE)


def test_a_head_cannot_make_a_trust_token(client, login, head, school):
    login(head)
    response = make_on_page(client, school, scope="trust")
    assert response.context["form"].errors["scope"]
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_at_once(client, login, head, school, api):
    login(head)
    secret = make_on_page(client, school).context["created"].secret
    token = ApiToken.objects.get()
    assert api(secret).get("/api/v1/schools/").status_code == 200
    assert client.post(f"/s/{school.urn}/api-tokens/{token.pk}/revoke/").status_code == 302
    assert api(secret).get("/api/v1/schools/").status_code == 401


def test_a_head_cannot_revoke_another_schools_token(client, login, head, school, other_school):
    from tests.api.conftest import make_token

    make_token(school=other_school)
    other = ApiToken.objects.get()
    login(head)
    assert client.post(f"/s/{school.urn}/api-tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_head_sees_who_read_pupil_data(client, login, head, school, pupils, api):
    from tests.api.conftest import make_token

    secret = make_token(school=school, level=Level.PUPIL)
    api(secret).get(f"/api/v1/schools/{school.urn}/figures/")
    assert ApiAccess.objects.count() == 1
    login(head)
    page = client.get(f"/s/{school.urn}/api-tokens/log/").content.decode()
    assert f"/api/v1/schools/{school.urn}/figures/" in page
    assert all(p.upn in page for p in pupils)
    assert f"{len(pupils)} pupils" in page


def test_the_command_prints_a_token_once_and_revokes_it(school, api):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", "--name", "MIS", "--school", school.urn, "--level", "pupil",
        "--access", "read_write", "--days", "30", stdout=out, stderr=err,
    )  # fmt: skip
    secret = out.getvalue().strip()
    assert api(secret).get(f"/api/v1/schools/{school.urn}/figures/").status_code == 200
    assert "shown once" in err.getvalue()
    prefix = ApiToken.objects.get().prefix
    call_command("create_api_token", "--revoke", prefix, stdout=io.StringIO())
    assert api(secret).get("/api/v1/schools/").status_code == 401


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "x"],
        ["--name", "x", "--school", "999999"],
        ["--name", "x", "--trust", "No such trust"],
        ["--name", "x", "--school", "123456", "--days", "0"],
        ["--school", "123456"],
        ["--revoke", "apt_nothing"],
    ],
)
def test_the_command_refuses_bad_arguments(school, args):
    with pytest.raises(CommandError):
        call_command("create_api_token", *args, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize(
    "extra",
    [["--level", "pupil"], ["--access", "read_write"], ["--level", "pupil", "--access", "read"]],
)
def test_the_command_refuses_a_trust_token_the_portal_would_refuse(school, extra):
    """The portal never shows a trust lead a pupil, nor lets them change a register: the
    operator's command makes no trust token that could (docs/domain.md §10)."""
    args = ["--name", "warehouse", "--trust", school.trust.name, *extra]
    with pytest.raises(CommandError, match=r"aggregate figures only, read-only.*--school URN"):
        call_command("create_api_token", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()
    # What the portal's page allows a trust lead is still made.
    out = io.StringIO()
    call_command(
        "create_api_token", "--name", "warehouse", "--trust", school.trust.name,
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert ApiToken.objects.get().level == ApiToken.Level.AGGREGATE


def test_a_trust_token_stored_as_pupil_level_is_served_aggregates_only(school, api, pupils):
    """A trust token made pupil-level before the rule (straight into the table) reads no
    pupil and gets withheld figures."""
    secret = make_token(trust=school.trust)
    ApiToken.objects.update(level=ApiToken.Level.PUPIL, access=ApiToken.Access.READ_WRITE)
    client = api(secret)
    for path in ("figures", "marks", "cases"):
        assert client.get(f"/api/v1/schools/{school.urn}/{path}/").status_code == 403, path
    groups = client.get(f"/api/v1/schools/{school.urn}/groups/").json()["results"]
    assert "form" not in {row["dimension"] for row in groups}
