"""National comparators for England, as data (shared/DOMAIN.md §6).

Every figure carries the label of its source year, because the 2023/24 census (accredited,
full year) and the 2024/25 daily data (official statistics in development) measure
slightly different things and must never be shown as one "national" number.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

CENSUS_2023_24 = "2023/24 census"
DAILY_2024_25 = "2024/25 daily data"
AUTUMN_2024_25 = "2024/25 daily data, autumn"

# Measures as absence (or PA/SA) rates; attendance is 100 − overall absence (§2).
ATTENDANCE = "attendance"
AUTHORISED = "authorised"
UNAUTHORISED = "unauthorised"
ABSENCE = "absence"
PERSISTENT = "persistent"
SEVERE = "severe"


@dataclass(frozen=True)
class Benchmark:
    source: str  # the year label shown beside the figure
    scope: str  # "England" or a phase ("primary") or a group ("FSM eligible")
    values: dict[str, Decimal]

    @property
    def label(self) -> str:
        return f"{self.source} ({self.scope})"


def _d(value: str) -> Decimal:
    return Decimal(value)


def _with_attendance(values: dict[str, Decimal]) -> dict[str, Decimal]:
    if ABSENCE in values:
        values = {ATTENDANCE: 100 - values[ABSENCE], **values}
    return values


ENGLAND_2023_24 = Benchmark(
    CENSUS_2023_24,
    "England",
    _with_attendance(
        {
            ABSENCE: _d("7.1"),
            AUTHORISED: _d("4.7"),
            UNAUTHORISED: _d("2.5"),
            PERSISTENT: _d("20.0"),
            SEVERE: _d("2.3"),
        }
    ),
)
ENGLAND_2024_25 = Benchmark(
    DAILY_2024_25, "England", _with_attendance({ABSENCE: _d("6.9"), PERSISTENT: _d("18.7")})
)
PHASE_2023_24 = {
    "primary": Benchmark(CENSUS_2023_24, "primary", _with_attendance({ABSENCE: _d("5.5")})),
    "secondary": Benchmark(CENSUS_2023_24, "secondary", _with_attendance({ABSENCE: _d("8.9")})),
    "special": Benchmark(CENSUS_2023_24, "special", _with_attendance({ABSENCE: _d("13.0")})),
}


def headline_benchmarks(phase: str) -> list[Benchmark]:
    """The comparators for a school's headline table, most definitive first."""
    found = [ENGLAND_2023_24]
    if phase in PHASE_2023_24:
        found.append(PHASE_2023_24[phase])
    found.append(ENGLAND_2024_25)
    return found


# Group comparators, keyed by (dimension, group key) as breakdowns name them. Only the
# groups DfE publishes are here; the rest show no national figure rather than a guess.
GROUP_BENCHMARKS: dict[tuple[str, str], Benchmark] = {
    ("fsm", "yes"): Benchmark(
        DAILY_2024_25,
        "FSM eligible",
        _with_attendance({ABSENCE: _d("10.6"), PERSISTENT: _d("33.0")}),
    ),
    ("fsm", "no"): Benchmark(
        DAILY_2024_25,
        "not FSM eligible",
        _with_attendance({ABSENCE: _d("5.4"), PERSISTENT: _d("13.4")}),
    ),
    ("sen", "E"): Benchmark(
        AUTUMN_2024_25, "EHC plan", _with_attendance({ABSENCE: _d("13.1"), PERSISTENT: _d("35.1")})
    ),
    ("sen", "K"): Benchmark(
        AUTUMN_2024_25,
        "SEN support",
        _with_attendance({ABSENCE: _d("10.1"), PERSISTENT: _d("29.0")}),
    ),
    ("sen", "N"): Benchmark(
        AUTUMN_2024_25, "no SEN", _with_attendance({ABSENCE: _d("5.8"), PERSISTENT: _d("17.0")})
    ),
}
