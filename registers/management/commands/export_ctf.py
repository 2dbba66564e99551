from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from attendance_portal.cli import add_school_argument, find_school
from registers.models import Pupil
from registers.models.calendar import academic_year_start
from registers.services.transfer import ExportRefused, export_pupil_ctf


class Command(BaseCommand):
    help = "Write a pupil's attendance for one academic year as a Common Transfer File (XML)."

    def add_arguments(self, parser):
        add_school_argument(parser)
        parser.add_argument("--upn", required=True, help="the pupil's UPN")
        parser.add_argument(
            "--year", type=int, help="the year the academic year began (default: the current one)"
        )
        parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")
        parser.add_argument(
            "--lea", default="", help="three-digit LA number (default: the school's own)"
        )
        parser.add_argument(
            "--estab", default="", help="four-digit establishment number (default: the school's)"
        )
        parser.add_argument(
            "--dest-lea",
            default="",
            help="the receiving school's LA number (default XXX: destination unknown)",
        )
        parser.add_argument(
            "--dest-estab",
            default="",
            help="the receiving school's establishment number (default XXXX: unknown)",
        )
        parser.add_argument(
            "--allow-unmarked",
            action="store_true",
            help="export even with sessions on roll that have no mark (sent as '-')",
        )

    def handle(self, *args, school, upn, year, output, lea, estab, dest_lea, dest_estab, **options):
        found = find_school(school)
        pupil = Pupil.objects.for_school(found).filter(upn=upn.strip().upper()).first()
        if pupil is None:
            raise CommandError(f"no pupil with UPN {upn!r} at {found.name}")
        for value, digits, option in (
            (lea, 3, "--lea"),
            (estab, 4, "--estab"),
            (dest_lea, 3, "--dest-lea"),
            (dest_estab, 4, "--dest-estab"),
        ):
            if value and not (value.isdigit() and len(value) == digits):
                raise CommandError(f"{option} must be {digits} digits, not {value!r}")
        today = timezone.localdate()
        try:
            name, _, content = export_pupil_ctf(
                school=found,
                pupil=pupil,
                start_year=year or academic_year_start(today),
                today=today,
                lea=lea,
                estab=estab,
                dest_lea=dest_lea,
                dest_estab=dest_estab,
                allow_unmarked=options["allow_unmarked"],
            )
        except ExportRefused as exc:
            raise CommandError(f"nothing was exported: {exc}") from None
        if output:
            with open(output, "wb") as handle:
                handle.write(content)
            self.stderr.write(f"Wrote {output} (the CTF's own name for it: {name})")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
