"""The dashboard's summary, shown before its sections: what changed since the last
half-term and the questions to ask, each pointing at the section it comes from.

Built only from the report's tables (already through reporting.disclosure for trust leads),
so the summary shows nothing the tables below it do not.
"""

from __future__ import annotations

from dataclasses import dataclass

from .questions import questions_for
from .report import Report

MOST_QUESTIONS = 6


@dataclass(frozen=True)
class Change:
    label: str
    pupils: object  # a count, or a Withheld symbol
    share: object


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


def build_summary(report: Report) -> Summary:
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
    return Summary(changes, moved.note if moved else "", questions[:MOST_QUESTIONS])
