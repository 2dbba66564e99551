"""manage.py run_sweep --school URN --date DATE (docs/interfaces.md): the nightly sweep for one
school, synchronously, then queues the letters it asked for; the JSON summary alone goes
to stdout."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attendance_portal.cli import add_school_argument, find_school, parse_date
from escalation.services.letters import queue_sweep_letters
from escalation.services.sweep import SweepBusy, run_sweep


class Command(BaseCommand):
    help = "Run the nightly attendance sweep for one school as of DATE and print its summary."

    def add_arguments(self, parser: CommandParser) -> None:
        add_school_argument(parser)
        parser.add_argument("--date", required=True, metavar="DATE", help="YYYY-MM-DD")

    def handle(self, *args, school: str, date: str, **options) -> None:
        found = find_school(school)
        as_of = parse_date(date, option="--date")
        try:
            summary = run_sweep(school=found, as_of=as_of)
        except SweepBusy as exc:
            raise CommandError(str(exc)) from exc
        # As the nightly task does: the letters the sweep asked for go to the letters
        # queue (idempotent, so a second run for the same date queues nothing).
        queue_sweep_letters(school=found, as_of=as_of)
        self.stdout.write(json.dumps(summary.as_dict(), indent=2))
