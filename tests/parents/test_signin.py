"""The parents' passwordless sign-in: codes, tries, expiry, throttle, no enumeration, and a
session of its own (docs/domain.md §13, docs/interfaces.md)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendance_portal.parents.access import CHALLENGE_COOKIE, SESSION_COOKIE
from attendance_portal.parents.models import ParentSession, SignInChallenge
from registers.models import Membership
from tests.parents.conftest import EMAIL_A
from tests.parents.helpers import CODE, add_contact, last_code, sign_in
from tests.registers.factories import PupilFactory, make_member

pytestmark = pytest.mark.django_db
START, CODE_URL, HOME = reverse("parents:start"), reverse("parents:code"), reverse("parents:home")
T0 = dt.datetime(2025, 10, 20, 9, 0, tzinfo=dt.UTC)


def ask(client: Client, contact: str):
    return client.post(START, {"contact": contact})


def test_a_held_email_gets_one_code_and_signs_in(client, family_a):
    response = ask(client, "  Alex.Parent@EXAMPLE.org ")
    assert response.status_code == 302 and response["Location"] == CODE_URL
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL_A]
    assert len(CODE.findall(mail.outbox[0].body + mail.outbox[0].subject)) == 1
    response = client.post(CODE_URL, {"code": last_code(EMAIL_A)})
    assert response.status_code == 302 and response["Location"] == HOME
    page = client.get(HOME)
    assert page.status_code == 200 and "Amaris Quennell" in page.content.decode()


def test_a_phone_number_in_any_uk_form_is_the_contacts_e164(family_a, monkeypatch):
    sent = []
    monkeypatch.setattr(
        "attendance_portal.parents.delivery.send_code",
        lambda contact, channel, code: sent.append((channel, contact.phone)),
    )
    Client().post(START, {"contact": "07700 900111"})
    Client().post(START, {"contact": "+44 (0)7700-900111"})
    assert sent == [("sms", "+447700900111")] * 2


def _page(response) -> str:
    """The page without its CSRF token (a new one per response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _answer(contact: str) -> tuple:
    client = Client()
    first = ask(client, contact)
    second = client.get(CODE_URL)
    return (
        first.status_code,
        first["Location"],
        sorted(first.cookies),
        first.cookies[CHALLENGE_COOKIE]["max-age"],
        second.status_code,
        _page(second),
    )


def test_nobody_learns_whether_the_school_holds_a_contact(family_a):
    """A held contact, one the school does not hold and one without parental responsibility
    are answered alike; only the held one gets a code."""
    add_contact(
        family_a,
        name="Childminder",
        email="minder@example.org",
        priority=2,
        parental_responsibility=False,
    )
    held = _answer(EMAIL_A)
    assert held == _answer("nobody@example.org") == _answer("minder@example.org")
    assert [m.to for m in mail.outbox] == [[EMAIL_A]]


def test_a_wrong_code_for_an_unknown_contact_is_told_as_any_wrong_code(family_a):
    known, unknown = Client(), Client()
    ask(known, EMAIL_A)
    ask(unknown, "nobody@example.org")
    a = known.post(CODE_URL, {"code": "000000"})
    b = unknown.post(CODE_URL, {"code": "000000"})
    assert a.status_code == b.status_code == 400
    assert _page(a) == _page(b)


def test_the_code_is_stored_keyed_and_hashed_never_as_itself(client, family_a):
    ask(client, EMAIL_A)
    code = last_code(EMAIL_A)
    row = SignInChallenge.objects.get()
    stored = " ".join(str(v) for v in row.__dict__.values())
    assert code not in stored
    assert len(row.code_hash) == 64
    # The browser's token is not stored either: only its hash.
    assert client.cookies[CHALLENGE_COOKIE].value not in stored


def test_a_code_expires_after_ten_minutes(family_a):
    client = Client()
    with time_machine.travel(T0, tick=False):
        ask(client, EMAIL_A)
    code = last_code(EMAIL_A)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        response = client.post(CODE_URL, {"code": code})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not ParentSession.objects.exists()


def test_a_code_still_works_just_before_ten_minutes(family_a):
    client = Client()
    with time_machine.travel(T0, tick=False):
        ask(client, EMAIL_A)
    with time_machine.travel(T0 + dt.timedelta(minutes=9, seconds=59), tick=False):
        response = client.post(CODE_URL, {"code": last_code(EMAIL_A)})
    assert response.status_code == 302 and response["Location"] == HOME


def test_five_wrong_tries_spend_the_code(client, family_a):
    ask(client, EMAIL_A)
    code = last_code(EMAIL_A)
    wrong = "999999" if code != "999999" else "888888"
    for left in (4, 3, 2, 1):
        response = client.post(CODE_URL, {"code": wrong})
        assert response.status_code == 400
        assert f"{left} tr" in response.content.decode()
    response = client.post(CODE_URL, {"code": wrong})  # the fifth
    assert "expired or has been used up" in response.content.decode()
    response = client.post(CODE_URL, {"code": code})
    assert response.status_code == 302 and response["Location"] == START  # cookie gone
    assert not ParentSession.objects.exists()


def test_four_wrong_tries_leave_the_fifth_for_the_right_code(client, family_a):
    ask(client, EMAIL_A)
    code = last_code(EMAIL_A)
    wrong = "999999" if code != "999999" else "888888"
    for _ in range(4):
        client.post(CODE_URL, {"code": wrong})
    assert client.post(CODE_URL, {"code": code})["Location"] == HOME


def test_a_code_works_once_and_a_newer_code_replaces_it(family_a):
    first = Client()
    ask(first, EMAIL_A)
    old = last_code(EMAIL_A)
    second = Client()
    ask(second, EMAIL_A)
    assert first.post(CODE_URL, {"code": old}).status_code == 400  # replaced
    new = last_code(EMAIL_A)
    assert second.post(CODE_URL, {"code": new})["Location"] == HOME
    assert second.post(CODE_URL, {"code": new}).status_code in (302, 400)
    assert ParentSession.objects.count() == 1


def test_a_contact_is_throttled_from_any_address_known_or_not(family_a, settings):
    for contact in (EMAIL_A, "nobody@example.org"):
        answers = [
            Client(REMOTE_ADDR=f"10.0.0.{i}").post(START, {"contact": contact}).status_code
            for i in range(settings.PARENT_CODE_MAX_REQUESTS + 1)
        ]
        assert answers[:-1] == [302] * settings.PARENT_CODE_MAX_REQUESTS
        assert answers[-1] == 429
    assert len(mail.outbox) == settings.PARENT_CODE_MAX_REQUESTS  # no code once locked


def test_an_address_is_throttled_over_all_contacts(family_a, settings):
    settings.PARENT_ADDRESS_MAX_FAILURES = 3
    client = Client(REMOTE_ADDR="10.9.9.9")
    answers = [ask(client, f"p{i}@example.org").status_code for i in range(4)]
    assert answers == [302, 302, 302, 429]
    # Wrong codes count against the address too; once locked, no code is even checked.
    other = Client(REMOTE_ADDR="10.8.8.8")
    ask(other, EMAIL_A)
    code = last_code(EMAIL_A)
    for _ in range(3):
        other.post(CODE_URL, {"code": "000000" if code != "000000" else "111111"})
    response = other.post(CODE_URL, {"code": code})
    assert response.status_code == 429 and not ParentSession.objects.exists()


def test_the_session_is_its_own_cookie_scoped_to_the_parent_pages(client, family_a):
    sign_in(client, EMAIL_A)
    cookie = client.cookies[SESSION_COOKIE]
    assert cookie["path"] == "/parents/"
    assert not cookie["expires"] and not cookie["max-age"]  # ends when the browser closes
    assert cookie["httponly"]
    assert "sessionid" not in client.cookies  # no staff session was made
    assert cookie.value not in " ".join(ParentSession.objects.values_list("token_hash", flat=True))


def test_a_session_ends_after_thirty_idle_minutes(family_a):
    client = Client()
    with time_machine.travel(T0, tick=False):
        sign_in(client, EMAIL_A)
    with time_machine.travel(T0 + dt.timedelta(minutes=29), tick=False):
        assert client.get(HOME).status_code == 200  # and this keeps it alive
    with time_machine.travel(T0 + dt.timedelta(minutes=58), tick=False):
        assert client.get(HOME).status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=89), tick=False):
        response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == START
    assert not ParentSession.objects.exists()


