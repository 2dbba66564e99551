from __future__ import annotations

import pytest
from django.urls import reverse


def test_a_user_signs_in_and_lands_on_their_school(client, officer):
    response = client.post(reverse("login"), {"username": "officer", "password": "password"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_repeated_failures_lock_the_account_for_a_while(client, officer, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "officer", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "officer", "password": "password"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Another account from another address is unaffected.
    other = client.post(
        reverse("login"), {"username": "nobody", "password": "x"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 200


def test_healthz_answers_without_login(client, db):
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok"}


def test_a_user_without_a_school_is_told_so(client, db):
    from tests.registers.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert "not linked to any school" in response.content.decode()


def test_every_page_carries_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("officer", "registers:day"),
        ("teacher", "registers:day"),
        ("head", "reporting:dashboard"),
        ("governor", "reporting:governors"),
    ],
)
def test_each_role_starts_its_day_on_its_own_page(request, login, school, persona, landing):
    response = login(request.getfixturevalue(persona)).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(landing, args=[school.urn])


def test_the_school_page_says_what_each_section_holds(login, head, school):
    page = login(head).get(reverse("registers:school_home", args=[school.urn])).content.decode()
    assert "First-day calling, students of concern and penalty-notice candidates." in page
    assert "Every school of the trust side by side." not in page  # the trust lead's only


def test_a_trust_lead_starts_on_the_trust_view(login, trust_lead, school):
    response = login(trust_lead).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("reporting:trust", args=[school.urn])
    assert login(trust_lead).get(response.url).status_code == 200
