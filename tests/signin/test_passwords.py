"""Staff change their password, or reset it by email; Django's validators apply to both,
and to the admin's forms."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.signin.conftest import ATTACKER, signed_in

NEW = "kettle-orchard-27"


def test_a_member_of_staff_changes_their_password(login, try_sign_in, officer, school):
    client = login(officer)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Change your password" in html and "Sign out" in html  # in the site's layout
    # The user's name in the navigation opens their sign-in security page, which links here.
    assert reverse("identity:account") in client.get(reverse("home"), follow=True).content.decode()
    assert reverse("password_change") in client.get(reverse("identity:account")).content.decode()

    weak = client.post(
        reverse("password_change"),
        {"old_password": "password", "new_password1": "1", "new_password2": "1"},
    )
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()

    done = client.post(
        reverse("password_change"),
        {"old_password": "password", "new_password1": NEW, "new_password2": NEW},
    )
    assert done.url == reverse("password_change_done")
    assert "Password changed" in client.get(done.url).content.decode()
    assert signed_in(try_sign_in("officer", NEW))
    assert not signed_in(try_sign_in("officer", "password", address="203.0.113.1"))


def test_wrong_old_passwords_count_against_the_sign_in_throttle(login, officer, settings):
    """The password change checks the old password: without the throttle, anyone at a
    signed-in office computer could test guesses there, around the sign-in page's limit."""
    client = login(officer)
    url = reverse("password_change")

    def change(old: str):
        return client.post(url, {"old_password": old, "new_password1": NEW, "new_password2": NEW})

    answers = [change(f"guess-{n}").status_code for n in range(settings.LOGIN_MAX_FAILURES)]
    assert answers == [200] * settings.LOGIN_MAX_FAILURES
    right = change("password")
    assert right.status_code == 429
    assert "Too many failed sign-in attempts" in right.content.decode()
    officer.user.refresh_from_db()
    assert officer.user.check_password("password")


def reset_link(client, email: str) -> str:
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    return re.search(r"http://testserver(/accounts/password/reset/\S+)", body).group(1)


def test_a_member_of_staff_resets_a_forgotten_password_by_email(client, try_sign_in, head):
    head.user.email = "head@oakfield.example"
    head.user.save()
    for _ in range(6):  # locked out first, from their own address
        try_sign_in("head", "wrong", address=ATTACKER)
    assert "Forgotten your password?" in client.get(reverse("login")).content.decode()

    link = reset_link(client, "HEAD@oakfield.example")
    assert mail.outbox[0].subject == "Reset your attendance portal password"
    form_url = client.get(link).url  # Django swaps the token for a session one
    page = client.get(form_url)
    assert "Choose a new password" in page.content.decode()
    weak = client.post(form_url, {"new_password1": "1", "new_password2": "1"})
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.url == reverse("password_reset_complete")
    assert "Password set" in client.get(done.url).content.decode()
    # The new password works at once, even from the address that was locked.
    assert signed_in(try_sign_in("head", NEW, address=ATTACKER))
    # The link works once.
    assert "expired or has been used" in client.get(link, follow=True).content.decode()


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, head):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_reset_requests_are_throttled_like_sign_ins(client, head, settings):
    """Each request counts (none is given back): LOGIN_MAX_FAILURES mails to one address from
    one client, then a 429 and no more mail; another address still gets its mail."""
    head.user.email = "head@oakfield.example"
    head.user.save()
    url = reverse("password_reset")
    answers = [
        client.post(url, {"email": "head@oakfield.example"}, REMOTE_ADDR=ATTACKER).status_code
        for _ in range(settings.LOGIN_MAX_FAILURES)
    ]
    assert answers == [302] * settings.LOGIN_MAX_FAILURES
    refused = client.post(url, {"email": "HEAD@oakfield.example"}, REMOTE_ADDR=ATTACKER)
    assert refused.status_code == 429
    assert "Too many password reset requests. Wait 5 minutes" in refused.content.decode()
    assert len(mail.outbox) == settings.LOGIN_MAX_FAILURES
    elsewhere = client.post(url, {"email": "head@oakfield.example"}, REMOTE_ADDR="203.0.113.9")
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == settings.LOGIN_MAX_FAILURES + 1


@pytest.fixture
def admin_client_(client, db):
    root = get_user_model().objects.create_superuser("root", "root@example.org", "root-pw-long-1")
    client.force_login(root)
    return client


def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client_):
    response = admin_client_.post(
        reverse("admin:auth_user_add"),
        {"username": "newbie", "password1": "1", "password2": "1", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_the_admin_refuses_a_weak_password_when_setting_one(admin_client_, officer):
    url = reverse("admin:auth_user_password_change", args=[officer.user.pk])
    response = admin_client_.post(url, {"password1": "1", "password2": "1"})
    assert response.status_code == 200
    officer.user.refresh_from_db()
    assert officer.user.check_password("password")
