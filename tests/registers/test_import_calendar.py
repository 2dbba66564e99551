from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from registers.models import AcademicYear, Closure, HalfTerm, SchoolDay
from tests.registers.factories import MarkFactory, SchoolFactory

TERMS = """name,start_date,end_date
Autumn 1,2025-09-03,2025-10-24
Autumn 2,2025-11-03,2025-12-19
Spring 1,2026-01-05,2026-02-13
"""
CLOSURES = """date,session,reason
2025-09-26,ALL,INSET day
2025-12-19,PM,Christmas
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def run(school, terms: str, closures: str | None = None) -> str:
    out = StringIO()
    args = ["import_calendar", "--school", school.urn, terms]
    if closures:
        args += ["--closures", closures]
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def blank_school(db):
    return SchoolFactory(urn="222222", trust=None)


def snapshot(school):
    return (
        list(
            HalfTerm.objects.for_school(school).values_list(
                "name", "start_date", "end_date", "updated_at"
            )
        ),
        list(
            Closure.objects.for_school(school).values_list(
                "date", "session", "reason", "updated_at"
            )
        ),
        list(
            SchoolDay.objects.for_school(school).values_list(
                "date", "am_open", "pm_open", "updated_at"
            )
        ),
    )


def test_it_creates_years_half_terms_closures_and_school_days(blank_school, tmp_path):
    output = run(
        blank_school, write(tmp_path, "terms.csv", TERMS), write(tmp_path, "c.csv", CLOSURES)
    )
    assert AcademicYear.objects.for_school(blank_school).get().start_year == 2025
    assert HalfTerm.objects.for_school(blank_school).count() == 3
    assert Closure.objects.for_school(blank_school).count() == 3  # ALL makes AM and PM rows
    days = SchoolDay.objects.for_school(blank_school)
    assert not days.filter(date=dt.date(2025, 9, 26)).exists()
    assert days.get(date=dt.date(2025, 12, 19)).pm_open is False
    assert not days.filter(date=dt.date(2025, 9, 6)).exists()  # a Saturday
    # Autumn 1 has 38 weekdays; one INSET day is closed.
    assert days.filter(date__lte=dt.date(2025, 10, 24)).count() == 37
    assert "3 created" in output


def test_a_second_run_changes_nothing(blank_school, tmp_path):
    terms, closures = write(tmp_path, "t.csv", TERMS), write(tmp_path, "c.csv", CLOSURES)
    run(blank_school, terms, closures)
    before = snapshot(blank_school)
    output = run(blank_school, terms, closures)
    assert snapshot(blank_school) == before
    assert "school days changed: 0" in output


def test_half_terms_are_updated_by_year_and_name(school, tmp_path):
    run(
        school,
        write(tmp_path, "t.csv", "name,start_date,end_date\nAutumn 1,2025-09-03,2025-10-17\n"),
    )
    term = HalfTerm.objects.for_school(school).get()
    assert term.end_date == dt.date(2025, 10, 17)
    assert not SchoolDay.objects.for_school(school).filter(date=dt.date(2025, 10, 20)).exists()


def test_closures_no_longer_listed_are_removed_within_the_files_half_terms(blank_school, tmp_path):
    terms = write(tmp_path, "t.csv", TERMS)
    run(blank_school, terms, write(tmp_path, "c.csv", CLOSURES))
    run(
        blank_school,
        terms,
        write(tmp_path, "c2.csv", "date,session,reason\n2025-12-19,PM,Christmas\n"),
    )
    assert list(Closure.objects.for_school(blank_school).values_list("date", "session")) == [
        (dt.date(2025, 12, 19), "PM")
    ]
    assert SchoolDay.objects.for_school(blank_school).filter(date=dt.date(2025, 9, 26)).exists()


def test_accepts_a_bom_whitespace_and_blank_trailing_lines(blank_school, tmp_path):
    text = "\ufeffname , start_date,end_date\r\n Autumn 1 , 2025-09-03 ,2025-10-24\r\n\r\n\r\n"
    run(blank_school, write(tmp_path, "t.csv", text.encode("utf-8")))
    assert HalfTerm.objects.for_school(blank_school).get().name == "Autumn 1"


def refused(school, terms: str, closures: str | None = None) -> str:
    before = snapshot(school)
    with pytest.raises(CommandError) as exc:
        run(school, terms, closures)
    assert snapshot(school) == before  # all or nothing
    return str(exc.value)


def test_every_bad_term_row_is_reported_with_its_row_number(blank_school, tmp_path):
    text = """name,start_date,end_date
