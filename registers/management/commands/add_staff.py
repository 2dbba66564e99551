from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registers.models import Membership
from registers.services.imports import ImportFailed
from registers.services.imports.schools import find_school
from registers.services.imports.staff import add_staff


class Command(BaseCommand):
    help = "Create or update a login with a role at a school (trust leads: at its trust)."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        parser.add_argument("--password", required=True)
        parser.add_argument(
            "--form", action="append", default=[], dest="forms", help="a form the teacher registers"
        )

    def handle(self, *args, school: str, username: str, role: str, password: str, forms, **options):
        try:
            result = add_staff(
                school=find_school(school),
                username=username,
                role=role,
                password=password,
                forms=forms,
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary())
