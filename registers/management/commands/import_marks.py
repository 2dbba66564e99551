from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from registers.services.imports import CsvFile, ImportFailed
from registers.services.imports.marks import import_marks
from registers.services.imports.schools import find_school


def _who() -> str:
    """The audit trail names the command and, where the OS knows it, who ran it."""
    try:
        return f"import_marks (run by {getpass.getuser()})"
    except (KeyError, OSError):  # no login name in some containers and cron jobs
        return "import_marks"


class Command(BaseCommand):
    help = "Import marks (upn,date,session,code,minutes_late,comment); changes are amendments."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN")
        parser.add_argument("marks", metavar="MARKS.csv")

    def handle(self, *args, school: str, marks: str, **options):
        try:
            result = import_marks(
                school=find_school(school),
                file=CsvFile.from_path(marks),
                changed_by_name=_who(),
            )
        except ImportFailed as exc:
            raise CommandError(f"nothing was imported:\n{exc}") from None
        self.stdout.write(result.summary())
