"""Write the generated demo data with bulk inserts: no per-row saves, so a two-year school
of 420 pupils (about 200,000 marks) loads in seconds on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterable
from itertools import islice

from django.db import connection
from django.utils import timezone

from registers import flags
from registers.models import Contact, Form, Mark, Pupil, Register, School

from .marks import MarkSpec
from .people import PupilSpec

BATCH = 5000
Source = Mark.Source
# Who would have entered each code: the class teacher at registration, or the office
# afterwards (a reason established by phone, a leave request, a planned visit).
SOURCES = {
    "I": Source.OFFICE,
    "O": Source.OFFICE,
    "G": Source.OFFICE,
    "U": Source.OFFICE,
    "M": Source.LEAVE,
    "C": Source.LEAVE,
    "C2": Source.LEAVE,
    "V": Source.PLANNED,
}


def store_forms(*, school: School, names: list[str]) -> dict[str, Form]:
    existing = {f.name: f for f in Form.objects.for_school(school)}
    Form.objects.bulk_create(
        [Form(school=school, name=name) for name in names if name not in existing]
    )
    return {f.name: f for f in Form.objects.for_school(school)}


def store_pupils(
    *, school: School, roll: list[PupilSpec], forms: dict[str, Form]
) -> dict[int, int]:
    """Insert the pupils and their contacts; returns pupil key -> primary key."""
    rows = [
        Pupil(
            school=school,
            upn=p.upn,
            surname=p.surname,
            forename=p.forename,
            date_of_birth=p.date_of_birth,
            year_group=p.year_group,
            form=forms[p.form] if p.form else None,
            admission_date=p.admission,
            leaving_date=p.leaving,
            gender=p.gender,
            **flags.values_of(p),
        )
        for p in roll
    ]
    Pupil.objects.bulk_create(rows, batch_size=BATCH)
    ids = {p.key: row.pk for p, row in zip(roll, rows, strict=True)}
    contacts = [
        Contact(
            school=school,
            pupil_id=ids[p.key],
            name=c.name,
            relationship=c.relationship,
            phone=c.phone,
            email=c.email,
            address=c.address,
            priority=c.priority,
            parental_responsibility=c.relationship != "Foster carer",
            lives_with_pupil=c.lives_with_pupil,
            receives_messages=c.receives_messages,
        )
        for p in roll
        for c in p.contacts
    ]
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    return ids


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert value tuples straight through the DB-API cursor.

    bulk_create spends ~100µs a row preparing values (and Django caps SQLite at 999
    parameters, so 83 marks a statement); for 200,000 marks that is most of a minute.
    The values here are already adapted, and every constraint is still checked by the
    database, which is the authority on them anyway.
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Names come from the model, values go as parameters: nothing user-supplied is spliced.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(sql + one, rows)  # in-process: executemany is fastest
            return
        if hasattr(cursor, "copy_expert"):  # psycopg2: COPY is the bulk path PostgreSQL has
            table = f"{quote(model._meta.db_table)} ({columns})"
            cursor.copy_expert(f"COPY {table} FROM STDIN", io.StringIO(_copy_text(rows)))
            return
        # Elsewhere executemany is a round trip per row: send multi-row VALUES instead.
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            cursor.execute(sql + ", ".join([one] * len(chunk)), [v for r in chunk for v in r])


# COPY's text format escapes: the afternoon present mark is itself a backslash.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(rows: list[tuple]) -> str:
    """Rows in COPY's text format: tab-separated, with \\N for NULL."""
    return "".join(
        "\t".join(
            "\\N" if v is None else v.translate(COPY_ESCAPES) if isinstance(v, str) else str(v)
            for v in row
        )
        + "\n"
        for row in rows
    )


MARK_FIELDS = [
    "school",
    "pupil",
    "date",
    "session",
    "code",
    "minutes_late",
    "comment",
    "source",
    "recorded_by",
    "created_at",
    "updated_at",
]


def store_marks(
    *,
    school: School,
    marks: Iterable[MarkSpec],
    pupil_ids: dict[int, int],
    teacher_of: dict[int, int | None],
    office_user_id: int | None,
) -> int:
    """Insert marks in batches as they are generated, so memory stays flat."""
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(timezone.now())
    dates: dict[dt.date, object] = {}
    stream = iter(marks)
    total = 0
    while chunk := list(islice(stream, BATCH)):
        rows = []
        for m in chunk:
            source = SOURCES.get(m.code, Source.REGISTER)
            date = dates.get(m.date) or dates.setdefault(m.date, ops.adapt_datefield_value(m.date))
            recorder = teacher_of[m.pupil_key] if source == Source.REGISTER else office_user_id
            rows.append(
                (
                    school.pk,
                    pupil_ids[m.pupil_key],
                    date,
                    m.session,
                    m.code,
                    m.minutes_late,
                    m.comment,
                    str(source),
                    recorder,
                    stamp,
                    stamp,
                )
            )
        _insert(Mark, MARK_FIELDS, rows)
        total += len(rows)
    return total


def store_registers(
    *,
    school: School,
    taken: set[tuple[str, dt.date, str]],
    forms: dict[str, Form],
    teachers: dict[str, int],
    rng: random.Random,
) -> int:
    """One Register per form and session that has marks, taken within the first minutes
    of the session (registration opens at 08:50 and 13:15)."""
    opens = {"AM": dt.time(8, 50), "PM": dt.time(13, 15)}
    tz = timezone.get_current_timezone()
    rows = []
    for form, date, session in sorted(taken):
        taken_at = dt.datetime.combine(date, opens[session], tzinfo=tz) + dt.timedelta(
            minutes=rng.randint(1, 9), seconds=rng.randint(0, 59)
        )
        rows.append(
            Register(
                school=school,
                form=forms[form],
                date=date,
                session=session,
                taken_by_id=teachers.get(form),
                taken_at=taken_at,
                version=1,
            )
        )
    Register.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
