"""Group breakdowns with pandas, over one frame of pupils × session counts.

The frame is built from one counts_by_pupil call and one Pupil .values() query (see
selectors); everything here is in memory and returns plain dataclasses, so templates and
exports never see a DataFrame. Rates are summed sessions over summed sessions (DfE method,
never an average of pupils' rates) through registers.rates, so a group's figure is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from operator import attrgetter

import numpy as np
import pandas as pd

from registers import flags, rates
from registers.models.pupils import YEAR_GROUPS
from registers.rates import SessionCounts

from . import disclosure
from .bands import band_series, movement_of
from .disclosure import Withheld
from .selectors import GROUP_FIELDS

COUNT_FIELDS = ("possible", "present", "aea", "authorised", "unauthorised", "late")
SUMS = ("possible", "attended", "authorised", "unauthorised", "late", "persistent", "severe")


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    column: str
    key_of: Callable[[object], str]
    label_of: Callable[[str], str]
    order: Callable[[str], object] = str
    heading: str = ""  # "By SEND" where lower-casing the title would be wrong

    @property
    def section_title(self) -> str:
        return self.heading or f"By {self.title.lower()}"


def _flag(flag: flags.YesNo) -> Dimension:
    return Dimension(
        flag.field,
        flag.title,
        flag.field,
        lambda v: "yes" if v else "no",
        lambda k: flag.yes if k == "yes" else flag.no,
        lambda k: 0 if k == "yes" else 1,
        heading=flag.heading,
    )


SEN_DIMENSION = Dimension(
    flags.SEN,
    "SEND",
    flags.SEN,
    str,
    lambda k: flags.SEN_LABELS.get(k, k),
    lambda k: "NKE".find(k),
    heading="By SEND",
)


def _year_label(key: str) -> str:
    return {"R": "Reception", "N1": "Nursery 1", "N2": "Nursery 2"}.get(key, f"Year {key}")


GENDER_LABELS = {"F": "Female", "M": "Male", "unrecorded": "Not recorded"}

_YES_NO = {f.field: f for f in flags.YES_NO}
DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension(
            "year_group",
            "Year group",
            "year_group",
            str,
            _year_label,
            lambda k: YEAR_GROUPS.index(k) if k in YEAR_GROUPS else 99,
        ),
        Dimension(
            "form",
            "Form",
            "form__name",
            lambda v: v or "none",
            lambda k: k if k != "none" else "No form",
        ),
        # The flags in registers.flags' order, SEND among them.
        *(SEN_DIMENSION if name == flags.SEN else _flag(_YES_NO[name]) for name in flags.FIELDS),
        Dimension(
            "gender",
            "Gender",
            "gender",
            lambda v: v or "unrecorded",
            lambda k: GENDER_LABELS.get(k, k),
            lambda k: "FMu".find(k[0]),
        ),
    )
}
# Governors see the contextual groups, not forms: a form is one teacher's class.
AGGREGATE_DIMENSIONS = [k for k in DIMENSIONS if k != "form"]


Figure = Decimal | Withheld | None  # Withheld: not shown to governors or trust leads


@dataclass(frozen=True)
class GroupFigures:
    dimension: str
    key: str
    label: str
    pupils: int | Withheld
    possible: int
    attendance: Figure
    authorised: Figure
    unauthorised: Figure
    absence: Figure
    persistent: Figure
    severe: Figure
    attendance_gap: Figure = None  # points above (+) or below (−) the rest of the school
    persistent_gap: Figure = None
    suppressed: bool = False  # the whole row is withheld
    # Pupils behind `persistent` and `severe` (what the disclosure rules count); never
    # printed, and None once withheld.
    persistent_pupils: int | None = 0
    severe_pupils: int | None = 0


@dataclass(frozen=True)
class Breakdown:
    dimension: Dimension
    rows: list[GroupFigures]
    notes: tuple[str, ...] = ()  # why cells are withheld, for the table's note


def pupil_frame(
    pupils: list[tuple],
    counts: dict[int, SessionCounts],
    *,
    target_pct: Decimal,
    formal_pct: Decimal,
    movement: tuple[dict[int, str], dict[int, str]] | None = None,
) -> pd.DataFrame:
    """One row per pupil with counted sessions in the period: their group fields, session
    counts, band, and (for band movement) their band before and after."""
    people = pd.DataFrame.from_records(pupils, columns=list(GROUP_FIELDS))
    fields = attrgetter(*COUNT_FIELDS)
    records = [(pid, *fields(c)) for pid, c in counts.items()]
    sessions = pd.DataFrame.from_records(records, columns=["id", *COUNT_FIELDS])
    # Pupils without a possible session in the period are not enrolments of it (DfE).
    df = people.merge(sessions, on="id", how="inner")
    df = df[df["possible"] > 0].copy()
    df["attended"] = df["present"] + df["aea"]
    df["absent"] = df["authorised"] + df["unauthorised"]
    # Exact integer comparisons: absence of 10% / 50% or more of possible sessions.
    df["persistent"] = df["absent"] * 10 >= df["possible"]
    df["severe"] = df["absent"] * 2 >= df["possible"]
    df["band"] = band_series(df, target_pct=target_pct, formal_pct=formal_pct)
    before, after = movement or ({}, {})
    df["band_before"] = df["id"].map(before)
    df["band_after"] = df["id"].map(after)
    return df


def _figures(sums: dict[str, int], pupils: int) -> dict:
    pct = rates.percent
    return {
        "pupils": pupils,
        "possible": sums["possible"],
        "attendance": pct(sums["attended"], sums["possible"]),
        "authorised": pct(sums["authorised"], sums["possible"]),
        "unauthorised": pct(sums["unauthorised"], sums["possible"]),
        "absence": pct(sums["authorised"] + sums["unauthorised"], sums["possible"]),
        "persistent": pct(sums["persistent"], pupils),
        "severe": pct(sums["severe"], pupils),
        "persistent_pupils": sums["persistent"],
        "severe_pupils": sums["severe"],
    }


def _sums(df: pd.DataFrame) -> dict[str, int]:
    return {name: int(df[name].sum()) for name in SUMS}


def _gap(num_a: int, den_a: int, num_b: int, den_b: int) -> Decimal | None:
    """a/den_a − b/den_b in percentage points, exactly, to one decimal place."""
    if den_a <= 0 or den_b <= 0:
        return None
    return rates.percent(num_a * den_b - num_b * den_a, den_a * den_b)


def whole_school(df: pd.DataFrame) -> GroupFigures:
    return GroupFigures("school", "all", "Whole school", **_figures(_sums(df), len(df)))


def _sum_matrix(df: pd.DataFrame) -> np.ndarray:
    """The SUMS columns as one integer array (the flags as 0/1), for _group_sums."""
    return df[list(SUMS)].to_numpy(dtype=np.int64)


def _group_sums(
    keys: pd.Series, matrix: np.ndarray
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Each group's SUMS and size, in exact integers. numpy, not groupby: a groupby per
    dimension was 40 ms of a 1,000-pupil dashboard, ten dimensions of ~4 ms each."""
    codes, uniques = pd.factorize(keys, sort=False)
    # A missing key is -1 here; groupby left such rows out, and so does this.
    keep = codes >= 0
    totals = np.zeros((len(uniques), len(SUMS)), dtype=np.int64)
    np.add.at(totals, codes[keep], matrix[keep])
    sizes = np.bincount(codes[keep], minlength=len(uniques))
    sums = {
        k: dict(zip(SUMS, map(int, row), strict=True))
        for k, row in zip(uniques, totals, strict=True)
    }
    return sums, {k: int(n) for k, n in zip(uniques, sizes, strict=True)}


