"""purge_expired_pupils: remove the pupils who left more than six full years ago.

Registers are kept six years (SI 2024/208 reg 7); after that a school should not keep
pupils' personal data it no longer needs. Run it from cron (e.g. each 1 September) or by
hand with --dry-run first to see what would go.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from attendance_portal.cli import add_school_argument, find_school, parse_date
from registers.services.privacy import PurgeRefused, command_actor, purge_expired_pupils


class Command(BaseCommand):
    help = (
        "Remove pupils who left more than six full years before --date (default today), "
        "with their marks and history, recording the purge."
    )

    def add_arguments(self, parser):
        add_school_argument(parser)
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="count back from this day")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be removed; change nothing"
        )

    def handle(self, *args, school: str, date: str | None, dry_run: bool, **options):
        today = parse_date(date, option="--date") or timezone.localdate()
        try:
            result = purge_expired_pupils(
                school=find_school(school),
                today=today,
                actor=command_actor("purge_expired_pupils"),
                dry_run=dry_run,
            )
        except PurgeRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary())
