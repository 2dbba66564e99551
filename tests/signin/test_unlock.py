"""The office's unlock page: a school's officer or head lifts a colleague's sign-in lock."""

from __future__ import annotations

from django.urls import reverse

from attendance_portal.signin.models import SignInThrottle
from tests.signin.conftest import ATTACKER, signed_in


def lock(try_sign_in, username, address=ATTACKER):
    for _ in range(5):
        try_sign_in(username, "wrong", address=address)
    assert try_sign_in(username, "password", address=address).status_code == 429


def test_the_officer_sees_a_locked_colleague_and_unlocks_them(
    login, try_sign_in, officer, head, school
):
    lock(try_sign_in, "head")
    url = reverse("signin:locks", args=[school.urn])
    page = login(officer).get(url).content.decode()
    assert "Locked until" in page
    assert "Unlock head" in page
    response = login(officer).post(url, {"username": "HEAD"})
    assert response.status_code == 302
    assert not SignInThrottle.objects.filter(username="head").exists()
    assert signed_in(try_sign_in("head", "password"))


def test_the_head_may_unlock_too_and_the_school_page_links_to_it(
    login, try_sign_in, head, teacher, school
):
    lock(try_sign_in, "teacher")
    home = login(head).get(reverse("registers:school_home", args=[school.urn])).content.decode()
    url = reverse("signin:locks", args=[school.urn])
    assert url in home
    assert login(head).post(url, {"username": "teacher"}).status_code == 302
    assert signed_in(try_sign_in("teacher", "password"))


def test_another_schools_staff_are_neither_shown_nor_unlocked(
    login, try_sign_in, officer, outsider, school
):
    lock(try_sign_in, "outsider")
    url = reverse("signin:locks", args=[school.urn])
    assert "outsider" not in login(officer).get(url).content.decode()
    response = login(officer).post(url, {"username": "outsider"})
    assert response.status_code == 400
    assert "no role at this school" in response.content.decode()
    assert try_sign_in("outsider", "password").status_code == 429


def test_a_teacher_cannot_open_it(login, teacher, school):
    assert login(teacher).get(reverse("signin:locks", args=[school.urn])).status_code == 403
