"""The sign-in throttle through the real pages: /accounts/login/ and /admin/login/."""

from __future__ import annotations

import datetime as dt

import pytest
import redis
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from attendance_portal.signin.models import SignInThrottle
from tests.signin.conftest import ATTACKER, PROXY, signed_in

OFFICE = "203.0.113.9"  # the school's own address
ELSEWHERE = "203.0.113.77"


def fail_times(try_sign_in, n, username="head", **kw):
    return [try_sign_in(username, "wrong", **kw).status_code for _ in range(n)]


# -- behind the proxy ------------------------------------------------------------------


def test_behind_the_proxy_one_guesser_does_not_lock_out_the_whole_school(
    try_sign_in, settings, head, officer, teacher
):
    """Every request reaches the portal from the proxy's address; the client's is in
    X-Forwarded-For. The old code keyed on REMOTE_ADDR: five failures locked everyone."""
    settings.TRUSTED_PROXY_COUNT = 1
    for username in ("head", "officer", "nobody"):
        fail_times(try_sign_in, 6, username, address=PROXY, forwarded=ATTACKER)
    # Other staff, and the head themselves, from the school's address: straight in.
    for persona in ("teacher", "officer", "head"):
        response = try_sign_in(persona, "password", address=PROXY, forwarded=OFFICE)
        assert signed_in(response), persona
    # The guesser is still held.
    assert try_sign_in("head", "password", address=PROXY, forwarded=ATTACKER).status_code == 429


