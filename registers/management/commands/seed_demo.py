"""manage.py seed_demo: build the demo trust once, then keep its logins working."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from registers.demo import DemoError, seed_demo


class Command(BaseCommand):
    help = (
        "Build a realistic demo school (Oakfield Primary, URN 100001) and a second school in "
        "its trust, with two academic years of marks, and the logins officer, teacher, head, "
        "governor and trust. Safe to run on every start: an existing demo is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pupils", type=int, default=420, help="pupils at Oakfield")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--password",
            default="demo-attendance-2026",
            help="password for every login (it must pass the password rules)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo schools and build them again (refused once marks were amended)",
        )

    def handle(self, *args, pupils, seed, password, reset, **options):
        started = time.monotonic()
        try:
            result = seed_demo(
                pupils=pupils,
                seed=seed,
                password=password,
                reset=reset,
                log=self.stdout.write,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        for school in result.schools:
            line = f"{school.name} ({school.urn}): {school.on_roll} pupils on roll"
            if school.attendance_pct is not None:
                line += (
                    f", attendance this year {school.attendance_pct}%, "
                    f"persistently absent {school.persistent_pct}%"
                )
            if school.unmarked_forms:
                line += f"; this morning's registers left open: {', '.join(school.unmarked_forms)}"
            self.stdout.write(line)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f}s. Logins (password as given):")
        for login in result.accounts:
            self.stdout.write(f"  {login.username:<9} {login.role:<9} sees {login.sees}")
