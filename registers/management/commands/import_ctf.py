from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from attendance_portal.cli import add_school_argument, find_school
from registers.ctf import CtfError
from registers.services.transfer import import_ctf


class Command(BaseCommand):
    help = "Import pupils' attendance at a previous school from a Common Transfer File (XML)."

    def add_arguments(self, parser):
        add_school_argument(parser)
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, school, file, **options):
        found = find_school(school)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file ({exc.strerror})") from None
        try:
            result = import_ctf(school=found, data=data, source_file=path.name)
        except CtfError as exc:
            problems = "\n".join(f"{file}: {error}" for error in exc.errors)
            raise CommandError(f"nothing was imported:\n{problems}") from None
        self.stdout.write(result.summary())
