"""`make run`'s SQLite survives two writers at once (issue 17: termly letters generated in
process while someone signed in answered 500 "database is locked")."""

from __future__ import annotations

import threading
import time

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from attendance_portal.settings import database_settings


def _connect(path) -> DatabaseWrapper:
    config = database_settings(f"sqlite:///{path}")
    config.update(TIME_ZONE=None, ATOMIC_REQUESTS=False, AUTOCOMMIT=True, CONN_HEALTH_CHECKS=False)
    return DatabaseWrapper(config, alias="sqlite-locking-test")


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open their own SQLite files, not the test database."""
    with django_db_blocker.unblock():
        yield


def begin(db: DatabaseWrapper) -> None:
    """BEGIN as transaction.atomic() says it on this connection."""
    db.ensure_connection()
    db._start_transaction_under_autocommit()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    db = _connect(tmp_path / "db.sqlite3")
    with db.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    db.close()


def test_a_second_writer_waits_for_the_first_instead_of_failing(tmp_path):
    path = tmp_path / "db.sqlite3"
    first, errors = _connect(path), []
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    started = threading.Event()

    def second_writer():
        # The sign-in of the issue: reads, then writes (its session, its last login).
        db = _connect(path)
        try:
            started.set()
            with db.cursor() as cursor:
                begin(db)
                cursor.execute("SELECT count(*) FROM t")
                cursor.execute("INSERT INTO t VALUES (2)")
                cursor.execute("COMMIT")
        except Exception as error:  # the test reports it
            errors.append(error)
        finally:
            db.close()

    # The letters batch: a write transaction that reads first and holds on for a moment.
    with first.cursor() as cursor:
        begin(first)
        cursor.execute("SELECT count(*) FROM t")
        thread = threading.Thread(target=second_writer)
        thread.start()
        started.wait()
        time.sleep(0.3)
        cursor.execute("INSERT INTO t VALUES (1)")
        time.sleep(0.3)
        cursor.execute("COMMIT")
    thread.join(10)
    assert not errors, errors
    with first.cursor() as cursor:
        assert sorted(r[0] for r in cursor.execute("SELECT n FROM t").fetchall()) == [1, 2]
    first.close()
