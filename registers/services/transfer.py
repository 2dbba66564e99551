"""Moving attendance between schools with the Common Transfer File (registers.ctf).

Export: a pupil's attendance at this school for one academic year (with any previous
school's year already imported for them), built from the register. Import: a previous
school's CTF, all or nothing, stored as PriorAttendance for pupils already on this
school's roll (matched by UPN).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from attendance_portal.errors import DomainError
from registers import ctf
from registers.models import Mark, PriorAttendance, Pupil, School, SchoolDay


def pupil_year(
    *, school: School, pupil: Pupil, start_year: int, today: dt.date, lea: str = "", estab: str = ""
) -> ctf.YearData:
    """This school's year for the pupil: from their first school day on roll in the year
    to the last one up to today (or their leaving date), as counts and a mark string."""
    first = max(dt.date(start_year, 8, 1), pupil.admission_date)
    last = min(dt.date(start_year + 1, 7, 31), pupil.leaving_date or today, today)
    days = list(
        SchoolDay.objects.for_school(school)
        .between(first, last)
        .order_by("date")
        .values_list("date", "am_open", "pm_open")
    )
    if not days:
        return ctf.year_data(
            year=start_year, lea=lea, estab=estab, school_name=school.name, start=None, marks=""
        )
    start, end = days[0][0], days[-1][0]
    open_sessions = {(d, s) for d, am, pm in days for s, o in (("AM", am), ("PM", pm)) if o}
    marks = {
        (d, s): code
        for d, s, code in Mark.objects.for_school(school)
        .filter(pupil=pupil)
        .between(start, end)
        .values_list("date", "session", "code_id")
    }
    string = ctf.mark_string(start=start, end=end, open_sessions=open_sessions, marks=marks)
    return ctf.year_data(
        year=start_year, lea=lea, estab=estab, school_name=school.name, start=start, marks=string
    )


def _prior_years(*, school: School, pupil: Pupil, start_year: int) -> list[ctf.YearData]:
    return [
        ctf.YearData(
            year=p.year,
            lea=p.source_lea,
            estab=p.source_estab,
            school_name=p.source_school_name,
            possible=p.sessions_possible,
            authorised=p.sessions_authorised,
            attended=p.sessions_attended,
            unauthorised=p.sessions_unauthorised,
            start_date=p.start_date,
            marks=p.marks,
        )
        for p in PriorAttendance.objects.for_school(school).filter(pupil=pupil, year=start_year)
    ]


class ExportRefused(DomainError, ValueError):
    """A CTF that must not be sent as it stands, with what to do about it."""


def _unmarked_before_today(year: ctf.YearData, today: dt.date) -> int:
    """Open sessions on roll with no mark ("-") on days before today: today's registers
    may still be open."""
    if year.start_date is None:
        return 0
    return sum(
        1
        for day, _, code in ctf.decode_marks(start=year.start_date, marks=year.marks)
        if not code and day < today
    )


def export_pupil_ctf(
    *,
    school: School,
    pupil: Pupil,
    start_year: int,
    today: dt.date,
    lea: str = "",
    estab: str = "",
    dest_lea: str = "",
    dest_estab: str = "",
    allow_unmarked: bool = False,
) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of the pupil's CTF attendance for one year.

    LEA and Estab default to the school's own DfE number (setup_school --lea/--estab); the
    destination to unknown (XXX/XXXX). ExportRefused, with what to do, when the DfE number
    is not set, the pupil's sex is not recorded, or the year has sessions on roll with no
    mark (unless `allow_unmarked`: they are then sent as the no-mark character)."""
    lea = lea or school.la_number
    estab = estab or school.establishment_number
    if not (lea and estab):
        raise ExportRefused(
            f"{school.name} has no DfE number (LA and establishment number), so a receiving "
            "school could not tell where this file came from. Set it with "
            "`manage.py setup_school --urn URN --name NAME --phase PHASE --lea NNN "
            "--estab NNNN` (or in the admin), then export again."
        )
    if pupil.gender not in ("M", "F"):
        raise ExportRefused(
            f"{pupil.name}'s sex is not recorded, and a CTF must carry it. Record it "
            "(import_pupils with the optional `gender` column, M or F, or in the admin), then "
            "export again."
        )
    years = _prior_years(school=school, pupil=pupil, start_year=start_year)
    own = pupil_year(
        school=school, pupil=pupil, start_year=start_year, today=today, lea=lea, estab=estab
    )
    unmarked = _unmarked_before_today(own, today)
    if unmarked and not allow_unmarked:
        raise ExportRefused(
            f"{pupil.name} has {unmarked} session{'s' if unmarked != 1 else ''} on roll with no "
            f"mark in {start_year}/{(start_year + 1) % 100:02d}: the figures would be "
            "incomplete. Fill the missing marks first, or export anyway to send them as the "
            "no-mark character '-' (export_ctf --allow-unmarked, or 'Download anyway' on the "
            "pupil's page)."
        )
    years.append(own)
    record = ctf.PupilRecord(
        upn=pupil.upn,
        surname=pupil.surname,
        forename=pupil.forename,
        date_of_birth=pupil.date_of_birth,
        years=tuple(years),
        sex=pupil.gender,
    )
    source = ctf.Source(
        lea=lea,
        estab=estab,
        name=school.name,
        academic_year=start_year,
        dest_lea=dest_lea or ctf.UNKNOWN_LEA,
        dest_estab=dest_estab or ctf.UNKNOWN_ESTAB,
    )
    data = ctf.build_ctf(source=source, pupils=[record], now=timezone.localtime())
    School.objects.filter(pk=school.pk).update(ctf_serial=F("ctf_serial") + 1)
    serial = School.objects.values_list("ctf_serial", flat=True).get(pk=school.pk)
    return ctf.file_name(source=source, serial=serial), "application/xml", data


