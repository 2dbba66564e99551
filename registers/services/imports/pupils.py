"""import_pupils: create or update a school's pupils by UPN from an MIS export.

Pupils missing from the file are left alone (a leaver is recorded with leaving_date, not
by deletion, because marks must be kept for six years). Forms are created by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from registers import flags
from registers.models import Form, Mark, Pupil, School
from registers.models.pupils import YEAR_GROUPS
from registers.services.stored_figures import refresh

from .csvfile import CsvFile, Problems, Row, max_length, open_table

COLUMNS = (
    "upn",
    "surname",
    "forename",
    "date_of_birth",
    "year_group",
    "form",
    "admission_date",
    "leaving_date",
    *flags.FIELDS,
)
OPTIONAL_COLUMNS = ("gender",)
# Pupil fields an import sets; `form` is handled separately (it names a Form).
FIELDS = (
    "surname",
    "forename",
    "date_of_birth",
    "year_group",
    "admission_date",
    "leaving_date",
    *flags.FIELDS,
)


@dataclass
class PupilsResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    forms_created: int = 0

    def summary(self) -> str:
        return (
            f"pupils: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged; forms created: {self.forms_created}"
        )


def _max_length(name: str) -> int:
    return max_length(Pupil, name)


def _parse(row: Row, has_gender: bool) -> dict[str, Any]:
    upn = row.get("upn")
    try:
        if not upn:  # run_validators passes empty values without running the validators
            raise ValidationError("empty")
        Pupil._meta.get_field("upn").run_validators(upn)
    except ValidationError:
        row.fail(
            f"upn {upn!r} is not a UPN (13 characters: a capital letter, eleven digits, "
            "then a digit or a capital letter)"
        )
    values: dict[str, Any] = {
        "upn": upn,
        "surname": row.text("surname", max_length=_max_length("surname")),
        "forename": row.text("forename", max_length=_max_length("forename")),
        "date_of_birth": row.date("date_of_birth"),
        "year_group": row.choice("year_group", YEAR_GROUPS),
        "form": row.text("form", max_length=max_length(Form, "name"), required=False),
        "admission_date": row.date("admission_date"),
        "leaving_date": row.date("leaving_date", required=False),
        "sen": row.choice("sen", Pupil.SEN.values),
    }
    values.update({flag: row.flag(flag) for flag in flags.YES_NO_FIELDS})
    if has_gender:
        values["gender"] = row.choice("gender", Pupil.Gender.values)
    admitted, left = values["admission_date"], values["leaving_date"]
    if admitted and left and left < admitted:
        row.fail(f"leaving_date {left} is before admission_date {admitted}")
    born = values["date_of_birth"]
    if born and admitted and admitted < born:
        row.fail(f"admission_date {admitted} is before date_of_birth {born}")
    return values


def import_pupils(*, school: School, file: CsvFile) -> PupilsResult:
    table = open_table(file, required=COLUMNS, optional=OPTIONAL_COLUMNS)
    has_gender = "gender" in table.columns
    fields = (*FIELDS, "gender") if has_gender else FIELDS
    problems = Problems(file.name)
    rows: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, values in table.rows(problems):
        row = Row(number, values, table, problems)
        parsed = _parse(row, has_gender)
        upn = parsed["upn"]
        if upn in rows:
            row.fail(f"upn {upn} is also on row {rows[upn][0]}")
        elif row.ok:
            rows[upn] = (number, parsed)
    problems.raise_if_any()

    with transaction.atomic():
        result = PupilsResult()
        forms = _forms_by_name(school, {v["form"] for _, v in rows.values() if v["form"]}, result)
        existing = {p.upn: p for p in Pupil.objects.for_school(school).select_for_update()}
        new, changed, moved_roll = [], [], []
        now = timezone.now()
        for upn, (number, parsed) in rows.items():
            wanted = {f: parsed[f] for f in fields}
            wanted["form_id"] = forms[parsed["form"]].pk if parsed["form"] else None
            pupil = existing.get(upn)
            if pupil is None:
                new.append(Pupil(school=school, upn=upn, **wanted))
                continue
            diff = [f for f, value in wanted.items() if getattr(pupil, f) != value]
            if not diff:
                result.unchanged += 1
                continue
            if {"admission_date", "leaving_date"} & set(diff):
                moved_roll.append((number, pupil.pk, wanted))
            for f in diff:
                setattr(pupil, f, wanted[f])
            pupil.updated_at = now
            changed.append(pupil)
        _refuse_marks_off_roll(moved_roll, problems)
        Pupil.objects.bulk_create(new, batch_size=1000)
        # bulk_update does not run auto_now, hence updated_at set above.
        update_fields = [f for f in fields if f != "form"] + ["form", "updated_at"]
        Pupil.objects.bulk_update(changed, update_fields, batch_size=500)
        # A new pupil, or new dates on roll, changes the sessions the pupil is counted in.
        roll = [p.pk for p in new] + [pk for _, pk, _ in moved_roll]
        if roll:
            refresh(school=school, pupil_ids=roll)
        result.created, result.updated = len(new), len(changed)
    return result


def _forms_by_name(school: School, names: set[str], result: PupilsResult) -> dict[str, Form]:
    forms = {f.name: f for f in Form.objects.for_school(school).filter(name__in=names)}
    missing = [Form(school=school, name=name) for name in sorted(names - forms.keys())]
    for form in Form.objects.bulk_create(missing):
        forms[form.name] = form
    result.forms_created = len(missing)
    return forms


def _refuse_marks_off_roll(moved: list[tuple[int, int, dict[str, Any]]], problems: Problems):
    """A change of roll dates may not strand recorded marks outside the new dates."""
    if not moved:
        return
    spans = dict(
        (pid, (first, last))
        for pid, first, last in Mark.objects.filter(pupil_id__in=[pk for _, pk, _ in moved])
        .values("pupil_id")
        .annotate(first=Min("date"), last=Max("date"))
        .values_list("pupil_id", "first", "last")
    )
    for number, pk, wanted in moved:
        if pk not in spans:
            continue
        first, last = spans[pk]
        admitted: dt.date = wanted["admission_date"]
        left: dt.date | None = wanted["leaving_date"]
        if first < admitted or (left is not None and last > left):
            problems.add(
                f"marks are recorded from {first} to {last}, outside the new on-roll dates "
                f"{admitted} to {left or 'now'}; amend those marks first",
                number,
            )
    problems.raise_if_any()
