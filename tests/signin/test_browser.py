"""Sign-in journeys in a real browser: a lock that says how long, a password change, the
office's unlock page. Screenshots go to the test's tmp_path (their times change each run)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.browser

NEW = "kettle-orchard-27"


def test_a_locked_sign_in_says_how_long_to_wait(page, live_server, head, tmp_path):
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "head", "password": "wrong"})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("head")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Too many failed sign-in attempts").is_visible()
    assert "Forgotten your password?" in page.content()
    page.screenshot(path=str(tmp_path / "signin-locked.png"), full_page=True)


def test_staff_change_their_password_from_the_school_page(
    sign_in, officer, school, live_server, tmp_path
):
    page = sign_in("officer")
    page.goto(f"{live_server.url}{reverse('registers:school_home', args=[school.urn])}")
    page.get_by_role("link", name="Change your password").click()
    page.get_by_label("Old password").fill("password")
    page.locator("#id_new_password1").fill("1")
    page.locator("#id_new_password2").fill("1")
    page.get_by_role("button", name="Change password").click()
    assert page.get_by_text("This password is too short").is_visible()
    page.screenshot(path=str(tmp_path / "signin-password-change.png"), full_page=True)
    page.get_by_label("Old password").fill("password")
    page.locator("#id_new_password1").fill(NEW)
    page.locator("#id_new_password2").fill(NEW)
    page.get_by_role("button", name="Change password").click()
    assert page.get_by_role("heading", name="Password changed").is_visible()


def test_the_officer_unlocks_a_colleague(sign_in, officer, teacher, school, live_server, tmp_path):
    client = Client()
    for _ in range(6):
        client.post(reverse("login"), {"username": "teacher", "password": "wrong"})
    page = sign_in("officer")
    page.goto(f"{live_server.url}{reverse('registers:school_home', args=[school.urn])}")
    page.get_by_role("link", name="Staff sign-in").click()
    assert page.get_by_text("Locked until").is_visible()
    page.screenshot(path=str(tmp_path / "signin-unlock.png"), full_page=True)
    page.get_by_role("button", name="Unlock teacher").click()
    assert page.get_by_text("teacher can sign in again.").is_visible()
    assert page.get_by_text("No one at Oakfield Primary has failed to sign in lately").is_visible()
