"""manage.py verify_figures: the stored figures against the marks (docs/domain.md §2,
"Stored figures"; docs/interfaces.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attendance_portal import cli
from registers.models import Pupil, School
from registers.services.stored_figures import verify


class Command(BaseCommand):
    help = (
        "Recompute every stored figure from the marks, the calendar and the dates on roll; "
        "exit 0 when they all agree, non-zero listing each difference otherwise. "
        "--repair makes the stored figures right (and still lists what it fixed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", metavar="URN", help="one school (default: every school)")
        parser.add_argument(
            "--repair", action="store_true", help="rewrite the stored figures that differ"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["school"]:
            schools = [cli.find_school(options["school"])]
        else:
            schools = list(School.objects.order_by("urn"))
        repair = options["repair"]
        differing = 0
        for school in schools:
            differences = verify(school=school, repair=repair)
            if not differences:
                continue
            differing += len(differences)
            upns = dict(
                Pupil.objects.filter(pk__in={d.pupil_id for d in differences}).values_list(
                    "pk", "upn"
                )
            )
            for d in differences:
                # A repaired pupil's rows survive; a purged pupil's are gone with them.
                self.stderr.write(f"{school.urn} {d.describe(upns.get(d.pupil_id, '?'))}")
        if differing and not repair:
            raise CommandError(
                f"{differing} stored figure(s) differ from the marks; "
                "run with --repair to rewrite them."
            )
        summary = f"{differing} difference(s) repaired" if differing else "all agree"
        self.stdout.write(f"Stored figures of {len(schools)} school(s): {summary}.")
