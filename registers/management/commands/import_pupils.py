from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registers.services.imports import CsvFile, ImportFailed
from registers.services.imports.pupils import import_pupils
from registers.services.imports.schools import find_school


class Command(BaseCommand):
    help = "Create or update pupils by UPN from an MIS export (see docs/interfaces.md for columns)."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN")
        parser.add_argument("pupils", metavar="PUPILS.csv")

    def handle(self, *args, school: str, pupils: str, **options):
        try:
            result = import_pupils(school=find_school(school), file=CsvFile.from_path(pupils))
        except ImportFailed as exc:
            raise CommandError(f"nothing was imported:\n{exc}") from None
        self.stdout.write(result.summary())
