from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registers.services.imports import ImportFailed
from registers.services.imports.photos import import_photos
from registers.services.imports.schools import find_school


class Command(BaseCommand):
    help = (
        "Import pupils' photos from a folder or a ZIP of JPEG/PNG files named by UPN "
        "(see docs/interfaces.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN")
        parser.add_argument("source", metavar="DIR_OR_ZIP")

    def handle(self, *args, school: str, source: str, **options):
        try:
            result = import_photos(school=find_school(school), source=source)
        except ImportFailed as exc:
            raise CommandError(f"nothing was imported:\n{exc}") from None
        self.stdout.write(result.summary())
