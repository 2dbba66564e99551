"""The impact of interventions: each case's pupil attendance before and after it opened.

Uses escalation's Case when that app provides it; until then the section is left out.
Two queries whatever the number of cases: the cases, then the pupils' counted sessions
per day over the whole span (registers.figures rules), split before/after in pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pandas as pd
from django.db.models import Count, Q

from registers import figures, rates
from registers.models import School

from .periods import Period
from .selectors import ATTENDED_CODES
from .tables import Column, Kind, Table

BEFORE = dt.timedelta(weeks=6)  # the window before a case opened that it is compared with


def _case_model():
    try:
        from escalation.models import Case  # type: ignore[attr-defined]
    except ImportError:
        return None
    return Case


def case_rows(*, school: School, period: Period) -> list[dict] | None:
    """Cases opened this academic year up to the period's end (None without the model)."""
    case = _case_model()
    if case is None:
        return None
    opened = (
        case.objects.for_school(school)
        .filter(opened_on__gte=period.year_start, opened_on__lte=period.end)
        .order_by("opened_on", "pk")
    )
    labels = dict(case.Stage.choices)
    return [
        {**row, "stage": labels.get(row["stage"], row["stage"])}
        for row in opened.values("pk", "pupil_id", "opened_on", "stage")
    ]


def daily_counts(
    *, school: School, pupil_ids: list[int], start: dt.date, end: dt.date
) -> pd.DataFrame:
    rows = (
        figures.counted_marks(school=school, start=start, end=end, pupil_ids=pupil_ids)
        .values("pupil_id", "date")
        .annotate(
            possible=figures.COUNT_ANNOTATIONS["possible"],
            attended=Count("pk", filter=Q(code_id__in=ATTENDED_CODES)),
        )
        .order_by()
    )
    return pd.DataFrame.from_records(
        list(rows), columns=["pupil_id", "date", "possible", "attended"]
    )


def _change(was: Decimal | None, now: Decimal | None) -> Decimal | None:
    return now - was if now is not None and was is not None else None


def case_sessions(cases: list[dict], days: pd.DataFrame) -> pd.DataFrame:
    """Per case: attended/possible in the six weeks before it opened, and since (vectorised:
    one merge of the cases with their pupils' days, however many cases there are)."""
    frame = pd.DataFrame.from_records(cases, columns=["pk", "pupil_id", "opened_on", "stage"])
    joined = frame.merge(days, on="pupil_id", how="left")
    date = pd.to_datetime(joined["date"])
    opened = pd.to_datetime(joined["opened_on"])
    before = (date < opened) & (date >= opened - BEFORE)
    since = date >= opened
    for name, mask in (("before", before), ("since", since)):
        for column in ("attended", "possible"):
            joined[f"{name}_{column}"] = joined[column].where(mask, 0).fillna(0).astype(int)
    sums = joined.groupby("pk")[
        ["before_attended", "before_possible", "since_attended", "since_possible"]
    ].sum()
    return frame.set_index("pk").join(sums)


def impact_table(
    *, school: School, period: Period, drill: Callable[[str, str], str | None] | None
) -> Table | None:
    cases = case_rows(school=school, period=period)
    if cases is None:
        return None
    rows: list[list] = []
    links: list[str | None] = []
    if cases:
        days = daily_counts(
            school=school,
            pupil_ids=sorted({c["pupil_id"] for c in cases}),
            start=min(c["opened_on"] for c in cases) - BEFORE,
            end=period.end,
        )
        per_case = case_sessions(cases, days)
        for pk, case in per_case.iterrows():
            was = rates.percent(int(case.before_attended), int(case.before_possible))
            now = rates.percent(int(case.since_attended), int(case.since_possible))
            rows.append(
                [
                    f"Case {pk}",
                    case.stage,
                    f"{case.opened_on:%-d %b %Y}",
                    was,
                    now,
                    _change(was, now),
                ]
            )
            links.append(drill("pupil", str(case.pupil_id)) if drill else None)
        total = per_case[["before_attended", "before_possible", "since_attended", "since_possible"]]
        a, b, c, d = (int(v) for v in total.sum())
        was, now = rates.percent(a, b), rates.percent(c, d)
        rows.insert(0, [f"All {len(cases)} cases", "", "", was, now, _change(was, now)])
        links.insert(0, None)
    columns = [
        Column("Case"),
        Column("Stage now"),
        Column("Opened"),
        Column("Attendance in the 6 weeks before", Kind.PCT),
        Column("Attendance since", Kind.PCT),
        Column("Change (points)", Kind.GAP),
    ]
    note = (
        "Cases opened this academic year: each pupil's attendance in the six weeks before "
        "the case opened and since (to the end of the period). Select a case for the pupil."
    )
    return Table("interventions", "Impact of interventions", columns, rows, links, note)
