"""Reading the portal's CSV files: decoding, header check, row numbering, error collection.

Every import is all or nothing, so nothing here raises on the first bad value: problems are
collected as RowErrors and the service raises ImportFailed with all of them at the end.
Row numbers follow docs/interfaces.md: 1 is the first data row after the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models

from attendance_portal.errors import DomainError


def max_length(model: type[models.Model], name: str) -> int:
    """The max_length of one of the model's text fields, to check a CSV value against."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    if length is None:
        raise TypeError(f"{model.__name__}.{name} has no max_length")
    return length


@dataclass(frozen=True)
class RowError:
    """One problem, located as precisely as possible (file, then data row)."""

    message: str
    file: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = [part for part in (self.file, f"row {self.row}" if self.row else None) if part]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportFailed(DomainError):
    """Nothing was written; `errors` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class Problems:
    """Collects RowErrors for one file and raises them together."""

    file: str | None = None
    errors: list[RowError] = field(default_factory=list)

    def add(self, message: str, row: int | None = None) -> None:
        self.errors.append(RowError(message, self.file, row))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors)


@dataclass(frozen=True)
class CsvFile:
    """A file's name (for messages) and its raw bytes; a web upload builds one directly."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | Path) -> CsvFile:
        path = Path(path)
        try:
            return cls(path.name, path.read_bytes())
        except FileNotFoundError:
            raise ImportFailed([RowError("file not found", str(path))]) from None
        except OSError as exc:
            message = f"cannot read the file: {exc.strerror}"
            raise ImportFailed([RowError(message, str(path))]) from None


@dataclass
class CsvTable:
    """A checked header and a stream of (row number, stripped values) for non-blank rows."""

    file: CsvFile
    columns: dict[str, int]
    _reader: Iterator[list[str]]

    def rows(self, problems: Problems) -> Iterator[tuple[int, list[str]]]:
        width = len(self.columns)
        number = 0
        try:
            for number, cells in enumerate(self._reader, start=1):
                values = [c.strip() for c in cells]
                if not any(values):
                    continue  # blank lines (typically trailing ones) carry no data
                if len(values) != width:
                    problems.add(f"expected {width} values, found {len(values)}", number)
                    continue
                yield number, values
        except csv.Error as exc:
            # The reader cannot resynchronise after this, so it is the last problem reported.
            problems.add(f"unreadable CSV ({exc}); nothing after this row was checked", number + 1)


def _decode(file: CsvFile) -> str:
    try:
        # utf-8-sig drops the byte-order mark Excel writes when saving "CSV UTF-8".
        return file.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = file.data[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            [
                RowError(
                    f"not UTF-8 text (byte 0x{file.data[exc.start]:02X} on line {line}); "
                    "save the file as CSV UTF-8",
                    file.name,
                )
            ]
        ) from None


def open_table(file: CsvFile, *, required: Sequence[str], optional: Sequence[str] = ()) -> CsvTable:
    """Decode the file and check its header: every required column, nothing unknown."""
    text = _decode(file)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next((row for row in reader if any(c.strip() for c in row)), None)
    expected = ", ".join(required)
    if header is None:
        raise ImportFailed(
            [RowError(f"the file is empty; expected the header {expected}", file.name)]
        )
    names = [h.strip().lower() for h in header]
    problems = Problems(file.name)
    missing = [c for c in required if c not in names]
    unknown = [n or "(blank)" for n in names if n not in required and n not in optional]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if missing:
        problems.add(f"header is missing column(s) {', '.join(missing)}; expected {expected}")
    if unknown:
        problems.add(f"header has unknown column(s) {', '.join(unknown)}; expected {expected}")
    if repeated:
        problems.add(f"header repeats column(s) {', '.join(repeated)}")
    problems.raise_if_any()
    return CsvTable(file, {name: i for i, name in enumerate(names)}, reader)


class Row:
    """One data row with typed getters; a bad value is recorded and returns None."""

    def __init__(self, number: int, values: list[str], table: CsvTable, problems: Problems):
        self.number = number
        self._values = values
        self._columns = table.columns
        self._problems = problems
        self.ok = True

    def fail(self, message: str) -> None:
        self.ok = False
        self._problems.add(message, self.number)

    def text(self, column: str, *, max_length: int, required: bool = True) -> str:
        value = self.get(column)
        if required and not value:
            self.fail(f"{column} is empty")
        elif len(value) > max_length:
            self.fail(f"{column} is longer than {max_length} characters")
        return value

    def get(self, column: str) -> str:
        """The stripped value, or "" for an optional column the file does not have."""
        index = self._columns.get(column)
        return "" if index is None else self._values[index]

    def date(self, column: str, *, required: bool = True) -> dt.date | None:
        value = self.get(column)
        if not value:
            if required:
                self.fail(f"{column} is empty (use YYYY-MM-DD)")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(f"{column} {value!r} is not a date (use YYYY-MM-DD)")
        return parsed

    def choice(self, column: str, allowed: Sequence[str]) -> str | None:
        value = self.get(column)
        if value not in allowed:
            shown = ", ".join(a or "(blank)" for a in allowed)
            self.fail(f"{column} {value!r} is not one of {shown}")
            return None
        return value

    def flag(self, column: str) -> bool | None:
        value = self.choice(column, ("Y", "N"))
        return None if value is None else value == "Y"


def parse_date(value: str) -> dt.date | None:
    """A strict ISO YYYY-MM-DD date (Python 3.11 also accepts 20250901; we do not)."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
