from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registers.services.imports import CsvFile, ImportFailed
from registers.services.imports.contacts import import_contacts
from registers.services.imports.schools import find_school


class Command(BaseCommand):
    help = (
        "Replace the contacts of the pupils named in an MIS export, in calling order "
        "(see docs/interfaces.md for columns)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN")
        parser.add_argument("contacts", metavar="CONTACTS.csv")

    def handle(self, *args, school: str, contacts: str, **options):
        try:
            result = import_contacts(school=find_school(school), file=CsvFile.from_path(contacts))
        except ImportFailed as exc:
            raise CommandError(f"nothing was imported:\n{exc}") from None
        self.stdout.write(result.summary())