def test_only_the_address_our_proxy_saw_counts_not_what_the_client_wrote(
    try_sign_in, settings, head
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(6):  # a fresh forged address on the left each time
        try_sign_in("head", "wrong", address=PROXY, forwarded=f"192.0.2.{n}, {ATTACKER}")
    assert (
        try_sign_in(
            "head", "password", address=PROXY, forwarded=f"192.0.2.99, {ATTACKER}"
        ).status_code
        == 429
    )


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(try_sign_in, settings, head):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(6):
        try_sign_in("head", "wrong", forwarded=f"192.0.2.{n}")
    assert try_sign_in("head", "password", forwarded="192.0.2.200").status_code == 429


def test_an_ipv6_client_counts_as_its_whole_64(try_sign_in, head):
    for n in range(6):
        try_sign_in("head", "wrong", address=f"2001:db8:1:2::{n + 1}")
    assert try_sign_in("head", "password", address="2001:db8:1:2:ffff::1").status_code == 429


# -- one username, many spellings --------------------------------------------------------


def test_a_locked_username_cannot_sign_in_as_its_fullwidth_twin(try_sign_in, settings, head):
    """Two proxies (a load balancer's nodes) pass on the same client: the old code counted
    the raw username and REMOTE_ADDR, so "ｈｅａｄ" through the second node got in."""
    settings.TRUSTED_PROXY_COUNT = 1
    assert fail_times(try_sign_in, 5, address="10.0.0.1", forwarded=ATTACKER) == [200] * 5
    response = try_sign_in("ｈｅａｄ", "password", address="10.0.0.2", forwarded=ATTACKER)
    assert response.status_code == 429
    assert not signed_in(response)


def test_twins_share_one_count(try_sign_in, settings, head):
    settings.TRUSTED_PROXY_COUNT = 1
    for n, username in enumerate(("head", "HEAD", "ｈｅａｄ", "Ｈｅａｄ", "head")):
        try_sign_in(username, "wrong", address=f"10.0.0.{n + 1}", forwarded=ATTACKER)
    assert (
        try_sign_in("head", "password", address="10.0.0.9", forwarded=ATTACKER).status_code == 429
    )
    assert SignInThrottle.objects.filter(username="head").count() == 1


# -- whom a lock holds ---------------------------------------------------------------------


def test_a_guesser_cannot_lock_the_head_out_from_elsewhere(try_sign_in, head):
    fail_times(try_sign_in, 20)
    assert signed_in(try_sign_in("head", "password", address=OFFICE))


def test_the_lock_backs_off_and_a_right_password_afterwards_clears_it(try_sign_in, head):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert fail_times(try_sign_in, 5) == [200] * 5
        page = try_sign_in("head", "password")
        assert page.status_code == 429
        assert "Wait 5 minutes" in page.content.decode()
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        assert fail_times(try_sign_in, 1) == [200]  # one try when the lock ends, then 10 minutes
        clock.shift(dt.timedelta(minutes=9))
        assert "Wait 1 minute " in try_sign_in("head", "password").content.decode()
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        assert signed_in(try_sign_in("head", "password"))
    assert not SignInThrottle.objects.filter(username="head").exists()


def test_one_address_spraying_many_usernames_is_stopped(try_sign_in, settings, head):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 10
    statuses = [try_sign_in(f"guess{n}", "wrong").status_code for n in range(12)]
    assert statuses == [200] * 10 + [429] * 2
    assert try_sign_in("head", "password").status_code == 429
    assert signed_in(try_sign_in("head", "password", address=OFFICE))


def test_a_locked_sign_in_never_checks_the_password(try_sign_in, head, monkeypatch):
    fail_times(try_sign_in, 5)
    checked = []
    monkeypatch.setattr(
        "django.contrib.auth.base_user.AbstractBaseUser.check_password",
        lambda self, raw: checked.append(raw) or True,
    )
    assert try_sign_in("head", "password").status_code == 429
    assert checked == []


# -- parallel attempts ---------------------------------------------------------------------


def test_parallel_attempts_are_counted_before_any_password_is_checked(
    try_sign_in, head, monkeypatch
):
    """Deterministic race: while the first attempt's password is being checked, fifteen
    more arrive. The old code checked the count before authenticating and raised it after,
    so all sixteen were tried against a limit of five."""
    real = ModelBackend.authenticate
    tried = []
    clients = [Client() for _ in range(15)]

    def slow_check(self, request, username=None, password=None, **kwargs):
        tried.append(password)
        if len(tried) == 1:
            for n, client in enumerate(clients):
                try_sign_in("head", f"wrong-{n + 1}", client=client)
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", slow_check)
    try_sign_in("head", "wrong-0")
    assert len(tried) == 5


# -- the admin's sign-in ----------------------------------------------------------------------


def test_the_admin_sign_in_is_throttled_too(try_sign_in, db):
    get_user_model().objects.create_superuser("root", "root@example.org", "right-horse-battery")
    url = reverse("admin:login")
    answers = [try_sign_in("root", f"guess-{n}", url=url) for n in range(12)]
    # Five wrong passwords are told so; after that the lock is said, with how long to wait,
    # as on the portal's own sign-in page (the password was not checked).
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 7
    assert "Too many failed sign-in attempts" in answers[-1].content.decode()
    client = Client()
    try_sign_in("root", "right-horse-battery", url=url, client=client)
    assert client.get(reverse("admin:index")).status_code == 302  # still sent to sign in
    assert signed_in(try_sign_in("root", "right-horse-battery", url=url, address=OFFICE))


# -- when Redis is down -----------------------------------------------------------------------


def test_sign_in_works_while_the_cache_is_down(try_sign_in, head):
    """The old throttle kept its counts in the cache: with Redis down every sign-in was a
    500. Port 9 on localhost is closed (discard), so every cache call would raise."""
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    with override_settings(CACHES=down):
        from django.core.cache import cache

        with pytest.raises(redis.exceptions.ConnectionError):
            cache.get("anything")
        assert signed_in(try_sign_in("head", "password"))
        assert fail_times(try_sign_in, 6)[-1] == 429  # and still throttled


# -- wiring -------------------------------------------------------------------------------


def test_a_plain_model_backend_beside_ours_is_refused_by_the_system_check(settings):
    from attendance_portal.signin.checks import password_backend_is_throttled

    assert password_backend_is_throttled(None) == []
    settings.AUTHENTICATION_BACKENDS = [
        "attendance_portal.signin.backends.ThrottledModelBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    assert [e.id for e in password_backend_is_throttled(None)] == ["signin.E001"]


def test_forgotten_rows_are_purged(try_sign_in, head):
    with time_machine.travel(timezone.now() - dt.timedelta(days=2), tick=False):
        fail_times(try_sign_in, 2, "officer")
    assert SignInThrottle.objects.filter(username="officer").exists()
    fail_times(try_sign_in, 1, "teacher", address=OFFICE)
    assert not SignInThrottle.objects.filter(username="officer").exists()
