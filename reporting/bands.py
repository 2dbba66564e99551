"""Bands with pandas: each pupil's band (the rule of registers.rates, vectorised), pupils
per band, and band movement since the last half-term, from the pupil frame."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from registers import rates
from registers.bands import BAND_LABELS, Band
from registers.rates import SessionCounts

from . import disclosure
from .disclosure import Withheld

MOVEMENT_LABELS = {
    "better": "Moved to a better band",
    "same": "Stayed in the same band",
    "worse": "Moved to a worse band",
    "new": "No figure to compare (new, or no sessions then)",
}


def band_series(df: pd.DataFrame, *, target_pct: Decimal, formal_pct: Decimal) -> pd.Series:
    """registers.rates.band for every row at once (a Python call per pupil costs more than
    the rest of the breakdowns), with the same exact integer arithmetic: the national lines
    first, then the school's target and formal-meeting line. Tested against rates.band."""
    target, formal = Fraction(target_pct), Fraction(formal_pct)
    attended, possible = df["attended"], df["possible"]
    absent = possible - attended

    def at_least(line: Fraction) -> pd.Series:
        # attended / possible × 100 >= p / q  ⇔  attended × 100 × q >= p × possible
        return attended * 100 * line.denominator >= line.numerator * possible

    choices = [
        (possible <= 0, None),
        (absent * 2 >= possible, Band.SEVERE.value),
        (absent * 10 >= possible, Band.PERSISTENT.value),
        (at_least(target), Band.EXPECTED.value),
        (at_least(formal), Band.MONITOR.value),
    ]
    result = pd.Series(Band.CONCERN.value, index=df.index, dtype=object)
    for mask, value in reversed(choices):
        result[mask] = value
    return result


def bands_for(
    counts: dict[int, SessionCounts], *, target_pct: Decimal, formal_pct: Decimal
) -> dict[int, str]:
    """Each pupil's band from their session counts (pupils without sessions left out)."""
    df = pd.DataFrame.from_records(
        [(pid, c.attended, c.possible) for pid, c in counts.items()],
        columns=["id", "attended", "possible"],
    )
    bands = band_series(df, target_pct=target_pct, formal_pct=formal_pct)
    return {int(pid): band for pid, band in zip(df["id"], bands, strict=True) if band}


def movement_of(df: pd.DataFrame) -> pd.Series:
    """better / same / worse / new per pupil, from their band before and after."""
    rank = {band.value: i for i, band in enumerate(Band)}
    now = df["band_after"].map(rank)
    before = df["band_before"].map(rank)
    result = pd.Series("same", index=df.index, dtype=object)
    result[now < before] = "better"
    result[now > before] = "worse"
    result[before.isna() | now.isna()] = "new"
    return result


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    pupils: int | Withheld
    share: Decimal | Withheld | None  # % of the pupils counted

    @property
    def suppressed(self) -> bool:
        return isinstance(self.pupils, Withheld)


def _rows(counts: dict[str, int], labels: dict[str, str], total: int, marks: dict[str, str]):
    return [
        CountRow(key, labels[key], disclosure.as_cell(marks[key]), disclosure.as_cell(marks[key]))
        if key in marks
        else CountRow(key, labels[key], n, rates.percent(n, total))
        for key, n in counts.items()
    ]


def band_values(df: pd.DataFrame) -> dict[str, int]:
    """Pupils per band, every band (0 for an empty one)."""
    counts = df["band"].value_counts()
    return {band.value: int(counts.get(band.value, 0)) for band in Band}


def band_counts(df: pd.DataFrame, *, marks: dict[str, str] | None = None) -> list[CountRow]:
    """Pupils per band; `marks` (reporting.disclosure.Plan.bands) withholds cells."""
    labels = {b.value: BAND_LABELS[b] for b in Band}
    return _rows(band_values(df), labels, len(df), marks or {})


def movement_counts(df: pd.DataFrame, *, withhold: bool = False) -> list[CountRow]:
    counts = movement_of(df).value_counts() if len(df) else pd.Series(dtype=int)
    found = {key: int(counts.get(key, 0)) for key in MOVEMENT_LABELS}
    marks = disclosure.counts(found, len(df)) if withhold else {}
    return _rows(found, MOVEMENT_LABELS, len(df), marks)


@dataclass(frozen=True)
class MatrixRow:
    before: str
    label: str
    cells: list[int]  # pupils now in each band, in Band order


def movement_matrix(df: pd.DataFrame) -> list[MatrixRow]:
    """Previous band (rows) × band now (columns): staff only, never suppressed. Counted
    with a Counter over the pairs: pandas' crosstab cost more than the rest of the
    band movement section for 1,000 pupils."""
    known = df[df["band_before"].notna() & df["band_after"].notna()]
    pairs = Counter(zip(known["band_before"].tolist(), known["band_after"].tolist(), strict=True))
    return [
        MatrixRow(before.value, BAND_LABELS[before], [pairs[before, now] for now in Band])
        for before in Band
    ]
