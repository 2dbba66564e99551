"""No text a CSV or XLSX export writes can run as a formula in a spreadsheet, whatever
separator the spreadsheet splits the file on (issue 14, part 5)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance_portal import cli
from attendance_portal.spreadsheets import FORMULA_STARTS, neutralise
from reporting.exports import render_csv, render_xlsx, safe_cell
from reporting.tables import Column, Kind, Table

EVIL = [
    "x;=1+1",
    "x,=1+1",
    "x\t=1+1",
    "x|=1+1",
    "ill; -ve test",
    'x;"=HYPERLINK(""http://x"")"',
    "x; @SUM(A1)",
    "a\n+cmd",
    "a\r\n=cmd",
    "=1+1",
    " =1+1",
    '"=1+1"',
    "\t=1",
    "x;\t=1",
]
# The separators a spreadsheet may split a .csv on: the region's list separator (comma or
# semicolon) and the import wizard's tab and pipe.
SEPARATORS = [",", ";", "\t", "|"]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _formulas(data: str) -> list[str]:
    """Every cell that a spreadsheet would run, splitting `data` on each separator (a
    number such as -1.5 is a number, not a formula)."""
    found = []
    for sep in SEPARATORS:
        for row in csv.reader(io.StringIO(data), delimiter=sep):
            for cell in row:
                for line in cell.splitlines() or [""]:
                    text = line.lstrip(' "')
                    if text.startswith(FORMULA_STARTS) and not _is_number(text):
                        found.append(f"{sep!r}: {cell!r}")
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x;=1+1", "x;'=1+1"),
        ("x|=1+1", "x|'=1+1"),
        ("x,=1+1", "x,'=1+1"),
        ("x\t=1+1", "x\t'=1+1"),
        ("ill; -ve test", "ill; '-ve test"),
        ("=1+1", "'=1+1"),
        (" =1+1", " '=1+1"),
        ("4A", "4A"),
        ("Mrs Smith - mother", "Mrs Smith - mother"),
        ("a=b+c", "a=b+c"),
    ],
)
def test_neutralise_puts_an_apostrophe_before_every_formula_start(text, expected):
    assert neutralise(text) == expected


@pytest.mark.parametrize("text", EVIL)
def test_no_separator_turns_a_report_cell_into_a_formula(text):
    table = Table("form", "By form", [Column("Form"), Column("Gap", Kind.GAP)], [[text, None]])
    _, _, data = render_csv(table, stem=["123456"])
    assert _formulas(data.decode("utf-8-sig")) == []
    assert safe_cell(text) == neutralise(text)


@pytest.mark.parametrize("text", EVIL)
def test_no_separator_turns_a_command_cell_into_a_formula(text):
    data = cli.render_csv([{"upn": text, "n": 3}], ["upn", "n"])
    assert _formulas(data) == []


def test_xlsx_cells_are_neutralised_the_same_way():
    from openpyxl import load_workbook

    table = Table("form", "By form", [Column("Form")], [["x;=1+1"], ["=2"]])
    _, _, data = render_xlsx([table], stem=["123456"])
    sheet = load_workbook(io.BytesIO(data)).active
    assert [sheet["A2"].value, sheet["A3"].value] == ["x;'=1+1", "'=2"]
    assert {sheet["A2"].data_type, sheet["A3"].data_type} == {"s"}


def test_numbers_stay_numbers():
    table = Table("t", "T", [Column("Gap", Kind.GAP)], [[Decimal("-1.5")]])
    _, _, data = render_csv(table, stem=["x"])
    assert data.decode("utf-8-sig").splitlines()[1] == "-1.5"
    assert cli.csv_cell(-1) == "-1"


def test_a_form_named_to_split_into_a_formula_is_neutralised_in_the_download(client, school, head):
    from tests.registers.factories import FormFactory, MarkFactory, PupilFactory
    from tests.reporting.conftest import PRESENT, WEEK

    for name in ("x;=1+2", "4B"):
        form = FormFactory(school=school, name=name)
        for _ in range(5):
            MarkFactory.run(PupilFactory(school=school, form=form), PRESENT, start=WEEK)
    client.force_login(head.user)
    response = client.get(
        reverse("reporting:dashboard", args=[school.urn]), {"format": "csv", "table": "form"}
    )
    data = response.content.decode("utf-8-sig")
    assert "x;'=1+2" in data
    assert _formulas(data) == []
