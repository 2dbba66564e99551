"""Single sign-on in a real browser: the portal's button, the provider's own sign-in form
(oidc-provider-mock on 127.0.0.1), back to the portal, then the portal's own code, which
OIDC_SATISFIES_MFA leaves on by default."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from attendance_portal.identity import services
from tests.identity.helpers import code_for, configure_sso, register_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_sign_in_with_the_provider_then_enter_the_portals_code(
    page, live_server, settings, provider_url, school, officer
):
    configure_sso(
        settings, register_client(provider_url, f"{live_server.url}/accounts/sso/callback/")
    )
    school.require_mfa = True
    school.save(update_fields=["require_mfa"])
    officer.user.email = "officer@oakfield.sch.uk"
    officer.user.save()
    device = services.pending_device(officer.user)
    services.confirm_enrolment(user=officer.user, device=device)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Microsoft 365").click()
    # The provider's own page: who is signing in.
    page.get_by_placeholder("sub").fill("officer@oakfield.sch.uk")
    page.get_by_role("button", name="Authorize").click()
    # Back at the portal, signed in, and asked for the portal's own code.
    expect(page).to_have_url(re.compile(r"/accounts/security/verify/"))
    page.get_by_role("textbox", name="Code").fill(code_for(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('registers:day', args=[school.urn])}")


def test_an_unknown_address_ends_on_the_refusal_page(
    page, live_server, settings, provider_url, school, officer
):
    configure_sso(
        settings, register_client(provider_url, f"{live_server.url}/accounts/sso/callback/")
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Microsoft 365").click()
    page.get_by_placeholder("sub").fill("someone@elsewhere.org")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Single sign-on did not sign you in")).to_be_visible()
    expect(
        page.get_by_text("No staff account on this portal has the email address")
    ).to_be_visible()
    page.get_by_role("link", name="Sign in with your username and password").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
