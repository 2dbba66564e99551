"""manage.py create_api_token: a token for the API, printed once (docs/interfaces.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registers.models import School, Trust

from ...models import ApiToken
from ...services.tokens import TokenError, create_token, revoke_token


class Command(BaseCommand):
    help = (
        "Make an API token for one school (--school URN) or one trust (--trust NAME) and "
        "print it once; or --revoke PREFIX. A school's token may be of any level and access; "
        "a trust's is aggregate-only and read-only, as on the portal's page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", help="which tool uses it")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--school", metavar="URN")
        scope.add_argument("--trust", metavar="NAME")
        scope.add_argument("--revoke", metavar="PREFIX", help="revoke the token starting so")
        parser.add_argument("--level", choices=ApiToken.Level.values, default="aggregate")
        parser.add_argument("--access", choices=ApiToken.Access.values, default="read")
        parser.add_argument("--days", type=int, default=None, help="valid for (default 90)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["revoke"]:
            token = ApiToken.objects.filter(prefix=options["revoke"]).first()
            if token is None:
                raise CommandError(f"no token starts {options['revoke']!r}")
            revoke_token(token=token, revoked_by_name="manage.py create_api_token")
            self.stdout.write(f"revoked {token}")
            return
        if not options["name"]:
            raise CommandError("--name is required")
        school = trust = None
        if options["school"]:
            school = School.objects.filter(urn=options["school"]).first()
            if school is None:
                raise CommandError(f"no school with URN {options['school']!r}")
        elif options["trust"]:
            trust = Trust.objects.filter(name=options["trust"]).first()
            if trust is None:
                raise CommandError(f"no trust named {options['trust']!r}")
        else:
            raise CommandError("give --school URN or --trust NAME")
        try:
            new = create_token(
                name=options["name"],
                school=school,
                trust=trust,
                level=options["level"],
                access=options["access"],
                days=options["days"],
                created_by_name="manage.py create_api_token",
            )
        except TokenError as exc:
            raise CommandError(str(exc)) from None
        # The secret alone on stdout (a script can capture it); the rest on stderr.
        self.stderr.write(
            f"{new.token.get_level_display()}, {new.token.get_access_display().lower()}, "
            f"expires {new.token.expires_at:%Y-%m-%d}; shown once, store it now"
        )
        self.stdout.write(new.secret)