def test_signing_out_ends_the_session(client, family_a):
    sign_in(client, EMAIL_A)
    token = client.cookies[SESSION_COOKIE].value
    response = client.post(reverse("parents:sign_out"))
    assert response["Location"] == START
    assert not ParentSession.objects.exists()
    replay = Client()
    replay.cookies[SESSION_COOKIE] = token
    assert replay.get(HOME)["Location"] == START


def test_a_parent_never_reaches_a_staff_page(client, family_a, school):
    sign_in(client, EMAIL_A)
    for url in (
        reverse("home"),
        reverse("registers:pupils", args=[school.urn]),
        reverse("registers:pupil", args=[school.urn, family_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_staff_two_step_sign_in_does_not_stand_in_a_parents_way(client, family_a, school):
    """A member of staff of a school that requires two-step sign-in, signed in but not past
    the second step, is also a parent: the parent pages are not sent to the code page."""
    school.require_mfa = True
    school.save(update_fields=["require_mfa"])
    staff = make_member(Membership.Role.OFFICER, school=school, username="parent-officer")
    client.force_login(staff.user)
    assert "/verify" in client.get(reverse("registers:pupils", args=[school.urn]))["Location"] or (
        "/enrol" in client.get(reverse("registers:pupils", args=[school.urn]))["Location"]
    )
    sign_in(client, EMAIL_A)
    assert client.get(HOME).status_code == 200
    # …and being a parent opens no staff page either.
    assert client.get(reverse("registers:pupils", args=[school.urn])).status_code == 302


def test_a_pupil_who_has_left_is_not_shown(client, family_a):
    sibling = PupilFactory(school=family_a.school, form=family_a.form, forename="Lefty")
    add_contact(sibling, name="Alex Quennell", email=EMAIL_A)
    sibling.leaving_date = timezone.localdate() - dt.timedelta(days=1)
    sibling.save(update_fields=["leaving_date"])
    sign_in(client, EMAIL_A)
    page = client.get(HOME).content.decode()
    assert "Amaris" in page and "Lefty" not in page
    assert client.get(reverse("parents:child", args=[sibling.pk])).status_code == 404


def test_nonsense_is_asked_again_without_a_code(client, family_a):
    response = ask(client, "not a contact")
    assert response.status_code == 400 and "Enter an email address" in response.content.decode()
    assert not mail.outbox and not SignInChallenge.objects.exists()


def test_a_mobile_number_gets_its_code_by_text_and_signs_in(client, family_a, settings):
    from registers.families import providers

    settings.SMS_BACKEND = "locmem"
    outbox = providers.sms_backend().outbox
    outbox.clear()
    ask(client, "07700 900111")
    ((to, text),) = outbox
    assert to == "+447700900111" and not mail.outbox
    (code,) = CODE.findall(text)
    assert client.post(CODE_URL, {"code": code})["Location"] == HOME
