"""The command-line face shared by every app's commands (docs/interfaces.md "Figures").

It sits with the page helpers (permissions, navigation): above registers' models (it finds
a school by URN), below every app's commands, which is why it is here and not in one app.

Reading the common options (`--school URN`, ISO dates, `--format`) and writing a list of
records as JSON or CSV to stdout, with nothing else on stdout so scripts can parse it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TextIO

from django.core.management.base import CommandError, CommandParser

from attendance_portal import dates
from attendance_portal.spreadsheets import neutralise
from registers.models import School

FORMATS = ("json", "csv")
Record = Mapping[str, Any]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_school_argument(parser: CommandParser) -> None:
    parser.add_argument("--school", required=True, metavar="URN", help="the school's URN")


def add_format_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--format", choices=FORMATS, default="json", help="output format (default: json)"
    )


def find_school(urn: str) -> School:
    school = School.objects.filter(urn=str(urn).strip()).first()
    if school is None:
        raise CommandError(f"no school with URN {urn!r}")
    return school


def parse_date(value: str | dt.date | None, *, option: str) -> dt.date | None:
    """A strict YYYY-MM-DD date (Python's fromisoformat would also accept 20250901), within
    attendance_portal.dates' bounds (the figures step back a school year from it)."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None
    if not dates.in_range(day):
        raise CommandError(
            f"{option} {value!r} is outside {dates.EARLIEST:%Y-%m-%d} to {dates.LATEST:%Y-%m-%d}"
        )
    return day


def write_records(
    stream: TextIO, records: Sequence[Record], *, columns: Sequence[str], fmt: str
) -> None:
    if fmt not in FORMATS:  # call_command(format=...) skips argparse's choices check
        raise CommandError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    stream.write(render_json(records) if fmt == "json" else render_csv(records, columns))


def render_json(records: Sequence[Record]) -> str:
    """A JSON array: percentages as numbers, dates as ISO strings, null for None."""
    return json.dumps([dict(r) for r in records], indent=2, default=_json_value) + "\n"


def render_csv(records: Sequence[Record], columns: Sequence[str]) -> str:
    """A header row, then one row per record: Y/N booleans, empty cells for None."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([csv_cell(record[c]) for c in columns])
    return buffer.getvalue()


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "Y" if value else "N"
    if isinstance(value, Decimal | int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    # Only text is escaped: a number such as -1 is data, not a formula.
    return neutralise(str(value))


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        # float() of a one-decimal Decimal prints back as the same digits (95.5, 100.0).
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
