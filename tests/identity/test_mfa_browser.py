"""Two-step sign-in in a real browser: enrol with the QR page's key, save the recovery
codes, sign out, sign in again with a code from the authenticator, then with a recovery code.

The codes are computed here from the key the enrolment page shows, exactly as a phone's
authenticator app computes them (RFC 6238 TOTP, django_otp.oath).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.identity.helpers import code_for, key_from_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mfa_school(school):
    school.require_mfa = True
    school.save(update_fields=["require_mfa"])
    return school


def shot(page, tmp_path, name: str) -> None:
    # Not into docs/screenshots: the secret and codes change every run (git stays clean).
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_enrolment_then_sign_in_with_a_code_and_with_a_recovery_code(
    page, sign_in, live_server, mfa_school, officer, tmp_path
):
    day = reverse("registers:day", args=[mfa_school.urn])

    # The password step, then straight to enrolment: no page of the school before it.
    sign_in("officer")
    expect(page).to_have_url(re.compile(r"/accounts/security/enrol/"))
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    shot(page, tmp_path, "mfa-01-enrol")
    key = key_from_secret(page.locator("#secret").inner_text())

    page.get_by_role("textbox", name="Code").fill(code_for(key))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shot(page, tmp_path, "mfa-02-recovery-codes")
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page).to_have_url(f"{live_server.url}{day}")

    # Next sign-in: the code from the app (the next 30-second step: this one is used).
    sign_out(page)
    sign_in("officer")
    expect(page).to_have_url(re.compile(r"/accounts/security/verify/"))
    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    shot(page, tmp_path, "mfa-03-verify-wrong")
    page.wait_for_timeout(1100)  # django-otp's throttle: 1 s after one wrong code
    page.get_by_role("textbox", name="Code").fill(code_for(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}{day}")

    # A lost phone: a recovery code, once.
    sign_out(page)
    sign_in("officer")
    page.get_by_role("textbox", name="Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}{day}")
    expect(page.get_by_text("9 left")).to_be_visible()
    shot(page, tmp_path, "mfa-04-recovery-code-used")
    sign_out(page)
    sign_in("officer")
    page.get_by_role("textbox", name="Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
