from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registers.lessons.services.timetable import import_timetable
from registers.services.imports import CsvFile, ImportFailed
from registers.services.imports.schools import find_school


class Command(BaseCommand):
    help = (
        "Import a school's timetable: periods, classes (with their teachers, days and weeks) "
        "and class members (see docs/interfaces.md for the columns)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN")
        parser.add_argument("periods", metavar="PERIODS.csv")
        parser.add_argument("classes", metavar="CLASSES.csv")
        parser.add_argument("members", metavar="MEMBERS.csv")

    def handle(self, *args, school: str, periods: str, classes: str, members: str, **options):
        try:
            result = import_timetable(
                school=find_school(school),
                periods=CsvFile.from_path(periods),
                classes=CsvFile.from_path(classes),
                members=CsvFile.from_path(members),
            )
        except ImportFailed as exc:
            raise CommandError(f"nothing was imported:\n{exc}") from None
        self.stdout.write(result.summary())
