"""The figures commands, attendance_stats and fpn_candidates (docs/interfaces.md "Figures").

The school fixture's calendar is Autumn 1 2025: Wednesday 3 September to Friday 24 October;
tests add other half-terms where they need them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from attendance_portal import cli
from registers import figures
from registers.management.commands import attendance_stats
from registers.models import Pupil
from tests.registers.factories import MarkFactory, PupilFactory, make_half_term

LONDON = ZoneInfo("Europe/London")
URN = "123456"
END = dt.date(2025, 10, 24)  # the last day of Autumn 1
STATS_KEYS = list(attendance_stats.COLUMNS)
FPN_KEYS = ["upn", "unauthorised_sessions", "window_start", "window_end"]


def run(command: str, *args: str) -> str:
    """Run a command as a script would and return its stdout."""
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def stats(*args: str) -> list[dict]:
    return json.loads(run("attendance_stats", "--school", URN, *args))


def fpn(day: str, *args: str) -> list[dict]:
    return json.loads(run("fpn_candidates", "--school", URN, "--date", day, *args))


def pupil(school, upn: str, **fields) -> Pupil:
    return PupilFactory(school=school, form=None, upn=upn, **fields)


# --- attendance_stats ---------------------------------------------------------------------

AUTUMN = ("--from", "2025-09-01", "--to", "2025-10-31")


@pytest.fixture
def autumn(school):
    """Pupils created out of UPN order, each showing one rule, marked in Autumn 1 2025."""
    start, end = dt.date(2025, 9, 3), dt.date(2025, 10, 24)
    monitor = pupil(school, "A000000000030")
    MarkFactory.run(monitor, ["/"] * 19 + ["N"], start=start, end=end)  # 95.0%
    rounded = pupil(school, "A000000000010")
    MarkFactory.run(rounded, ["/"] * 21 + ["I"], start=start, end=end)  # 21 / 22 = 95.4545…%
    pupil(school, "A000000000020")  # on roll, no marks yet
    severe = pupil(school, "A000000000040")
    MarkFactory.run(severe, ["L", "U", "/", "G"], start=start, end=end)
    persistent = pupil(school, "A000000000005")
    MarkFactory.run(persistent, ["V"] * 10 + ["/"] * 8 + ["M"] * 2, start=start, end=end)  # 90.0%
    pupil(school, "A000000000001", leaving_date=dt.date(2025, 8, 31))  # left before the range
    return school


def test_attendance_stats_prints_every_figure_as_json_sorted_by_upn(autumn):
    assert stats(*AUTUMN) == [
        {
            "upn": "A000000000005",
            "possible_sessions": 20,
            "present_sessions": 8,
            "aea_sessions": 10,
            "authorised_sessions": 2,
            "unauthorised_sessions": 0,
            "late_sessions": 0,
            "unmarked_sessions": 56,
            "attendance_pct": 90.0,
            "persistent_absence": True,  # exactly 10% missed
            "severe_absence": False,
            "band": "persistent",
        },
        {
            "upn": "A000000000010",
            "possible_sessions": 22,
            "present_sessions": 21,
            "aea_sessions": 0,
            "authorised_sessions": 1,
            "unauthorised_sessions": 0,
            "late_sessions": 0,
            "unmarked_sessions": 54,
            "attendance_pct": 95.5,
            "persistent_absence": False,
            "severe_absence": False,
            "band": "monitor",
        },
        {
            "upn": "A000000000020",
            "possible_sessions": 0,
            "present_sessions": 0,
            "aea_sessions": 0,
            "authorised_sessions": 0,
            "unauthorised_sessions": 0,
            "late_sessions": 0,
            "unmarked_sessions": 76,
            "attendance_pct": None,
            "persistent_absence": False,
            "severe_absence": False,
            "band": None,
        },
        {
            "upn": "A000000000030",
            "possible_sessions": 20,
            "present_sessions": 19,
            "aea_sessions": 0,
            "authorised_sessions": 0,
            "unauthorised_sessions": 1,
            "late_sessions": 0,
            "unmarked_sessions": 56,
            "attendance_pct": 95.0,
            "persistent_absence": False,
            "severe_absence": False,
            "band": "monitor",
        },
        {
            "upn": "A000000000040",
            "possible_sessions": 4,
            "present_sessions": 2,
            "aea_sessions": 0,
            "authorised_sessions": 0,
            "unauthorised_sessions": 2,
            "late_sessions": 2,  # L and U
            "unmarked_sessions": 72,
            "attendance_pct": 50.0,
            "persistent_absence": True,
            "severe_absence": True,
            "band": "severe",
        },
    ]


def test_attendance_stats_json_has_the_contract_keys_in_order_and_real_numbers(autumn):
    text = run("attendance_stats", "--school", URN, *AUTUMN)
    records = json.loads(text)  # stdout holds the JSON array and nothing else
    assert all(list(r) == STATS_KEYS for r in records)
    assert '"attendance_pct": 95.5,' in text  # a JSON number, not "95.5"
    assert '"attendance_pct": null,' in text
    assert '"band": null' in text
    assert '"persistent_absence": true,' in text


def test_attendance_stats_csv_uses_y_n_booleans_and_empty_cells_for_null(autumn):
    text = run("attendance_stats", "--school", URN, *AUTUMN, "--format", "csv")
    assert text.splitlines() == [
        ",".join(STATS_KEYS),
        "A000000000005,20,8,10,2,0,0,56,90.0,Y,N,persistent",
        "A000000000010,22,21,0,1,0,0,54,95.5,N,N,monitor",
        "A000000000020,0,0,0,0,0,0,76,,N,N,",
        "A000000000030,20,19,0,0,1,0,56,95.0,N,N,monitor",
        "A000000000040,4,2,0,0,2,2,72,50.0,Y,Y,severe",
    ]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["upn"] for r in rows] == sorted(r["upn"] for r in rows)


def test_attendance_stats_bands_follow_the_schools_policy(autumn):
    autumn.target_pct, autumn.formal_meeting_pct = 95, 90
    autumn.save(update_fields=["target_pct", "formal_meeting_pct"])
    bands = {r["upn"]: r["band"] for r in stats(*AUTUMN)}
    # 95.0% now meets the target; 90.0% is still persistent absence, a national line.
    assert bands["A000000000030"] == "expected"
    assert bands["A000000000005"] == "persistent"


def test_attendance_stats_band_is_decided_on_exact_fractions_not_the_rounded_figure(school):
    # 95 of 99 sessions is 95.96%: printed as 96.0, but below the 96% target.
    make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    near = pupil(school, "A000000000099")
    MarkFactory.run(
        near, ["/"] * 95 + ["N"] * 4, start=dt.date(2025, 9, 3), end=dt.date(2025, 12, 19)
    )
    (record,) = stats("--from", "2025-09-01", "--to", "2025-12-31")
    assert (record["possible_sessions"], record["attendance_pct"]) == (99, 96.0)
    assert record["band"] == "monitor"


@pytest.mark.parametrize(
    ("admission", "leaving", "listed"),
    [
        (dt.date(2025, 10, 31), None, True),  # admitted on the last day of the range
        (dt.date(2025, 11, 1), None, False),
        (dt.date(2020, 9, 1), dt.date(2025, 9, 1), True),  # left on the first day
        (dt.date(2020, 9, 1), dt.date(2025, 8, 31), False),
    ],
)
def test_attendance_stats_lists_pupils_on_roll_at_any_point_of_the_range(
    school, admission, leaving, listed
):
    pupil(school, "B000000000001", admission_date=admission, leaving_date=leaving)
    assert bool(stats(*AUTUMN)) is listed


def test_attendance_stats_of_a_leaver_counts_marks_up_to_the_leaving_date_only(school):
    leaver = pupil(school, "B000000000001", leaving_date=dt.date(2025, 9, 10))
    MarkFactory.run(
        leaver, ["/"] * 4 + ["N"] * 6, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 12)
    )
    (record,) = stats(*AUTUMN)
    # Monday to Wednesday: 6 sessions, 4 present; Thursday's and Friday's N are not counted.
    assert (record["possible_sessions"], record["present_sessions"]) == (6, 4)


def test_attendance_stats_prints_an_empty_array_for_a_school_without_pupils(school):
    assert run("attendance_stats", "--school", URN, *AUTUMN) == "[]\n"


@pytest.fixture
def two_years(school):
    make_half_term(school, "Summer 2", dt.date(2025, 6, 2), dt.date(2025, 7, 18))
    regular = pupil(school, "A000000000001")
    MarkFactory.at(
        regular, [(dt.date(2025, 7, 18), "AM"), (dt.date(2025, 7, 18), "PM")], "N"
    )  # last academic year
    MarkFactory.at(regular, [(dt.date(2025, 9, 8), "AM"), (dt.date(2025, 9, 8), "PM")], "/")
    MarkFactory.at(
        regular, [(dt.date(2025, 9, 10), "AM"), (dt.date(2025, 9, 10), "PM")], "/"
    )  # today
    MarkFactory.at(
        regular, [(dt.date(2025, 9, 11), "AM"), (dt.date(2025, 9, 11), "PM")], "N"
    )  # tomorrow (a mark entered in advance)
    pupil(school, "A000000000002", leaving_date=dt.date(2025, 7, 18))
    return school


@time_machine.travel(dt.datetime(2025, 9, 10, 16, 0, tzinfo=LONDON), tick=False)
def test_attendance_stats_defaults_to_the_academic_year_up_to_today(two_years):
    (record,) = stats()  # the July leaver is not on roll this academic year
    assert (record["upn"], record["possible_sessions"], record["present_sessions"]) == (
        "A000000000001",
        4,
        4,
    )


@time_machine.travel(dt.datetime(2025, 9, 10, 23, 30, tzinfo=dt.UTC), tick=False)
def test_attendance_stats_takes_today_in_the_schools_timezone(two_years):
    # 23:30 UTC on 10 September is already 11 September in London: Thursday's N counts.
    (record,) = stats()
    assert (record["possible_sessions"], record["unauthorised_sessions"]) == (6, 2)


@time_machine.travel(dt.datetime(2025, 9, 10, 16, 0, tzinfo=LONDON), tick=False)
def test_attendance_stats_with_only_from_runs_to_today(two_years):
    (record, _leaver) = stats("--from", "2025-07-18")
    assert (record["possible_sessions"], record["present_sessions"]) == (6, 4)


@time_machine.travel(dt.datetime(2025, 9, 10, 16, 0, tzinfo=LONDON), tick=False)
def test_attendance_stats_with_only_to_starts_at_that_academic_year(two_years):
    records = stats("--to", "2025-07-31")
    assert [(r["upn"], r["possible_sessions"]) for r in records] == [
        ("A000000000001", 2),
        ("A000000000002", 0),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", "999999"], "no school with URN '999999'"),
        (["--school", URN, "--from", "2025-13-01"], "--from '2025-13-01' is not a date"),
        (["--school", URN, "--from", "01/09/2025"], "--from '01/09/2025' is not a date"),
        (["--school", URN, "--to", "20251031"], "--to '20251031' is not a date"),
        (["--school", URN, "--to", ""], "--to '' is not a date"),
        (["--school", URN, "--from", "2025-10-01", "--to", "2025-09-30"], "is after --to"),
        (["--school", URN, "--format", "xml"], "invalid choice: 'xml'"),
        ([], "the following arguments are required: --school"),
    ],
)
def test_attendance_stats_refuses_bad_options_with_a_clear_message(school, args, message):
    with pytest.raises(CommandError, match=message):
        run("attendance_stats", *args)


def test_a_refused_command_exits_non_zero_with_its_message_on_stderr(school, capsys):
    command = attendance_stats.Command()
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "attendance_stats", "--school", "999999"])
    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no school with URN '999999'" in captured.err


# --- the output helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),  # text that looks like a number is still text
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("A000000000001", "A000000000001"),
        (-1, "-1"),  # a number is data, never escaped
        (None, ""),
        (True, "Y"),
        (False, "N"),
        (dt.date(2025, 9, 3), "2025-09-03"),
    ],
)
def test_csv_cells_are_escaped_only_when_text_would_run_as_a_formula(value, cell):
    assert cli.csv_cell(value) == cell


def test_a_formula_in_a_upn_is_escaped_in_the_csv(school):
    pupil(school, "=1+2")
    text = run("attendance_stats", "--school", URN, *AUTUMN, "--format", "csv")
    assert text.splitlines()[1].startswith("'=1+2,")


# --- fpn_candidates --------------------------------------------------------------------------


@pytest.fixture
def autumn_terms(school):
    """Autumn 1 (3 Sep – 24 Oct), half-term week of 27 Oct, Autumn 2 (3 Nov – 19 Dec)."""
    make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    return school


def days(start: dt.date, n: int) -> list[dt.date]:
    """n consecutive weekdays from `start`."""
    found, day = [], start
    while len(found) < n:
        if day.weekday() < 5:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def unauthorised_sessions(who: Pupil, start: dt.date, n: int, code: str = "N") -> None:
    """n sessions of `code`, AM and PM of consecutive weekdays from `start`."""
    for i, day in enumerate(days(start, (n + 1) // 2)):
        sessions = ("AM", "PM") if 2 * i + 1 < n else ("AM",)
        MarkFactory.at(who, [(day, session) for session in sessions], code)


def test_exactly_10_unauthorised_sessions_in_the_window_make_a_candidate(school):
    ten, nine = pupil(school, "A000000000001"), pupil(school, "A000000000002")
    unauthorised_sessions(ten, dt.date(2025, 10, 6), 10)
    unauthorised_sessions(nine, dt.date(2025, 10, 6), 9)
    assert fpn("2025-10-17") == [
        {
            "upn": "A000000000001",
            "unauthorised_sessions": 10,
            "window_start": "2025-09-03",  # the term's first day: fewer than 10 weeks yet
            "window_end": "2025-10-17",
        }
    ]


def test_the_window_skips_a_half_term_week_without_school(autumn_terms):
    # As of Wednesday 19 November the 10 school weeks are 17 Nov back to 8 Sep: the
    # half-term week of 27 October had no session, so it is not one of the ten.
    reaches_back, too_early = (
        pupil(autumn_terms, "A000000000001"),
        pupil(autumn_terms, "A000000000002"),
    )
    for who in (reaches_back, too_early):
        unauthorised_sessions(who, dt.date(2025, 11, 10), 9)
    MarkFactory.at(
        reaches_back, [(dt.date(2025, 9, 8), "AM")], "O"
    )  # Monday of the 10th school week back
    MarkFactory.at(too_early, [(dt.date(2025, 9, 5), "AM")], "O")  # Friday of the 11th
    assert fpn("2025-11-19") == [
        {
            "upn": "A000000000001",
            "unauthorised_sessions": 10,
            "window_start": "2025-09-08",
            "window_end": "2025-11-19",
        }
    ]


def test_the_window_spans_the_summer_into_the_previous_academic_year(school):
    make_half_term(school, "Summer 1", dt.date(2025, 4, 22), dt.date(2025, 5, 23))
    make_half_term(school, "Summer 2", dt.date(2025, 6, 2), dt.date(2025, 7, 18))
    # As of Friday 19 September 2025: 15 Sep, 8 Sep, 1 Sep (3–5 Sep), then the seven weeks
    # of Summer 2 from 14 July back to Monday 2 June. The week of 26 May had no school.
    holiday, earlier = pupil(school, "A000000000001"), pupil(school, "A000000000002")
    unauthorised_sessions(holiday, dt.date(2025, 6, 2), 5, code="G")
    unauthorised_sessions(holiday, dt.date(2025, 9, 15), 5)
    MarkFactory.at(
        earlier, [(dt.date(2025, 5, 23), "AM"), (dt.date(2025, 5, 23), "PM")], "G"
    )  # Summer 1: outside the window
    unauthorised_sessions(earlier, dt.date(2025, 7, 14), 4, code="G")
    unauthorised_sessions(earlier, dt.date(2025, 9, 15), 5)
    assert fpn("2025-09-19") == [
        {
            "upn": "A000000000001",
            "unauthorised_sessions": 10,
            "window_start": "2025-06-02",
            "window_end": "2025-09-19",
        }
    ]
    window = figures.fpn_window(school=school, as_of=dt.date(2025, 9, 19))
    assert window == figures.FpnWindow(dt.date(2025, 6, 2), dt.date(2025, 9, 19))


def test_sessions_after_the_date_are_not_counted_but_the_date_itself_is(school):
    today, tomorrow = pupil(school, "A000000000001"), pupil(school, "A000000000002")
    for who in (today, tomorrow):
        unauthorised_sessions(who, dt.date(2025, 10, 6), 9)
    MarkFactory.at(
        today, [(dt.date(2025, 10, 15), "PM")], "U"
    )  # Wednesday afternoon, the as-of date
    MarkFactory.at(tomorrow, [(dt.date(2025, 10, 16), "AM")], "U")  # Thursday: after the date
    assert [(r["upn"], r["window_end"]) for r in fpn("2025-10-15")] == [
        ("A000000000001", "2025-10-15")
    ]


def test_only_g_n_o_and_u_count_towards_the_threshold(school):
    mixed, other_codes, many = (
        pupil(school, "A000000000001"),
        pupil(school, "A000000000002"),
        pupil(school, "A000000000003"),
    )
    MarkFactory.run(
        mixed, ["G"] * 3 + ["N"] * 3 + ["O"] * 2 + ["U"] * 2, start=dt.date(2025, 9, 8), end=END
    )
    # Authorised absence, lateness before the register closed and not-possible sessions
    # are not unauthorised absence.
    others = ["I", "M", "C", "E", "T", "C2", "L", "D", "X", "Y7", "B", "#"]
    MarkFactory.run(other_codes, ["N"] * 9 + others, start=dt.date(2025, 9, 8), end=END)
    MarkFactory.run(many, ["O"] * 12, start=dt.date(2025, 9, 8), end=END)
    assert [(r["upn"], r["unauthorised_sessions"]) for r in fpn("2025-10-24")] == [
        ("A000000000001", 10),
        ("A000000000003", 12),
    ]


def test_unauthorised_sessions_before_admission_are_not_counted(school):
    joiner = pupil(school, "A000000000001", admission_date=dt.date(2025, 9, 9))
    unauthorised_sessions(joiner, dt.date(2025, 9, 8), 10)  # Monday's two are before it
    assert fpn("2025-09-19") == []


def test_during_a_holiday_the_window_ends_on_the_last_school_day(autumn_terms):
    window = figures.fpn_window(school=autumn_terms, as_of=dt.date(2025, 10, 29))
    assert window == figures.FpnWindow(dt.date(2025, 9, 3), dt.date(2025, 10, 24))


def test_fpn_candidates_before_any_school_day_is_an_empty_list(school):
    assert run("fpn_candidates", "--school", URN, "--date", "2025-08-20") == "[]\n"


def test_fpn_candidates_csv_is_sorted_by_upn_with_iso_dates(school):
    for upn in ("C000000000003", "A000000000009", "B000000000001"):
        unauthorised_sessions(pupil(school, upn), dt.date(2025, 9, 8), 10)
    text = run("fpn_candidates", "--school", URN, "--date", "2025-09-30", "--format", "csv")
    assert text.splitlines() == [
        ",".join(FPN_KEYS),
        "A000000000009,10,2025-09-03,2025-09-30",
        "B000000000001,10,2025-09-03,2025-09-30",
        "C000000000003,10,2025-09-03,2025-09-30",
    ]
    assert all(list(r) == FPN_KEYS for r in fpn("2025-09-30"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", URN], "the following arguments are required: --date"),
        (["--school", URN, "--date", "2025-02-30"], "--date '2025-02-30' is not a date"),
        (["--school", "999999", "--date", "2025-09-30"], "no school with URN '999999'"),
        (["--school", URN, "--date", "2025-09-30", "--format", "xlsx"], "invalid choice"),
    ],
)
def test_fpn_candidates_refuses_bad_options_with_a_clear_message(school, args, message):
    with pytest.raises(CommandError, match=message):
        run("fpn_candidates", *args)
