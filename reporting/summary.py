"""The dashboard's summary, shown before its sections: what changed since the last
half-term and the questions to ask, each pointing at the section it comes from.

Built from the report's tables (already through reporting.disclosure for trust leads) and
the earlier headline (report.earlier_headline, withheld alike), so the summary shows
nothing a reader could not see on this page or on the last half-term's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .breakdowns import GroupFigures
from .questions import questions_for
from .report import Report

MOST_QUESTIONS = 6


@dataclass(frozen=True)
class Change:
    label: str
    pupils: object  # a count, or a Withheld symbol
    share: object


@dataclass(frozen=True)
class RateChange:
    """One headline rate then and now, in percentage points."""

    label: str
    before: Decimal
    after: Decimal
    higher_is_better: bool

    @property
    def points(self) -> Decimal:
        return self.after - self.before

    @property
    def words(self) -> str:
        points = abs(self.points)
        if not points:
            return "no change"
        way = "up" if self.points > 0 else "down"
        return f"{way} {points} point{'' if points == 1 else 's'}"

    @property
    def better(self) -> bool | None:
        """Whether the change is an improvement (None: no change)."""
        if not self.points:
            return None
        return (self.points > 0) == self.higher_is_better


# (label, GroupFigures field, higher is better)
RATES = (
    ("Attendance", "attendance", True),
    ("Unauthorised absence", "unauthorised", False),
    ("Persistent absence", "persistent", False),
)


def rate_changes(now: GroupFigures, before: GroupFigures) -> list[RateChange]:
    """The headline rates whose both sides are shown (a withheld one is left out)."""
    changes = []
    for label, name, higher_is_better in RATES:
        old, new = getattr(before, name), getattr(now, name)
        if isinstance(old, Decimal) and isinstance(new, Decimal):
            changes.append(RateChange(label, old, new, higher_is_better))
    return changes


@dataclass(frozen=True)
class Question:
    text: str
    section: str  # the table's name, for the link to its section
    title: str


@dataclass(frozen=True)
class Summary:
    changes: list[Change]
    changes_note: str
    questions: list[Question]
    rates: list[RateChange]
    compared_with: str  # what the rates are compared with, e.g. "Autumn 1 2025/26"


def build_summary(report: Report, earlier: tuple[str, GroupFigures] | None = None) -> Summary:
    """`earlier` is report.earlier_headline's answer: the figures the rates compare with."""
    rates = rate_changes(report.headline, earlier[1]) if earlier else []
    moved = report.table("movement")
    changes = [Change(*row) for row in moved.rows] if moved else []
    questions: list[Question] = []
    for table in report.tables:
        asked = table.questions or questions_for(
            table.name, school=report.school, headline=report.headline, table=table
        )
        # One question per section first, so the list covers the page.
        if asked:
            questions.append(Question(asked[0], table.name, table.title))
    return Summary(
        changes,
        moved.note if moved else "",
        questions[:MOST_QUESTIONS],
        rates,
        earlier[0] if earlier else "",
    )
