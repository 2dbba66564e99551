from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.exports import render_csv, render_xlsx, safe_cell
from reporting.tables import Column, Kind, Table


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("4A", "4A"),
        (Decimal("-2.5"), Decimal("-2.5")),  # a negative gap is a number, not a formula
        (None, None),
    ],
)
def test_safe_cell(cell, expected):
    assert safe_cell(cell) == expected


@pytest.fixture
def evil_table():
    return Table(
        "form",
        "By form",
        [Column("Form"), Column("Attendance", Kind.PCT), Column("Gap", Kind.GAP)],
        [["=cmd|' /C calc'!A0", Decimal("95.5"), Decimal("-1.5")], ["4A", None, Decimal("2.0")]],
    )


def test_csv_escapes_formulas_and_keeps_numbers(evil_table):
    name, content_type, data = render_csv(evil_table, stem=["123456", "Autumn 1 2025/26"])
    assert name == "123456-autumn-1-202526-form.csv"
    assert content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["Form", "Attendance", "Gap"],
        ["'=cmd|' /C calc'!A0", "95.5", "-1.5"],
        ["4A", "", "2.0"],
    ]


def test_xlsx_opens_with_openpyxl_and_holds_no_formula(evil_table):
    _, content_type, data = render_xlsx([evil_table], stem=["123456"])
    assert content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 95.5 and sheet["C2"].value == -1.5


def test_every_dashboard_table_downloads_as_csv_and_xlsx(client, school, ten_pupils, head):
    client.force_login(head.user)
    url = reverse("reporting:dashboard", args=[school.urn])
    names = [t.name for t in client.get(url).context["report"].tables]
    assert {
        "headline",
        "pupil_premium",
        "sen",
        "trend",
        "reasons",
        "weekdays",
        "lateness",
        "bands",
    } <= set(names)
    for name in names:
        response = client.get(url, {"format": "csv", "table": name})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment; filename=")
        assert len(response.content.decode("utf-8-sig").splitlines()) >= 1
        book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx", "table": name}).content))
        assert book.active.max_row >= 1
    everything = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    assert len(everything.sheetnames) == len(names)


def test_a_form_named_like_a_formula_is_escaped_in_the_export(client, school, head):
    from tests.registers.factories import FormFactory, MarkFactory, PupilFactory
    from tests.reporting.conftest import PRESENT, WEEK

    for name in ("=1+2", "4B"):
        form = FormFactory(school=school, name=name)
        for _ in range(5):
            MarkFactory.run(PupilFactory(school=school, form=form), PRESENT, start=WEEK)
    client.force_login(head.user)
    response = client.get(
        reverse("reporting:dashboard", args=[school.urn]), {"format": "csv", "table": "form"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["4B", "'=1+2"]


def test_unknown_exports_are_404(client, school, ten_pupils, head):
    client.force_login(head.user)
    url = reverse("reporting:dashboard", args=[school.urn])
    assert client.get(url, {"format": "csv", "table": "nope"}).status_code == 404
    assert client.get(url, {"format": "docx", "table": "trend"}).status_code == 404


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_dashboard_pdf(client, school, ten_pupils, head):
    client.force_login(head.user)
    response = client.get(reverse("reporting:dashboard", args=[school.urn]), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Oakfield Primary" in text and "Attendance dashboard" in text
    assert "2023/24 census" in text


def test_the_governors_pdf_has_no_pupil_names(client, school, ten_pupils, governor):
    client.force_login(governor.user)
    response = client.get(reverse("reporting:governors_pdf", args=[school.urn]))
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Oakfield Primary" in text and "Questions governors might ask" in text
    assert "fewer than 5" in text
    for pupil in ten_pupils:
        assert pupil.surname not in text and pupil.upn not in text
