"""Sessions with no mark (issue 15 §2): past open sessions on roll with no mark are counted,
kept out of possible_sessions, and flag the figure as incomplete.

The school fixture's calendar is Autumn 1 2025: Wednesday 3 September to Friday 24 October.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import time_machine
from django.core.management import call_command

from registers import figures
from registers.models import Mark
from registers.services.calendar import open_sessions
from tests.registers.factories import PupilFactory

URN = "123456"
START = dt.date(2025, 9, 3)


def stats(*args: str, fmt: str = "json") -> str:
    out = io.StringIO()
    call_command("attendance_stats", "--school", URN, *args, "--format", fmt, stdout=out)
    return out.getvalue()


def mark_sessions(pupil, sessions, code="/") -> None:
    Mark.objects.bulk_create(
        Mark(school=pupil.school, pupil=pupil, date=d, session=s, code_id=code) for d, s in sessions
    )


def test_only_morning_marks_entered_gives_25_possible_and_25_unmarked(school):
    # Five school weeks from Monday 8 September: 25 days, 50 open sessions.
    pupil = PupilFactory(school=school, form=None, upn="A000000000100")
    sessions = open_sessions(school=school, start=dt.date(2025, 9, 8), end=dt.date(2025, 10, 10))
    mornings = [(d, s) for d, s in sessions if s == "AM"]
    assert len(mornings) == 25
    mark_sessions(pupil, mornings[:24])
    mark_sessions(pupil, mornings[24:], code="N")
    (record,) = json.loads(stats("--from", "2025-09-08", "--to", "2025-10-10"))
    assert record["possible_sessions"] == 25
    assert record["attendance_pct"] == 96.0
    # The figure is incomplete: 25 afternoons have no mark, and it says so.
    assert record["unmarked_sessions"] == 25


def test_unmarked_sessions_count_only_days_on_roll_and_open_sessions(school):
    # Admitted on Monday 8 September, left on Friday 12 September: 10 sessions on roll.
    pupil = PupilFactory(
        school=school,
        form=None,
        upn="A000000000200",
        admission_date=dt.date(2025, 9, 8),
        leaving_date=dt.date(2025, 9, 12),
    )
    mark_sessions(pupil, [(dt.date(2025, 9, 8), "AM"), (dt.date(2025, 9, 8), "PM")])
    # A not-possible code is still a mark.
    mark_sessions(pupil, [(dt.date(2025, 9, 9), "AM")], code="Y1")
    (record,) = json.loads(stats("--from", "2025-09-01", "--to", "2025-09-30"))
    assert record["unmarked_sessions"] == 7
    assert record["possible_sessions"] == 2


@time_machine.travel(dt.datetime(2025, 9, 10, 9, 30, tzinfo=dt.UTC), tick=False)
def test_todays_sessions_are_not_yet_unmarked(school):
    PupilFactory(school=school, form=None, upn="A000000000300")
    # 3, 4, 5, 8 and 9 September are past: 10 sessions; 10 September is today.
    (record,) = json.loads(stats())
    assert record["unmarked_sessions"] == 10


def test_unmarked_sessions_in_csv(school):
    PupilFactory(school=school, form=None, upn="A000000000400", leaving_date=START)
    header, row = stats("--from", "2025-09-01", "--to", "2025-09-30", fmt="csv").splitlines()
    columns = header.split(",")
    assert columns.index("unmarked_sessions") == columns.index("late_sessions") + 1
    assert row.split(",")[columns.index("unmarked_sessions")] == "2"


def test_missing_marks_lists_each_session(school, form):
    pupil = PupilFactory(school=school, form=form, leaving_date=dt.date(2025, 9, 4))
    mark_sessions(pupil, [(START, "AM"), (START, "PM"), (dt.date(2025, 9, 4), "AM")])
    found = figures.missing_marks(school=school, start=START, end=dt.date(2025, 9, 30))
    assert [(m.upn, m.date, m.session, m.form) for m in found] == [
        (pupil.upn, dt.date(2025, 9, 4), "PM", "4A")
    ]
