"""National comparators for England, as data (docs/domain.md §6 and §10).

The figures live in a JSON file, not in code: `reporting/data/national_benchmarks.json`, or
the file the NATIONAL_BENCHMARKS_FILE setting names (a newer copy, without a release). Each
source names its publication, URL, period and status (an accredited statistic, or official
statistics in development), and every figure shown carries its source's label, because
the census (accredited, full year) and the daily data (in development, year to date)
measure slightly different things and must never be shown as one "national" number.
The file is read and checked once per process; a malformed file stops the start-up with a
message naming what is wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.conf import settings

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "national_benchmarks.json"

# Measures as absence (or PA/SA) rates; attendance is 100 − overall absence (§2).
ATTENDANCE = "attendance"
AUTHORISED = "authorised"
UNAUTHORISED = "unauthorised"
ABSENCE = "absence"
PERSISTENT = "persistent"
SEVERE = "severe"
MEASURES = (ABSENCE, AUTHORISED, UNAUTHORISED, PERSISTENT, SEVERE)
PHASES = ("primary", "secondary", "special")
STATUS_LABELS = {
    "accredited": "accredited official statistics",
    "official": "official statistics",
    "in_development": "official statistics in development",
}


class BenchmarkFileError(ValueError):
    """The national figures file cannot be used, with the reason."""


@dataclass(frozen=True)
class Source:
    key: str
    label: str  # the short label shown beside a figure, e.g. "2023/24 census"
    publication: str
    url: str
    period: str
    status: str  # a STATUS_LABELS key

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def citation(self) -> str:
        return f"{self.label}: {self.publication} ({self.period}; {self.status_label}), {self.url}"


@dataclass(frozen=True)
class Benchmark:
    source: str  # the year label shown beside the figure
    scope: str  # "England" or a phase ("primary") or a group ("FSM eligible")
    values: dict[str, Decimal]
    origin: Source | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.source} ({self.scope})"


@dataclass(frozen=True)
class Benchmarks:
    sources: dict[str, Source]
    england: list[Benchmark]  # the headline sources' England figures, most definitive first
    phases: dict[str, list[Benchmark]]  # a phase's figures, by source (one or more)
    groups: dict[tuple[str, str], Benchmark]


def _with_attendance(values: dict[str, Decimal]) -> dict[str, Decimal]:
    if ABSENCE in values:
        values = {ATTENDANCE: 100 - values[ABSENCE], **values}
    return values


def parse(data: dict) -> Benchmarks:
    """The figures file's content, checked: every figure's source, scope and values."""
    try:
        sources = {
            key: Source(key, s["label"], s["publication"], s["url"], s["period"], s["status"])
            for key, s in data["sources"].items()
        }
    except (KeyError, TypeError) as exc:
        raise BenchmarkFileError(
            f"every source needs label, publication, url, period and status ({exc})"
        ) from exc
    for s in sources.values():
        if s.status not in STATUS_LABELS:
            raise BenchmarkFileError(
                f"source {s.key}: status must be one of {', '.join(STATUS_LABELS)}"
            )
        if not s.url.startswith("https://"):
            raise BenchmarkFileError(f"source {s.key}: url must be an https:// address")
    england: dict[str, Benchmark] = {}
    phases: dict[str, list[Benchmark]] = {}
    groups: dict[tuple[str, str], Benchmark] = {}
    for n, row in enumerate(data.get("figures", []), start=1):
        origin = sources.get(row.get("source"))
        if origin is None:
            raise BenchmarkFileError(f"figure {n}: unknown source {row.get('source')!r}")
        try:
            values = {k: Decimal(v) for k, v in row["values"].items()}
        except (KeyError, InvalidOperation, TypeError) as exc:
            raise BenchmarkFileError(f'figure {n}: values must be rates like "7.1"') from exc
        unknown = set(values) - set(MEASURES)
        if unknown or any(not 0 <= v <= 100 for v in values.values()):
            raise BenchmarkFileError(
                f"figure {n}: measures are {', '.join(MEASURES)}, from 0 to 100"
            )
        bench = Benchmark(origin.label, row["scope"], _with_attendance(values), origin)
        if row.get("group"):
            groups[tuple(row["group"])] = bench
        elif row["scope"] == "England":
            england[origin.key] = bench
        elif row["scope"] in PHASES:
            phases.setdefault(row["scope"], []).append(bench)
        else:
            raise BenchmarkFileError(f"figure {n}: scope is England, a phase or a group")
    headline = [england[k] for k in data.get("headline", []) if k in england]
    return Benchmarks(sources, headline, phases, groups)


@cache
def load(path: str | None = None) -> Benchmarks:
    chosen = Path(path or getattr(settings, "NATIONAL_BENCHMARKS_FILE", "") or DEFAULT_FILE)
    try:
        data = json.loads(chosen.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchmarkFileError(f"{chosen}: {exc}") from exc
    try:
        return parse(data)
    except BenchmarkFileError as exc:
        raise BenchmarkFileError(f"{chosen}: {exc}") from exc


def england() -> Benchmark:
    """The most definitive England figure (the full-year census)."""
    return load().england[0]


def phase_figures(phase: str) -> Benchmark | None:
    """The phase's national rate for every measure that has one, merged from its sources
    (a measure keeps the first source that gives it); None for an unknown phase."""
    found = load().phases.get(phase)
    if not found:
        return None
    values: dict[str, Decimal] = {}
    origins = []
    for bench in found:
        new = {k: v for k, v in bench.values.items() if k not in values}
        if new:
            values |= new
            origins.append(bench)
    label = " / ".join(dict.fromkeys(b.source for b in origins))
    return Benchmark(label, phase, values, origins[0].origin)


def phase_sources(phase: str) -> dict[str, Source]:
    """Which source each of the phase's measures comes from."""
    out: dict[str, Source] = {}
    for bench in load().phases.get(phase, []):
        for key in bench.values:
            if bench.origin is not None:
                out.setdefault(key, bench.origin)
    return out


def headline_benchmarks(phase: str) -> list[Benchmark]:
    """The comparators for a school's headline table, most definitive first."""
    found = list(load().england[:1])
    own = phase_figures(phase)
    if own is not None:
        found.append(own)
    found += load().england[1:]
    return found


def __getattr__(name: str):
    """The names the rest of reporting used when these were constants."""
    if name == "ENGLAND_2023_24":
        return england()
    if name == "CENSUS_2023_24":
        return england().source
    if name == "GROUP_BENCHMARKS":
        return load().groups
    raise AttributeError(name)
