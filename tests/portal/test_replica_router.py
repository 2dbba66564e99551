"""The read-replica router's rules that need no replica (attendance_portal/replica.py);
tests/portal/test_replica.py reads a real one."""

from __future__ import annotations

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, router
from django.test import RequestFactory
from django.urls import resolve, reverse

from attendance_portal import replica
from registers.models import Mark, Pupil


@pytest.fixture
def configured(settings, monkeypatch):
    """A replica as settings name it (the alias itself is never connected to here)."""
    monkeypatch.setitem(settings.DATABASES, "replica", dict(settings.DATABASES["default"]))
    settings.REPORTING_READS_DATABASE = "replica"
    monkeypatch.setattr(replica, "replica_is_fresh", lambda alias: True)


def test_writes_and_migrations_never_go_to_the_replica(configured):
    assert router.db_for_write(Mark) == DEFAULT_DB_ALIAS
    assert router.allow_migrate("replica", "registers") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "registers") is True


def test_only_a_reports_reads_of_the_portals_data_go_to_the_replica(configured):
    from django.contrib.sessions.models import Session

    assert router.db_for_read(Mark) == DEFAULT_DB_ALIAS  # not a report: the primary
    with replica.reporting_reads():
        assert router.db_for_read(Mark) == "replica"
        assert router.db_for_read(Pupil) == "replica"
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS  # sessions where written
    with replica.reporting_reads(pinned=True):
        assert router.db_for_read(Mark) == DEFAULT_DB_ALIAS


def test_a_read_inside_a_transaction_on_the_primary_stays_there(configured, django_db_blocker):
    # pytest-django's `db` wraps each test in a transaction: exactly the case.
    with django_db_blocker.unblock(), replica.reporting_reads():
        from django.db import transaction

        with transaction.atomic():
            assert router.db_for_read(Mark) == DEFAULT_DB_ALIAS


def test_a_stale_replica_sends_reports_to_the_primary(configured, monkeypatch):
    monkeypatch.setattr(replica, "replica_is_fresh", lambda alias: False)
    with replica.reporting_reads():
        assert router.db_for_read(Mark) == DEFAULT_DB_ALIAS


def _middleware_response(method: str, path: str, cookies: dict | None = None):
    seen = {}

    def view(request):
        from django.http import HttpResponse

        seen["alias"] = router.db_for_read(Mark)
        return HttpResponse()

    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies or {})
    middleware = replica.ReadYourWritesMiddleware(view)
    request.resolver_match = resolve(path)
    if replica.replica_alias() is None:
        return middleware(request), seen

    def get_response(request):
        middleware.process_view(request, view, (), {})
        return view(request)

    middleware.get_response = get_response
    return middleware(request), seen


def test_a_post_pins_the_browser_to_the_primary_for_the_maximum_lag(configured, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 10
    dashboard = reverse("reporting:dashboard", args=["123456"])
    response, seen = _middleware_response("get", dashboard)
    assert seen["alias"] == "replica" and replica.PIN_COOKIE not in response.cookies

    response, _ = _middleware_response("post", dashboard)
    pin = float(response.cookies[replica.PIN_COOKIE].value)
    assert 9 < pin - time.time() <= 10.01
    assert response.cookies[replica.PIN_COOKIE]["httponly"]

    _, seen = _middleware_response("get", dashboard, {replica.PIN_COOKIE: str(pin)})
    assert seen["alias"] == DEFAULT_DB_ALIAS
    _, seen = _middleware_response("get", dashboard, {replica.PIN_COOKIE: str(time.time() - 1)})
    assert seen["alias"] == "replica"
    _, seen = _middleware_response("get", dashboard, {replica.PIN_COOKIE: "nonsense"})
    assert seen["alias"] == "replica"


def test_pages_outside_reporting_read_the_primary(configured):
    _, seen = _middleware_response("get", reverse("registers:pupils", args=["123456"]))
    assert seen["alias"] == DEFAULT_DB_ALIAS


def test_without_a_replica_nothing_changes_and_no_cookie_is_set(settings):
    assert replica.replica_alias() is None
    response, seen = _middleware_response("post", reverse("reporting:dashboard", args=["1"]))
    assert replica.PIN_COOKIE not in response.cookies
    assert seen["alias"] == DEFAULT_DB_ALIAS


@pytest.mark.postgres_only
def test_an_unreachable_replica_sends_reports_to_the_primary(db, settings, monkeypatch, caplog):
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("the freshness check asks PostgreSQL")
    closed_port = {**settings.DATABASES["default"], "PORT": "1", "OPTIONS": {"connect_timeout": 2}}
    # A wrapper of its own, not a configured alias (the test case refuses connections to
    # those it was not given).
    unreachable = connections["default"].__class__(closed_port, alias="unreachable")
    monkeypatch.setattr(
        replica, "connections", {"replica": unreachable, DEFAULT_DB_ALIAS: connections["default"]}
    )
    started = time.monotonic()
    assert replica.replica_is_fresh("replica") is False
    assert time.monotonic() - started < 3
    assert "unreachable" in caplog.text
