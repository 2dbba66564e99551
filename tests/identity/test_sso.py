"""Single sign-on against a real OpenID Connect provider that the test starts on 127.0.0.1.

oidc-provider-mock is an OpenID provider (authlib under Flask): it registers our client,
shows an authorisation form, issues RS256-signed ID tokens from its JWKS and serves
userinfo. The portal's side runs unchanged: mozilla-django-oidc's code flow with PKCE,
nonce and state, then identity.oidc.StaffEmailBackend maps the email to a member of staff.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from attendance_portal.identity import policy
from tests.identity.helpers import configure_sso
from tests.registers.factories import UserFactory


@pytest.fixture
def sso(settings, provider):
    return configure_sso(settings, provider)


def sign_in_with_provider(client, provider, sub: str, claims: dict | None = None, next_url=""):
    """The browser's round trip: portal → provider's form → portal's callback."""
    if claims is not None:
        answer = requests.put(f"{provider['url']}/users/{quote(sub)}", json=claims, timeout=5)
        assert answer.status_code == 204
    start = client.get(reverse("identity:sso_start"), {"next": next_url} if next_url else {})
    assert start.status_code == 302 and start.url.startswith(provider["url"])
    authorised = requests.post(start.url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert authorised.status_code == 302, authorised.text
    back = urlsplit(authorised.headers["location"])
    assert back.path == reverse("identity:sso_callback")
    return client.get(f"{back.path}?{back.query}")


def user_of(client):
    from django.contrib.auth import get_user

    class _Request:
        session = client.session

    return get_user(_Request())


def refusal(client, response) -> str:
    assert response.status_code == 302 and response.url == reverse("identity:sso_refused")
    page = client.get(response.url)
    assert page.status_code == 403
    return page.content.decode()


def test_existing_staff_sign_in_by_their_email(client, sso, school, officer):
    officer.user.email = "J.Bloggs@Oakfield.sch.uk"
    officer.user.save()
    target = reverse("registers:day", args=[school.urn])
    response = sign_in_with_provider(
        client, sso, "jb", {"email": "j.bloggs@oakfield.sch.uk", "email_verified": True}, target
    )
    assert response.status_code == 302 and response.url == target
    assert user_of(client) == officer.user
    assert client.session[policy.SSO_KEY] is True
    assert client.get(target).status_code == 200


def test_an_unknown_email_is_refused_and_no_account_is_made(client, sso, school, officer):
    users = get_user_model().objects.count()
    response = sign_in_with_provider(client, sso, "stranger@example.org")
    page = refusal(client, response)
    assert "No staff account on this portal has the email address stranger@example.org" in page
    assert get_user_model().objects.count() == users
    assert isinstance(user_of(client), AnonymousUser)


def test_a_user_without_a_school_or_inactive_is_refused(client, sso, school, officer):
    UserFactory(username="nobody", email="nobody@oakfield.sch.uk")
    assert "No staff account" in refusal(
        client, sign_in_with_provider(client, sso, "nobody@oakfield.sch.uk")
    )
    officer.user.email = "officer@oakfield.sch.uk"
    officer.user.is_active = False
    officer.user.save()
    assert "No staff account" in refusal(
        client, sign_in_with_provider(client, sso, "officer@oakfield.sch.uk")
    )


def test_two_accounts_with_one_email_are_refused(client, sso, school, officer, head):
    for member in (officer, head):
        member.user.email = "office@oakfield.sch.uk"
        member.user.save()
    page = refusal(client, sign_in_with_provider(client, sso, "office@oakfield.sch.uk"))
    assert "More than one staff account" in page
    assert isinstance(user_of(client), AnonymousUser)


def test_an_unverified_email_or_another_domain_is_refused(client, sso, settings, officer):
    officer.user.email = "officer@oakfield.sch.uk"
    officer.user.save()
    claims = {"email": "officer@oakfield.sch.uk", "email_verified": False}
    assert "has not confirmed" in refusal(
        client, sign_in_with_provider(client, sso, "unverified-officer", claims)
    )
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["beechhill.sch.uk"]
    assert "cannot sign in here" in refusal(
        client, sign_in_with_provider(client, sso, "officer@oakfield.sch.uk")
    )
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["Oakfield.sch.uk"]
    assert sign_in_with_provider(client, sso, "officer@oakfield.sch.uk").url == reverse("home")


def test_the_provider_refusing_or_a_forged_state_ends_on_the_refusal_page(client, sso, officer):
    start = client.get(reverse("identity:sso_start"))
    state = dict(p.split("=", 1) for p in urlsplit(start.url).query.split("&"))["state"]
    callback = reverse("identity:sso_callback")
    denied = client.get(callback, {"error": "access_denied", "state": state})
    assert "did not complete" in refusal(client, denied)
    forged = client.get(reverse("identity:sso_callback"), {"code": "x", "state": "forged"})
    assert "did not complete" in refusal(client, forged)


def test_sso_does_not_replace_the_portals_own_code_by_default(client, sso, school, officer):
    school.require_mfa = True
    school.save()
    officer.user.email = "officer@oakfield.sch.uk"
    officer.user.save()
    sign_in_with_provider(client, sso, "officer@oakfield.sch.uk")
    day = reverse("registers:day", args=[school.urn])
    assert client.get(day).url.startswith(reverse("identity:enrol"))


def test_sso_counts_as_the_second_step_when_the_setting_says_so(
    client, sso, settings, school, officer
):
    settings.OIDC_SATISFIES_MFA = True
    school.require_mfa = True
    school.save()
    officer.user.email = "officer@oakfield.sch.uk"
    officer.user.save()
    sign_in_with_provider(client, sso, "officer@oakfield.sch.uk")
    assert client.get(reverse("registers:day", args=[school.urn])).status_code == 200
    # A password sign-in in another browser still needs the code.
    other = type(client)()
    other.post(reverse("login"), {"username": "officer", "password": "password"})
    assert other.get(reverse("registers:day", args=[school.urn])).status_code == 302


def test_the_sign_in_page_offers_sso_only_when_it_is_on(client, db, settings):
    assert "Sign in with Microsoft 365" not in client.get(reverse("login")).content.decode()
    settings.OIDC_ENABLED = True
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Microsoft 365" in page
    assert reverse("identity:sso_start") in page


def test_sso_switched_on_without_its_endpoints_refuses_to_start():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "OIDC_ENABLED": "true", "OIDC_RP_CLIENT_ID": "portal"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "OIDC_ENABLED needs OIDC_RP_CLIENT_SECRET" in result.stderr