Autumn 1,2025-09-03,2025-10-24
,2025-11-03,2025-12-19
Spring 1,2026-02-13,2026-01-05
Spring 2,05/01/2026,2026-03-27
Summer 1,2026-07-20,2026-08-10
Autumn 1,2025-09-04,2025-09-05
"""
    message = refused(blank_school, write(tmp_path, "terms.csv", text))
    assert "terms.csv, row 2: name is empty" in message
    assert "terms.csv, row 3: end_date 2026-01-05 is before start_date 2026-02-13" in message
    assert "terms.csv, row 4: start_date '05/01/2026' is not a date (use YYYY-MM-DD)" in message
    assert "terms.csv, row 5: a half-term cannot run across 31 July" in message
    assert (
        "terms.csv, row 6: half-term 'Autumn 1' of this academic year is also on row 1" in message
    )
    assert "row 1:" not in message


def test_overlapping_half_terms_in_one_file_are_refused(blank_school, tmp_path):
    text = "name,start_date,end_date\nA,2025-09-03,2025-10-24\nB,2025-10-20,2025-12-19\n"
    message = refused(blank_school, write(tmp_path, "t.csv", text))
    assert "t.csv, row 2: half-term overlaps A 2025-09-03–2025-10-24 (row 1)" in message


def test_a_half_term_overlapping_one_already_in_the_calendar_is_refused(school, tmp_path):
    text = "name,start_date,end_date\nFirst half,2025-10-01,2025-10-31\n"
    message = refused(school, write(tmp_path, "t.csv", text))
    assert (
        "row 1: half-term overlaps Autumn 1 2025-09-03–2025-10-24 (already in the calendar)"
        in message
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2025-09-27,ALL,Saturday", "2025-09-27 is a Saturday: only weekdays can be closed"),
        ("2025-10-29,AM,Half term", "2025-10-29 is not inside any half-term"),
        ("2025-09-26,EVE,Disco", "session 'EVE' is not one of AM, PM, ALL"),
        ("2025-9-26,AM,INSET", "date '2025-9-26' is not a date"),
        ("2025-09-26,AM," + "x" * 201, "reason is longer than 200 characters"),
    ],
)
def test_bad_closures_are_refused_clearly(school, tmp_path, row, message):
    terms = write(tmp_path, "t.csv", "name,start_date,end_date\nAutumn 1,2025-09-03,2025-10-24\n")
    closures = write(tmp_path, "closures.csv", f"date,session,reason\n{row}\n")
    assert f"closures.csv, row 1: {message}" in refused(school, terms, closures)


def test_a_closure_given_twice_is_refused(school, tmp_path):
    terms = write(tmp_path, "t.csv", "name,start_date,end_date\nAutumn 1,2025-09-03,2025-10-24\n")
    closures = write(tmp_path, "c.csv", "date,session,reason\n2025-09-26,ALL,x\n2025-09-26,PM,y\n")
    assert "c.csv, row 2: 2025-09-26 PM is already closed by row 1" in refused(
        school, terms, closures
    )


def test_a_calendar_that_would_strand_marks_is_refused(school, pupil, tmp_path):
    MarkFactory(pupil=pupil, date=dt.date(2025, 9, 26), session="AM", code_id="/")
    terms = write(tmp_path, "t.csv", "name,start_date,end_date\nAutumn 1,2025-09-03,2025-10-24\n")
    closures = write(tmp_path, "c.csv", "date,session,reason\n2025-09-26,ALL,INSET\n")
    message = refused(school, terms, closures)
    assert "marks are recorded on 1 session(s)" in message
    assert "2025-09-26 AM" in message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "t.csv: the file is empty; expected the header name, start_date, end_date"),
        (b"name,start\nA,2025-09-03\n", "missing column(s) start_date, end_date; expected"),
        (b"name,start_date,end_date,notes\n", "header has unknown column(s) notes"),
        (b"name,start_date,end_date\nAutumn \xe9,2025-09-03,2025-10-24\n", "not UTF-8 text"),
        (b"name,start_date,end_date\nA,2025-09-03\n", "row 1: expected 3 values, found 2"),
    ],
)
def test_unreadable_files_are_refused(blank_school, tmp_path, content, message):
    assert message in refused(blank_school, write(tmp_path, "t.csv", content))


def test_a_missing_file_is_refused(blank_school, tmp_path):
    assert "file not found" in refused(blank_school, str(tmp_path / "nope.csv"))


def test_a_header_only_file_imports_nothing(blank_school, tmp_path):
    output = run(blank_school, write(tmp_path, "t.csv", "name,start_date,end_date\n"))
    assert "0 created" in output
    assert not HalfTerm.objects.exists()