def breakdown(
    df: pd.DataFrame,
    dimension: Dimension,
    total: dict[str, int] | None = None,
    matrix: np.ndarray | None = None,
) -> Breakdown:
    """The dimension's groups, each with its gap to the rest of the school."""
    total, total_pupils = total or _sums(df), len(df)
    # The key of each distinct value, not of each pupil: a handful of Python calls.
    values = df[dimension.column]
    keys = values.map({v: dimension.key_of(v) for v in values.unique()})
    sums, sizes = _group_sums(keys, _sum_matrix(df) if matrix is None else matrix)
    rows = []
    for key in sorted(sizes, key=dimension.order):
        group, pupils = sums[key], sizes[key]
        rest = {name: total[name] - group[name] for name in SUMS}
        rest_pupils = total_pupils - pupils
        rows.append(
            GroupFigures(
                dimension.key,
                key,
                dimension.label_of(key),
                **_figures(group, pupils),
                attendance_gap=_gap(
                    group["attended"], group["possible"], rest["attended"], rest["possible"]
                ),
                persistent_gap=_gap(group["persistent"], pupils, rest["persistent"], rest_pupils),
            )
        )
    return Breakdown(dimension, rows)


def breakdowns(df: pd.DataFrame, keys: list[str] | None = None) -> list[Breakdown]:
    """Every dimension with at least two groups (one group has no gap to show)."""
    found, total, matrix = [], _sums(df), _sum_matrix(df)
    for key in keys or list(DIMENSIONS):
        result = breakdown(df, DIMENSIONS[key], total, matrix)
        if key == "gender" and all(r.key == "unrecorded" for r in result.rows):
            continue
        if len(result.rows) >= 2:
            found.append(result)
    return found


