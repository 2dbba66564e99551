"""Performance benchmarks: one module per screen or job, each with a main().

Run one with `python -m benchmarks.<module>` or all of them with `make bench`
(`python -m benchmarks.run`). Results go into docs/benchmarks.md, one section each.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(section: str, heading: str, path: Path = DOCS) -> None:
    """Replace the section under `heading` of docs/benchmarks.md (or append it), leaving
    the other benchmarks' sections alone."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    start = text.find(heading + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(heading))
        rest = "\n" + text[end + 1 :] if end != -1 else ""  # a blank line before the next
        text = text[:start] + section.rstrip("\n") + "\n" + rest
    path.write_text(text.rstrip("\n") + "\n")


def pupil_flags(rng: random.Random) -> dict:
    """A synthetic pupil's contextual flags, at roughly national rates (a quarter pupil
    premium, one in six with SEN support or an EHC plan …). Drawn in a fixed order, so a
    seed gives the same pupils every time."""
    return {
        "pupil_premium": rng.random() < 0.25,
        "fsm": rng.random() < 0.22,
        "sen": rng.choices("NKE", weights=[84, 13, 3])[0],
        "eal": rng.random() < 0.18,
        "cin": rng.random() < 0.03,
        "cla": rng.random() < 0.01,
        "young_carer": rng.random() < 0.02,
    }


def forms_and_pupils(school, *, forms: int, pupils: int, fields: Callable[[int], dict]) -> list:
    """`forms` forms (7A … 11K) and `pupils` synthetic pupils spread over them, in bulk;
    fields(n) adds each pupil's own fields (called in pupil order, so a seeded generator
    gives the same pupils every time). Returns the pupils."""
    from registers.models import Form, Pupil

    made = Form.objects.bulk_create(
        [Form(school=school, name=f"{7 + n // 10}{'ABCDEFGHJK'[n % 10]}") for n in range(forms)]
    )
    return Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                upn=f"B{n:011d}{n % 10}",
                forename=f"Forename{n}",
                surname=f"Surname{n}",
                date_of_birth=dt.date(2012, 1, 1),
                year_group=str(7 + (n % forms) // 10),
                form=made[n % forms],
                admission_date=dt.date(2020, 9, 1),
                **fields(n),
            )
            for n in range(pupils)
        ]
    )
