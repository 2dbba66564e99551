from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registers.models import Membership
from registers.services.imports import ImportFailed
from registers.services.imports.schools import find_school
from registers.services.imports.staff import add_staff


class Command(BaseCommand):
    help = (
        "Create a login with a role at a school (trust leads: at its trust; la: at its LA "
        "number), or change its "
        "role there. An existing login is given a role at another school only with "
        "--add-membership, and its password is changed only with --reset-password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, metavar="URN")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        parser.add_argument(
            "--password",
            required=True,
            help="a new login's password; it must pass the password rules",
        )
        parser.add_argument(
            "--form", action="append", default=[], dest="forms", help="a form the teacher registers"
        )
        parser.add_argument(
            "--email",
            default="",
            help="where password reset links go (a new login's, or one without)",
        )
        parser.add_argument(
            "--add-membership",
            action="store_true",
            help="the username is an existing login of the same person: add this role to it",
        )
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="set an existing login's password to --password",
        )

    def handle(
        self,
        *args,
        school: str,
        username: str,
        role: str,
        password: str,
        forms,
        email: str,
        add_membership: bool,
        reset_password: bool,
        **options,
    ):
        try:
            result = add_staff(
                school=find_school(school),
                username=username,
                role=role,
                password=password,
                forms=forms,
                email=email,
                add_membership=add_membership,
                reset_password=reset_password,
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary())
