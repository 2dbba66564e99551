"""A report table: the numbers behind each chart, shown as an accessible <table>, exported
as CSV/XLSX and printed in the PDFs. One structure for all four so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .disclosure import Withheld

Cell = str | int | Decimal | None


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    PCT = "pct"  # a rate in per cent
    GAP = "gap"  # a difference in percentage points, signed


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class DisplayCell:
    text: str
    css: str  # "num" right-aligns; "suppressed" marks a withheld figure (c or x)


@dataclass(frozen=True)
class DisplayRow:
    label: str
    link: str | None
    cells: list[DisplayCell]


@dataclass(frozen=True)
class ChartSpec:
    """How to draw the table: which column gives the labels and which give the series."""

    type: str  # "bar" or "line"
    series: list[int]  # column indexes plotted
    horizontal: bool = False
    unit: str = "%"
    reference: tuple[str, Decimal] | None = None  # a line such as the school's target
    labels: list[str] | None = None  # short axis labels when the table's are long


@dataclass
class Table:
    name: str  # the ?table= value of its export
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    links: list[str | None] = field(default_factory=list)  # drill-down per row (staff only)
    note: str = ""
    chart: ChartSpec | None = None
    questions: list[str] = field(default_factory=list)  # governors' questions beside it

    @property
    def headers(self) -> list[str]:
        return [c.title for c in self.columns]

    def _formatted(self) -> Iterator[tuple[str, str | None, list[tuple[str, str]]]]:
        """Each row as (label, link, [(text, css)…]): the one formatting of a table's
        cells, which the page's markup and the PDFs' rows both print. Plain tuples: a
        frozen dataclass per cell was a measurable part of a large dashboard (~6,700)."""
        links = self.links or [None] * len(self.rows)
        label_kind = self.columns[0].kind
        # A column's class depends on its kind only, except for a suppressed cell.
        columns = [(c.kind, "num" if c.kind is not Kind.TEXT else "") for c in self.columns[1:]]
        for row, link in zip(self.rows, links, strict=True):
            cells = [
                (
                    fmt(cell, kind),
                    f"{css} suppressed".strip() if isinstance(cell, Withheld) else css,
                )
                for cell, (kind, css) in zip(row[1:], columns, strict=True)
            ]
            yield fmt(row[0], label_kind), link, cells

    @property
    def display_rows(self) -> list[DisplayRow]:
        """Formatted rows for templates and PDFs: the row's label and link, then its cells
        with their CSS classes worked out here, so the template is a plain loop."""
        return [
            DisplayRow(label, link, [DisplayCell(text, css) for text, css in cells])
            for label, link, cells in self._formatted()
        ]

    @property
    def body_html(self) -> SafeString:
        """The <tbody> rows of reporting/_table.html and trust.html, the markup their loops
        made. Built here because that loop was most of a large dashboard's rendering: a
        1,000-pupil school with 402 cases has ~6,700 cells, and Django's template engine
        resolving and escaping each one took ~80 ms (docs/scaling.md)."""
        parts = []
        for label, link, cells in self._formatted():
            label = escape(label)
            if link:
                label = f'<a href="{escape(link)}">{label}</a>'
            tds = "".join(f'<td class="{css}">{escape(text)}</td>' for text, css in cells)
            parts.append(f'<tr><th scope="row">{label}</th>{tds}</tr>')
        # Every value above went through escape() (the standard library's, as Django's
        # escape filter is: the same output without a lazy wrapper per cell); the tags
        # and the classes ("num", "suppressed") are constants.
        return mark_safe("\n".join(parts))  # noqa: S308

    @property
    def print_bars(self) -> list[Bar]:
        return bars(self)

    def chart_data(self) -> dict | None:
        """Chart.js-ready data for static/js/reporting-charts.js (via json_script)."""
        if self.chart is None or not self.rows:
            return None
        spec = self.chart
        datasets = [
            {
                "label": self.columns[i].title,
                "data": [
                    None if (value := number(row[i])) is None else float(value) for row in self.rows
                ],
            }
            for i in spec.series
        ]
        data = {
            "type": spec.type,
            "title": self.title,
            "labels": spec.labels or [str(row[0]) for row in self.rows],
            "datasets": datasets,
            "horizontal": spec.horizontal,
            "unit": spec.unit,
        }
        if spec.reference:
            data["reference"] = {"label": spec.reference[0], "value": float(spec.reference[1])}
        return data


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    width: float  # per cent of the bar track


def bars(table: Table) -> list[Bar]:
    """The first charted series as CSS bars, for the PDFs (WeasyPrint runs no JavaScript).

    Same scale rule as the browser charts: rates all above 50% start near the data.
    """
    if table.chart is None:
        return []
    index = table.chart.series[0]
    kind = table.columns[index].kind
    values = [value for row in table.rows if (value := number(row[index])) is not None]
    if not values:
        return []
    top = max(values)
    low = Decimal(0)
    if kind is Kind.PCT and min(values) >= 50:
        low, top = Decimal(max(0, int(min(values) - 2) // 10 * 10)), Decimal(100)
    span = (top - low) or 1
    return [
        Bar(
            str(row[0]),
            fmt(row[index], kind),
            0 if (value := number(row[index])) is None else float((value - low) / span * 100),
        )
        for row in table.rows
    ]


def number(cell: Cell) -> int | Decimal | None:
    """The cell's value if it is a number (charted), else None (a label, a symbol, empty)."""
    return cell if isinstance(cell, int | Decimal) else None


def fmt(cell: Cell, kind: Kind) -> str:
    if cell is None:
        return "–"
    if isinstance(cell, str):
        return cell
    if kind is Kind.PCT:
        return f"{cell}%"
    if kind is Kind.GAP:
        # A real minus sign reads better and cannot be taken for a hyphen by a screen reader.
        return f"+{cell}" if cell > 0 else (f"−{-cell}" if cell < 0 else "0.0")
    if kind is Kind.COUNT and isinstance(cell, int):
        return f"{cell:,}"
    return str(cell)


def find(tables: list[Table], name: str) -> Table | None:
    return next((t for t in tables if t.name == name), None)
