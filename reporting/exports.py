"""CSV and XLSX renderers: a Table in, (filename, content_type, bytes) out (pretix style).

Text a spreadsheet would run as a formula (= + - @, a tab or a carriage return at the
start of a cell, or after a separator Excel may split on, as in "x;=1+1") gets an
apostrophe: a form or reason typed as "=HYPERLINK(...)" must never execute on the head's
laptop (CSV/formula injection; attendance_portal.spreadsheets). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font

from attendance_portal.spreadsheets import neutralise

from .tables import Cell, Table

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(cell: Cell) -> Cell:
    return neutralise(cell) if isinstance(cell, str) else cell


def _csv_value(cell: Cell) -> str:
    if cell is None:
        return ""
    return str(safe_cell(cell))


def filename(*parts: str, ext: str) -> str:
    return "-".join(slugify(p) for p in parts if p) + f".{ext}"


def render_csv(table: Table, *, stem: list[str]) -> tuple[str, str, bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_value(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_value(cell) for cell in row])
    # The byte-order mark makes Excel read the file as UTF-8 (names, en dashes, minus signs).
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return filename(*stem, table.name, ext="csv"), CSV_TYPE, data


def render_xlsx(tables: list[Table], *, stem: list[str]) -> tuple[str, str, bytes]:
    """One sheet per table (a single table gives a one-sheet workbook)."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=_sheet_title(table.title))
        sheet.append([safe_cell(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(cell) for cell in row])
        for index, header in enumerate(table.headers, start=1):
            width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in table.rows])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)
    buffer = io.BytesIO()
    book.save(buffer)
    name = table.name if len(tables) == 1 else "tables"
    return filename(*stem, name, ext="xlsx"), XLSX_TYPE, buffer.getvalue()


def _xlsx_value(cell: Cell) -> str | int | float | None:
    if isinstance(cell, Decimal):
        return float(cell)
    return safe_cell(cell)


def _sheet_title(title: str) -> str:
    # Excel refuses []:*?/\ in sheet names and more than 31 characters.
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned[:31] or "Sheet"
