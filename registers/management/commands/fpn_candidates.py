"""manage.py fpn_candidates: pupils at the national penalty-notice threshold (docs/domain.md §4)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from attendance_portal import cli
from registers import figures

COLUMNS = ("upn", "unauthorised_sessions", "window_start", "window_end")


class Command(BaseCommand):
    help = (
        "Print the pupils on roll on DATE with 10 or more sessions coded G, N, O or U within "
        "the last 10 school weeks up to DATE, counting only sessions on which they were of "
        "compulsory school age: a penalty notice must be considered, not issued."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_school_argument(parser)
        parser.add_argument("--date", required=True, metavar="DATE", help="the as-of date")
        cli.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        school = cli.find_school(options["school"])
        as_of = cli.parse_date(options["date"], option="--date")
        assert as_of is not None  # --date is required
        records = [
            {
                "upn": c.upn,
                "unauthorised_sessions": c.unauthorised_sessions,
                "window_start": c.window.start,
                "window_end": c.window.end,
            }
            for c in figures.fpn_candidates(school=school, as_of=as_of)
        ]
        records.sort(key=lambda r: r["upn"])
        cli.write_records(self.stdout, records, columns=COLUMNS, fmt=options["format"])
