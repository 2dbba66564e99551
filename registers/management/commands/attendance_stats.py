"""manage.py attendance_stats: each pupil's figures over a date range (docs/interfaces.md).

`unmarked_sessions` (issue 15): the open sessions of the range, on days before today, on
which the pupil was on roll and has no mark. They are not in `possible_sessions` or the
percentages, which count recorded marks; a record with any is incomplete, and the nightly
sweep takes no escalation step on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from attendance_portal import cli
from attendance_portal.replica import reporting_reads
from registers import figures, rates
from registers.models import School

COLUMNS = (
    "upn",
    "possible_sessions",
    "present_sessions",
    "aea_sessions",
    "authorised_sessions",
    "unauthorised_sessions",
    "late_sessions",
    "unmarked_sessions",
    "attendance_pct",
    "persistent_absence",
    "severe_absence",
    "band",
)


class Command(BaseCommand):
    help = (
        "Print one record per pupil on roll at any point in the range, sorted by UPN. "
        "Without --from/--to the range is the current academic year up to today. "
        "unmarked_sessions: open sessions on roll before today with no mark; they are not "
        "in possible_sessions, and a record with any is incomplete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_school_argument(parser)
        parser.add_argument(
            "--from",
            dest="start",
            metavar="DATE",
            help="first day (default: 1 August of the academic year of --to)",
        )
        parser.add_argument(
            "--to", dest="end", metavar="DATE", help="last day, included (default: today)"
        )
        cli.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        school = cli.find_school(options["school"])
        start = cli.parse_date(options.get("start"), option="--from")
        end = cli.parse_date(options.get("end"), option="--to")
        year_start, today = figures.year_to_date(end or timezone.localdate())
        start, end = start or year_start, end or today
        if start > end:
            raise CommandError(f"--from {start} is after --to {end}")
        with reporting_reads():  # a report: the replica, when there is one
            records = pupil_records(school=school, start=start, end=end)
        cli.write_records(self.stdout, records, columns=COLUMNS, fmt=options["format"])


def pupil_records(
    *, school: School, start: dt.date, end: dt.date, today: dt.date | None = None
) -> list[dict[str, Any]]:
    counts = figures.counts_by_pupil(school=school, start=start, end=end)
    # Past sessions only: today's registers may still be open (figures.past_end).
    last_past = figures.past_end(end, today=today or timezone.localdate())
    unmarked = figures.unmarked_by_pupil(school=school, start=start, end=last_past)
    pupils = figures.pupils_on_roll(school=school, start=start, end=end).values_list("pk", "upn")
    # Sorted here rather than by the database so the order never depends on its collation.
    return [
        _record(upn, counts.get(pk, rates.SessionCounts()), school, unmarked.get(pk, 0))
        for pk, upn in sorted(pupils, key=lambda row: row[1])
    ]


def _record(
    upn: str, counts: rates.SessionCounts, school: School, unmarked: int = 0
) -> dict[str, Any]:
    pupil_band = rates.band(
        counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct
    )
    return {
        "upn": upn,
        "possible_sessions": counts.possible,
        "present_sessions": counts.present,
        "aea_sessions": counts.aea,
        "authorised_sessions": counts.authorised,
        "unauthorised_sessions": counts.unauthorised,
        "late_sessions": counts.late,
        # Open sessions on roll with no mark: not in possible_sessions, and a record with
        # any is incomplete (its band decides nothing in the sweep).
        "unmarked_sessions": unmarked,
        "attendance_pct": rates.attendance_pct(counts),
        # Decided on exact session counts, never on the rounded percentage (docs/domain.md §2).
        "persistent_absence": rates.is_persistent(counts),
        "severe_absence": rates.is_severe(counts),
        "band": pupil_band.value if pupil_band else None,
    }
