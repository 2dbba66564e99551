"""import_contacts: a pupil's contacts, in calling order, from an MIS export.

The file is the truth for every pupil it names: that pupil's contacts become exactly the
file's rows (others are removed); pupils the file does not name keep theirs. An existing
contact is kept (and updated) when the file names the same person (by name) for that pupil,
so what hangs off it stays: call attempts, messages sent, an opt-out, a parent's sign-in.
All or nothing with row numbers; re-running the same file changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from registers.models import Contact, Pupil, School
from registers.phones import to_e164

from .csvfile import CsvFile, Problems, Row, max_length, open_table

COLUMNS = (
    "upn",
    "priority",
    "name",
    "relationship",
    "phone",
    "email",
    "parental_responsibility",
    "receives_messages",
    "lives_with_pupil",
)
# What the file sets on a contact; address and opt-out are the portal's own.
FIELDS = (
    "name",
    "relationship",
    "phone",
    "email",
    "priority",
    "parental_responsibility",
    "receives_messages",
    "lives_with_pupil",
)
MAX_PRIORITY = 99
# Kept contacts step aside to these priorities first, so that two contacts swapping places
# never meet the one-priority-per-pupil constraint halfway.
_PARKED = 1000


@dataclass
class ContactsResult:
    pupils: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"contacts for {self.pupils} pupil(s): {self.created} created, {self.updated} "
            f"updated, {self.removed} removed, {self.unchanged} unchanged"
        )


def _priority(row: Row) -> int | None:
    value = row.get("priority")
    if not value.isdigit() or not 1 <= int(value) <= MAX_PRIORITY:
        row.fail(f"priority {value!r} is not a whole number from 1 to {MAX_PRIORITY}")
        return None
    return int(value)


def _phone(row: Row) -> str:
    value = row.get("phone")
    if not value:
        return ""
    e164 = to_e164(value)
    if e164 is None:
        row.fail(f"phone {value!r} is not a valid telephone number")
        return ""
    return e164


def _email(row: Row) -> str:
    value = row.get("email")
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        row.fail(f"email {value!r} is not an email address")
        return ""
    if len(value) > max_length(Contact, "email"):
        row.fail(f"email is longer than {max_length(Contact, 'email')} characters")
    return value


def _parse(row: Row) -> dict[str, Any]:
    return {
        "upn": row.get("upn"),
        "priority": _priority(row),
        "name": row.text("name", max_length=max_length(Contact, "name")),
        "relationship": row.text(
            "relationship", max_length=max_length(Contact, "relationship"), required=False
        ),
        "phone": _phone(row),
        "email": _email(row),
        "parental_responsibility": row.flag("parental_responsibility"),
        "receives_messages": row.flag("receives_messages"),
        "lives_with_pupil": row.flag("lives_with_pupil"),
    }


def _read(school: School, file: CsvFile) -> dict[int, list[dict[str, Any]]]:
    """The file's contacts by pupil id, every problem found raised together."""
    table = open_table(file, required=COLUMNS)
    problems = Problems(file.name)
    pupils = dict(Pupil.objects.for_school(school).values_list("upn", "pk"))
    wanted: dict[int, list[dict[str, Any]]] = defaultdict(list)
    seen: dict[tuple[str, int], int] = {}
    for number, values in table.rows(problems):
        row = Row(number, values, table, problems)
        parsed = _parse(row)
        upn, priority = parsed["upn"], parsed["priority"]
        if upn not in pupils:
            row.fail(f"upn {upn!r} is not a pupil of this school; import the pupils first")
        if priority is not None:
            first = seen.setdefault((upn, priority), number)
            if first != number:
                row.fail(f"priority {priority} for {upn} is also on row {first}")
        if row.ok:
            wanted[pupils[upn]].append(parsed)
    problems.raise_if_any()
    return wanted


def _same_person(existing: list[Contact], name: str) -> Contact | None:
    key = name.casefold()
    return next((c for c in existing if c.name.casefold() == key), None)


def import_contacts(*, school: School, file: CsvFile) -> ContactsResult:
    wanted = _read(school, file)
    result = ContactsResult(pupils=len(wanted))
    with transaction.atomic():
        existing: dict[int, list[Contact]] = defaultdict(list)
        for contact in (
            Contact.objects.for_school(school)
            .filter(pupil_id__in=wanted)
            .select_for_update()
            .order_by("pupil_id", "priority")
        ):
            existing[contact.pupil_id].append(contact)
        new: list[Contact] = []
        changed: list[Contact] = []
        removed: list[int] = []
        now = timezone.now()
        for pupil_id, rows in wanted.items():
            left = list(existing[pupil_id])
            for values in rows:
                contact = _same_person(left, values["name"])
                if contact is None:
                    new.append(
                        Contact(school=school, pupil_id=pupil_id, **{f: values[f] for f in FIELDS})
                    )
                    continue
                left.remove(contact)
                if all(getattr(contact, f) == values[f] for f in FIELDS):
                    result.unchanged += 1
                    continue
                for f in FIELDS:
                    setattr(contact, f, values[f])
                contact.updated_at = now
                changed.append(contact)
            removed.extend(c.pk for c in left)
        Contact.objects.filter(pk__in=removed).delete()
        # bulk_update runs no auto_now, hence updated_at above; park, then place.
        final = {c.pk: c.priority for c in changed}
        for i, contact in enumerate(changed):
            contact.priority = _PARKED + i
        Contact.objects.bulk_update(changed, ["priority"], batch_size=500)
        for contact in changed:
            contact.priority = final[contact.pk]
        Contact.objects.bulk_update(changed, [*FIELDS, "updated_at"], batch_size=500)
        Contact.objects.bulk_create(new, batch_size=1000)
        result.created, result.updated, result.removed = len(new), len(changed), len(removed)
    return result
