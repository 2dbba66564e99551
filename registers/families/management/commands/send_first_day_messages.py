from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registers.families.selectors import held_first_day
from registers.families.services.first_day import queue_first_day_messages
from registers.services.imports import ImportFailed
from registers.services.imports.schools import find_school


class Command(BaseCommand):
    help = (
        "Send today's first-day absence messages for one school and session now (beat sends "
        "them by itself at the school's time); prints a JSON summary. Safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN")
        parser.add_argument("--session", choices=("AM", "PM"), default="AM")
        parser.add_argument(
            "--wait",
            action="store_true",
            help="only if the school's time for them has come (as beat does)",
        )

    def handle(self, *args, school: str, session: str, wait: bool, **options):
        try:
            found = find_school(school)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        day = timezone.localdate()
        result = queue_first_day_messages(
            school=found, day=day, session=session, before_due=not wait
        )
        summary = result.as_dict()
        held, first = held_first_day(school=found, day=day, session=session, now=timezone.now())
        # Quiet hours hold messages queued at night: say so, with when they will go.
        summary["held"] = held
        summary["held_until"] = timezone.localtime(first).isoformat() if first else None
        self.stdout.write(json.dumps(summary))
