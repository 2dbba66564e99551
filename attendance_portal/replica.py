"""Reporting reads from a PostgreSQL streaming replica (issue 18, docs/scaling.md).

When `REPLICA_DATABASE_URL` is set, settings add a `replica` database and name it in
`REPORTING_READS_DATABASE`. Then:

- Only **reporting reads** go there: a GET or HEAD to a page of the reporting app (the
  dashboard, its drill-down, the governors' summary and PDF, the trust view, exports), or
  code run inside `reporting_reads()`. Register pages, calling lists, imports, the sweep
  and every other read stay on the primary, which they write to.
- Only the portal's own data (`registers`, `escalation`, `reporting`): sessions, users and
  the second step are read where they are written.
- **Writes never go to the replica** (`db_for_write`), and **migrations never run on it**
  (`allow_migrate`). A read inside a transaction on the primary stays on the primary: the
  transaction's own snapshot is the one it must see.
- **Read-your-writes.** A request with an unsafe method (POST, PUT, PATCH, DELETE) may
  have written, so its response pins that browser to the primary for
  `REPLICA_MAX_LAG_SECONDS` (a cookie holding the time the pin ends). The replica is used
  only while it is at most that far behind, so a write older than the pin has reached it.
- **Lag.** Each reporting request first compares the replica's replayed WAL position with
  the primary's: at or past it, the replica holds every commit made before the request
  began; behind it, it is used only if its last replayed commit is at most
  `REPLICA_MAX_LAG_SECONDS` old. A stale or unreachable replica sends the request to the
  primary (logged), never an error. One request reads one snapshot of one database, so a
  page is never half old, half new.

Part of the foundation: imports no app (docs/development.md "Layers").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

PIN_COOKIE = "primary_until"
READ_APPS = frozenset({"registers", "escalation", "reporting"})  # models the reports read
REPORTING_NAMESPACES = frozenset({"reporting"})  # URL namespaces of the report pages
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass
class _Reads:
    pinned: bool = False  # this browser wrote within the last REPLICA_MAX_LAG_SECONDS
    reporting: bool = False  # a report is being read
    alias: str | None = None  # where its reads go, decided once on the first of them
    decided: bool = False


_reads: ContextVar[_Reads | None] = ContextVar("replica_reads", default=None)


def replica_alias() -> str | None:
    """The replica's alias when one is configured for reporting, else None."""
    alias = getattr(settings, "REPORTING_READS_DATABASE", DEFAULT_DB_ALIAS)
    return alias if alias != DEFAULT_DB_ALIAS and alias in settings.DATABASES else None


def max_lag() -> float:
    return float(getattr(settings, "REPLICA_MAX_LAG_SECONDS", 10))


def replica_is_fresh(alias: str) -> bool:
    """True when the replica may serve a report now (see the module's "Lag")."""
    replica, primary = connections[alias], connections[DEFAULT_DB_ALIAS]
    if replica.vendor != "postgresql":
        return True  # a test mirror of the primary itself
    try:
        with primary.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (primary_lsn,) = cursor.fetchone()
        with replica.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
                [primary_lsn],
            )
            in_recovery, caught_up, behind = cursor.fetchone()
    except DatabaseError as exc:
        log.warning("replica %s unreachable, reporting reads the primary: %s", alias, exc)
        return False
    if not in_recovery:
        # A promoted replica (failover) is a primary of its own: reading it could show
        # another history than the one the portal writes to.
        log.error("replica %s is not in recovery, reporting reads the primary", alias)
        return False
    if caught_up:
        return True
    fresh = behind is not None and float(behind) <= max_lag()
    if not fresh:
        log.warning("replica %s is %s s behind, reporting reads the primary", alias, behind)
    return fresh


def _decide(reads: _Reads) -> str | None:
    if not reads.decided:
        alias = replica_alias()
        reads.alias = alias if alias and not reads.pinned and replica_is_fresh(alias) else None
        reads.decided = True
    return reads.alias


@contextmanager
def reporting_reads(*, pinned: bool = False) -> Iterator[None]:
    """Route the portal's reads in this block to the replica (commands and tasks that only
    report: attendance_stats, exports)."""
    token = _reads.set(_Reads(pinned=pinned, reporting=True))
    try:
        yield
    finally:
        _reads.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS: reporting reads to the replica, everything else to the primary."""

    def db_for_read(self, model, **_hints) -> str | None:
        reads = _reads.get()
        if reads is None or not reads.reporting or model._meta.app_label not in READ_APPS:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # inside a transaction: its own snapshot
        return _decide(reads) or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **_hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, _obj1, _obj2, **_hints) -> bool:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, **_hints) -> bool | None:
        return False if db == replica_alias() or db == "replica" else None


class ReadYourWritesMiddleware:
    """Marks report pages as reporting reads, and pins a browser that just wrote to the
    primary. Does nothing (no cookie) unless a replica is configured."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if replica_alias() is None:
            return self.get_response(request)
        token = _reads.set(_Reads(pinned=_pinned(request)))
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if request.method not in SAFE_METHODS:
            until = time.time() + max_lag()
            response.set_cookie(
                PIN_COOKIE,
                f"{until:.3f}",
                max_age=int(max_lag()) + 1,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request: HttpRequest, view, args, kwargs) -> None:
        reads = _reads.get()
        match = request.resolver_match
        if (
            reads is not None
            and request.method in ("GET", "HEAD")
            and match is not None
            and not REPORTING_NAMESPACES.isdisjoint(match.app_names)
        ):
            reads.reporting = True


def _pinned(request: HttpRequest) -> bool:
    """The pin is the browser's own: forging it only sends its owner to the primary or
    shows them a few seconds' old figures, so it need not be signed."""
    try:
        return time.time() < float(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return False
