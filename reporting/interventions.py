"""The impact of interventions: each case's pupil attendance before and after it opened.

Two queries whatever the number of cases: the cases, then the case pupils' stored figures
(registers.figures), each day put to its side of the case's opening date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from escalation.models import Case
from registers import figures, rates
from registers.models import School

from .periods import Period
from .tables import Column, Kind, Table

BEFORE = dt.timedelta(weeks=6)  # the window before a case opened that it is compared with


def case_rows(*, school: School, period: Period) -> list[dict]:
    """Cases opened this academic year up to the period's end."""
    opened = (
        Case.objects.for_school(school)
        .filter(opened_on__gte=period.year_start, opened_on__lte=period.end)
        .order_by("opened_on", "pk")
    )
    labels = dict(Case.Stage.choices)
    return [
        {**row, "stage": labels.get(row["stage"], row["stage"])}
        for row in opened.values("pk", "pupil_id", "opened_on", "stage")
    ]


def case_sessions(*, school: School, cases: list[dict], end: dt.date) -> dict[int, tuple]:
    """Per case: (attended, possible) in the six weeks before it opened, and since, up to
    `end`. One read of the case pupils' stored figures (registers.figures.daily_sessions),
    whatever the number of cases; each day's sessions go to the side of its case's opening
    date, and the codes are folded into attended and possible here."""
    start = min(c["opened_on"] for c in cases) - BEFORE
    by_pupil: dict[int, list[tuple[dt.date, str, int]]] = {}
    for pupil_id, day, code, n in figures.daily_sessions(
        school=school, start=start, end=end, pupil_ids={c["pupil_id"] for c in cases}
    ):
        by_pupil.setdefault(pupil_id, []).append((day, code, n))
    sessions: dict[tuple[int, bool], list[tuple[str, int]]] = {}
    for case in cases:
        opened = case["opened_on"]
        for day, code, n in by_pupil.get(case["pupil_id"], ()):
            if day >= opened - BEFORE:
                sessions.setdefault((case["pk"], day >= opened), []).append((code, n))

    def side(pk: int, since: bool) -> tuple[int, int]:
        counts = figures.fold_codes(sessions.get((pk, since), ()))
        return counts.attended, counts.possible

    return {c["pk"]: (*side(c["pk"], False), *side(c["pk"], True)) for c in cases}


def _change(was: Decimal | None, now: Decimal | None) -> Decimal | None:
    return now - was if now is not None and was is not None else None


def impact_table(
    *, school: School, period: Period, drill: Callable[[str, str], str | None] | None
) -> Table:
    cases = case_rows(school=school, period=period)
    rows: list[list] = []
    links: list[str | None] = []
    if cases:
        per_case = case_sessions(school=school, cases=cases, end=period.end)
        for case in cases:
            a, b, c, d = per_case[case["pk"]]
            was, now = rates.percent(a, b), rates.percent(c, d)
            rows.append(
                [
                    f"Case {case['pk']}",
                    case["stage"],
                    f"{case['opened_on']:%-d %b %Y}",
                    was,
                    now,
                    _change(was, now),
                ]
            )
            links.append(drill("pupil", str(case["pupil_id"])) if drill else None)
        a, b, c, d = (sum(column) for column in zip(*per_case.values(), strict=True))
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
