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
from django.urls import reverse

from registers import figures
from registers.services.calendar import open_sessions
from tests.registers.factories import MarkFactory, PupilFactory

URN = "123456"
START = dt.date(2025, 9, 3)


def stats(*args: str, fmt: str = "json") -> str:
    out = io.StringIO()
    call_command("attendance_stats", "--school", URN, *args, "--format", fmt, stdout=out)
    return out.getvalue()


def test_only_morning_marks_entered_gives_25_possible_and_25_unmarked(school):
    # Five school weeks from Monday 8 September: 25 days, 50 open sessions.
    pupil = PupilFactory(school=school, form=None, upn="A000000000100")
    sessions = open_sessions(school=school, start=dt.date(2025, 9, 8), end=dt.date(2025, 10, 10))
    mornings = [(d, s) for d, s in sessions if s == "AM"]
    assert len(mornings) == 25
    MarkFactory.at(pupil, mornings[:24])
    MarkFactory.at(pupil, mornings[24:], code="N")
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
    MarkFactory.at(pupil, [(dt.date(2025, 9, 8), "AM"), (dt.date(2025, 9, 8), "PM")])
    # A not-possible code is still a mark.
    MarkFactory.at(pupil, [(dt.date(2025, 9, 9), "AM")], code="Y1")
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
    MarkFactory.at(pupil, [(START, "AM"), (START, "PM"), (dt.date(2025, 9, 4), "AM")])
    found = figures.missing_marks(school=school, start=START, end=dt.date(2025, 9, 30))
    assert [(m.upn, m.date, m.session, m.form) for m in found] == [
        (pupil.upn, dt.date(2025, 9, 4), "PM", "4A")
    ]


# --- the pages: a data-quality count and the school-wide list ----------------------------


@time_machine.travel(dt.datetime(2025, 9, 10, 9, 30, tzinfo=dt.UTC), tick=False)
def test_the_missing_marks_list_covers_any_past_date_and_links_to_fill(
    login, officer, school, form, pupils
):
    for p in pupils:  # everyone marked on Wednesday 3 September but two afternoons
        MarkFactory.at(p, [(START, "AM")] + ([] if p in pupils[:2] else [(START, "PM")]))
    client = login(officer)
    url = reverse("registers:missing_marks", args=[school.urn])
    page = client.get(url, {"start": "2025-09-03", "end": "2025-09-03"}).content.decode()
    assert "2 sessions with no mark in 1 register" in page
    assert pupils[0].name in page and pupils[2].name not in page
    take = reverse("registers:take", args=[school.urn, form.pk, "2025-09-03", "PM"])
    assert take in page
    # Default: the year so far up to yesterday (3, 4, 5, 8, 9 September).
    page = client.get(url).content.decode()
    assert "42 sessions with no mark in 9 registers" in page  # 2 + 5 pupils x 8 sessions
    # One pupil, and a bad range is told, not a 500.
    one = client.get(url, {"pupil": pupils[2].pk}).content.decode()
    assert "8 sessions with no mark" in one
    bad = client.get(url, {"start": "2025-09-09", "end": "2025-09-03"})
    assert bad.status_code == 200 and "must not come after" in bad.content.decode()


@time_machine.travel(dt.datetime(2025, 9, 10, 9, 30, tzinfo=dt.UTC), tick=False)
def test_pupil_page_registers_page_and_dashboard_show_the_count(
    login, officer, head, teacher, school, pupils
):
    pupil = pupils[0]
    missing = reverse("registers:missing_marks", args=[school.urn])
    page = login(officer).get(reverse("registers:pupil", args=[school.urn, pupil.pk]))
    text = page.content.decode()
    assert "10 sessions this year with no mark" in text
    assert f"{missing}?pupil={pupil.pk}" in text
    day = login(officer).get(reverse("registers:day", args=[school.urn])).content.decode()
    assert "50 sessions this year with no mark" in day and missing in day
    dashboard = login(head).get(reverse("reporting:dashboard", args=[school.urn]))
    assert "50 sessions this year with no mark" in dashboard.content.decode()
    # A teacher sees the pupil's count but no link to the office's list.
    text = login(teacher).get(reverse("registers:pupil", args=[school.urn, pupil.pk]))
    assert "10 sessions this year with no mark" in text.content.decode()
    assert missing not in text.content.decode()