MEASURE_TITLES = {"persistent": "Persistent absence", "severe": "Severe absence"}


def group_counts(result: Breakdown) -> list[disclosure.GroupCounts]:
    return [
        disclosure.GroupCounts(r.key, r.pupils, r.persistent_pupils, r.severe_pupils)
        for r in result.rows
    ]


def withhold(
    result: Breakdown, plan: disclosure.Plan, marks: disclosure.BreakdownMarks | None = None
) -> Breakdown | None:
    """The breakdown as governors and trust leads may see it (reporting.disclosure), or
    None when the school is too small for it to be shown at all. `marks`: the cells to
    hide, when decided already (a trust's figures, reporting.pooled)."""
    if marks is None:
        marks = disclosure.breakdown(group_counts(result), plan)
    if marks is None:
        return None
    rows = []
    for r in result.rows:
        if r.key in marks.rows:
            rows.append(hide(r, disclosure.as_cell(marks.rows[r.key])))
            continue
        changes: dict = {}
        for measure, gap in (("persistent", "persistent_gap"), ("severe", None)):
            symbol = marks.measures[measure].get(r.key)
            if symbol is not None:
                changes[measure] = disclosure.as_cell(symbol)
                changes[f"{measure}_pupils"] = None
                if gap:
                    changes[gap] = disclosure.as_cell(symbol)
        rows.append(replace(r, **changes))
    notes = []
    for measure, title in MEASURE_TITLES.items():
        if not plan.by_group(measure):
            notes.append(
                f"{title} is not shown by group: fewer than {disclosure.THRESHOLD} pupils of "
                "the school have it (or it would let such a figure be worked out), and a "
                "group's figure would tell which group holds them."
            )
        elif measure in marks.whole:
            notes.append(f"{title} is not shown by group here, to protect a small group.")
    return Breakdown(result.dimension, rows, tuple(notes))


def hide(row: GroupFigures, cell: Withheld = disclosure.SMALL) -> GroupFigures:
    """The whole row withheld: every figure shows the symbol (the staff never see this)."""
    shown = dict.fromkeys(
        (
            "pupils",
            "attendance",
            "authorised",
            "unauthorised",
            "absence",
            "persistent",
            "severe",
            "attendance_gap",
            "persistent_gap",
        ),
        cell,
    )
    return replace(
        row, possible=0, suppressed=True, persistent_pupils=None, severe_pupils=None, **shown
    )


def in_group(df: pd.DataFrame, dimension: str, key: str) -> pd.DataFrame:
    """The pupils of one group, for the staff drill-down; empty for an unknown group."""
    if dimension == "school":
        return df
    if dimension in ("band", "band_before", "band_after"):
        return df[df[dimension] == key]
    if dimension == "movement":
        return df[movement_of(df) == key]
    if dimension == "persistent" or dimension == "severe":
        return df[df[dimension]]
    if dimension not in DIMENSIONS:
        return df.iloc[0:0]
    dim = DIMENSIONS[dimension]
    return df[df[dim.column].map(dim.key_of) == key]


def gap_for(df: pd.DataFrame, mask: pd.Series) -> Decimal | None:
    """Attendance gap (points) of the pupils in `mask` to all other pupils of the frame."""
    inside, outside = df[mask], df[~mask]
    return _gap(
        int(inside["attended"].sum()),
        int(inside["possible"].sum()),
        int(outside["attended"].sum()),
        int(outside["possible"].sum()),
    )
