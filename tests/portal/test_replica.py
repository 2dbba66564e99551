"""Reports read a real PostgreSQL streaming replica (issue 18): .ci/replica starts one on
port 5433 made with pg_basebackup, and .ci/run sets TEST_REPLICA_DATABASE_URL.

The replica is the test database's own streaming copy (a test mirror in tests/settings.py),
so what the test commits on the primary reaches it within milliseconds, and
`pg_wal_replay_pause()` on it holds it back: lag, induced. Which database served a page
is read from the queries each connection ran (CaptureQueriesContext), and what the page
shows from its report.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance_portal.replica import PIN_COOKIE
from registers.models import HalfTerm
from tests.registers.factories import MarkFactory

if not os.environ.get("TEST_REPLICA_DATABASE_URL") and not os.environ.get("CI"):
    # Not collected at all (CI, which has one, fails in the fixture instead).
    pytest.skip("no streaming replica (.ci/replica starts one)", allow_module_level=True)
pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]
LONDON = ZoneInfo("Europe/London")
FIRST_WEEK = [dt.date(2025, 9, 8) + dt.timedelta(days=n) for n in range(5)]
LATER_DAY = dt.date(2025, 9, 15)


@pytest.fixture
def replica(settings):
    if "replica" not in connections.databases:
        pytest.fail("CI runs without TEST_REPLICA_DATABASE_URL: .ci/replica did not run")
    settings.REPORTING_READS_DATABASE = "replica"
    settings.REPLICA_MAX_LAG_SECONDS = 600
    conn = connections["replica"]
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,), "TEST_REPLICA_DATABASE_URL is not a standby"
    yield conn
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")


def _caught_up(replica) -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    for _ in range(200):
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up within 10 s")


def _pause(replica) -> None:
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    for _ in range(100):  # paused once replay has stopped, not when asked
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_get_wal_replay_pause_state()")
            if cursor.fetchone()[0] == "paused":
                return
        time.sleep(0.05)
    raise AssertionError("replay did not pause")


def _dashboard(client, school) -> tuple[list, str]:
    """The headline rows of the half-term's dashboard, and which database read its figures."""
    term = HalfTerm.objects.for_school(school).get()
    url = reverse("reporting:dashboard", args=[school.urn])
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as copy,
    ):
        response = client.get(url, {"period": term.pk})
    assert response.status_code == 200
    read_marks = {
        alias
        for alias, queries in (("primary", primary), ("replica", copy))
        # The figures: the stored weekly counts (issue 18), or the marks themselves.
        if any(
            table in q["sql"]
            for q in queries.captured_queries
            for table in ("registers_weekcount", "registers_mark")
        )
    }
    assert len(read_marks) == 1, read_marks  # one page, one database: one snapshot
    return list(response.context["report"].table("headline").rows), read_marks.pop()


@pytest.fixture
def marked(school, pupils):
    for pupil in pupils:
        MarkFactory.days(pupil, FIRST_WEEK)
    return school


def test_reports_read_the_replica_and_stay_consistent_under_lag(
    client, replica, marked, head, pupils, settings
):
    client.force_login(head.user)
    _caught_up(replica)
    before, source = _dashboard(client, marked)
    assert source == "replica"

    _pause(replica)
    for pupil in pupils:  # a week of absence, committed on the primary only
        MarkFactory.days(pupil, [LATER_DAY], absent_sessions=2, code="O")

    # Under lag the page is last moment's, whole: not an error, not half new.
    lagging, source = _dashboard(client, marked)
    assert (lagging, source) == (before, "replica")

    # Further behind than REPLICA_MAX_LAG_SECONDS: the primary answers, with the new marks.
    settings.REPLICA_MAX_LAG_SECONDS = 0
    after, source = _dashboard(client, marked)
    assert source == "primary"
    assert after != before

    # Once replay resumes and catches up, the replica shows them too.
    settings.REPLICA_MAX_LAG_SECONDS = 600
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    _caught_up(replica)
    assert _dashboard(client, marked) == (after, "replica")


def test_the_writers_next_read_goes_to_the_primary(
    client, replica, marked, head, form, pupils, time_machine
):
    client.force_login(head.user)
    _caught_up(replica)
    before, _ = _dashboard(client, marked)
    _pause(replica)

    # The head takes Monday 15 September's register: every pupil absent, unauthorised.
    time_machine.move_to(dt.datetime(2025, 9, 15, 9, 0, tzinfo=LONDON), tick=False)
    take = reverse("registers:take", args=[marked.urn, form.pk, LATER_DAY, "AM"])
    post = {"version": "0", "reason": ""}
    for pupil in pupils:
        fields = {"code": "O", "minutes_late": "", "comment": ""}
        post |= {f"p{pupil.pk}-{name}": value for name, value in fields.items()}
    response = client.post(take, post)
    assert response.status_code == 302
    assert PIN_COOKIE in response.cookies

    mine, source = _dashboard(client, marked)
    assert source == "primary" and mine != before  # the writer sees the register saved

    # Another browser, which wrote nothing, reads the replica (still paused: the old page).
    other = client.__class__()
    other.force_login(head.user)
    assert _dashboard(other, marked) == (before, "replica")

    # The pin ends after REPLICA_MAX_LAG_SECONDS; then the writer reads the replica too.
    time_machine.move_to(dt.datetime(2025, 9, 15, 9, 11, tzinfo=LONDON), tick=False)
    assert _dashboard(client, marked)[1] == "replica"
