"""Sixteen wrong passwords at once, from sixteen threads with their own connections: no more
than the limit of five are ever checked. PostgreSQL only (row locks; SQLite serialises whole
transactions). test_throttle.py has the same race made deterministic for SQLite."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.registers.factories import UserFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks"),
    pytest.mark.django_db(transaction=True),
]

PARALLEL = 16


def parallel_sign_ins(usernames: list[str]) -> list[int]:
    start = threading.Barrier(len(usernames))

    def attempt(n: int) -> int:
        try:
            start.wait(10)
            response = Client().post(
                reverse("login"),
                {"username": usernames[n], "password": f"wrong-{n}"},
                REMOTE_ADDR="198.51.100.7",
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(len(usernames)) as pool:
        return sorted(pool.map(attempt, range(len(usernames))))


@pytest.fixture
def tried(monkeypatch) -> list[str]:
    """The passwords ModelBackend really checked, each taking as long as PBKDF2 would."""
    real = ModelBackend.authenticate
    tried = []
    lock = threading.Lock()

    def slow_check(self, request, username=None, password=None, **kwargs):
        with lock:
            tried.append(password)
        time.sleep(0.3)  # a real PBKDF2 check takes about this long: the race's window
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", slow_check)
    return tried


def test_sixteen_parallel_wrong_passwords_are_not_all_tried(tried):
    UserFactory(username="head")
    statuses = parallel_sign_ins(["head"] * PARALLEL)
    assert len(tried) == 5
    assert statuses == [200] * 5 + [429] * 11


def test_parallel_guesses_at_many_usernames_share_the_address_count_without_deadlock(
    tried, settings
):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 5
    statuses = parallel_sign_ins([f"user{n}" for n in range(PARALLEL)])
    assert len(tried) == 5
    assert statuses == [200] * 5 + [429] * 11
