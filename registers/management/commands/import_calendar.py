from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registers.services.imports import CsvFile, ImportFailed
from registers.services.imports.calendar import import_calendar
from registers.services.imports.schools import find_school


class Command(BaseCommand):
    help = "Import half-terms (name,start_date,end_date) and closures (date,session,reason)."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN")
        parser.add_argument("terms", metavar="TERMS.csv")
        parser.add_argument("--closures", metavar="CLOSURES.csv")

    def handle(self, *args, school: str, terms: str, closures: str | None, **options):
        try:
            result = import_calendar(
                school=find_school(school),
                terms=CsvFile.from_path(terms),
                closures=CsvFile.from_path(closures) if closures else None,
            )
        except ImportFailed as exc:
            raise CommandError(f"nothing was imported:\n{exc}") from None
        self.stdout.write(result.summary())
