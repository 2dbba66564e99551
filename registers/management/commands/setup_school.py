from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registers.models import School
from registers.services.imports import ImportFailed
from registers.services.imports.schools import setup_school


class Command(BaseCommand):
    help = "Create or update a school by URN."

    def add_arguments(self, parser):
        parser.add_argument("--urn", required=True, help="the school's six-digit URN")
        parser.add_argument("--name", required=True)
        parser.add_argument("--phase", required=True, choices=School.Phase.values)
        parser.add_argument("--trust", help="the trust's name; created if new")
        parser.add_argument(
            "--require-mfa",
            choices=["Y", "N"],
            help="Y: staff with pupil-level access must use two-step sign-in (default N for "
            "a new school; left as it is when omitted)",
        )
        parser.add_argument(
            "--lea", help="three-digit LA number of the DfE number (kept when not given)"
        )
        parser.add_argument("--estab", help="four-digit establishment number (kept when not given)")

    def handle(
        self,
        *args,
        urn: str,
        name: str,
        phase: str,
        trust: str | None,
        require_mfa: str | None,
        **options,
    ):
        try:
            result = setup_school(
                urn=urn,
                name=name,
                phase=phase,
                trust_name=trust,
                require_mfa=None if require_mfa is None else require_mfa == "Y",
                la_number=options.get("lea"),
                establishment_number=options.get("estab"),
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        state = "created" if result.created else "updated" if result.changed else "unchanged"
        self.stdout.write(f"{result.school} {state}")