@dataclass
class ImportResult:
    pupils: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"Imported attendance for {self.pupils} pupil{'s' if self.pupils != 1 else ''}: "
            f"{self.created} year record(s) added, {self.updated} updated, "
            f"{self.unchanged} unchanged."
        )


def _values(year: ctf.YearData, source_file: str) -> dict:
    return {
        "sessions_possible": year.possible,
        "sessions_authorised": year.authorised,
        "sessions_attended": year.attended,
        "sessions_unauthorised": year.unauthorised,
        "start_date": year.start_date,
        "marks": year.marks,
        "source_file": source_file[:255],
    }


def import_ctf(*, school: School, data: bytes, source_file: str = "") -> ImportResult:
    """Store every pupil's prior attendance from a CTF, or nothing (CtfError lists every
    problem). Re-importing the same file changes nothing."""
    records = ctf.parse_ctf(data)
    upns = [r.upn for r in records]
    pupils = {p.upn: p for p in Pupil.objects.for_school(school).filter(upn__in=upns)}
    errors = [
        f"CTFpupilData/Pupil (UPN {upn}): no pupil with this UPN at {school.name}; "
        "import the pupil first."
        for upn in dict.fromkeys(upns)
        if upn not in pupils
    ]
    errors += [
        f"CTFpupilData/Pupil (UPN {u}): appears twice." for u in set(upns) if upns.count(u) > 1
    ]
    if errors:
        raise ctf.CtfError(errors)
    result = ImportResult(pupils=len(records))
    with transaction.atomic():
        existing = {
            (p.pupil_id, p.year, p.source_lea, p.source_estab, p.source_school_name): p
            for p in PriorAttendance.objects.select_for_update().filter(
                pupil__in=list(pupils.values())
            )
        }
        for record in records:
            pupil = pupils[record.upn]
            for year in record.years:
                values = _values(year, source_file)
                row = existing.get((pupil.pk, year.year, year.lea, year.estab, year.school_name))
                if row is None:
                    PriorAttendance.objects.create(
                        school=school,
                        pupil=pupil,
                        year=year.year,
                        source_lea=year.lea,
                        source_estab=year.estab,
                        source_school_name=year.school_name,
                        **values,
                    )
                    result.created += 1
                elif any(getattr(row, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(row, k, v)
                    row.save(update_fields=[*values, "updated_at"])
                    result.updated += 1
                else:
                    result.unchanged += 1
    return result
