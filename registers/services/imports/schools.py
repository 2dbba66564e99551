"""Setting up a school from the command line (or a trust's script)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError
from django.db import models, transaction

from registers.models import School, Trust

from .csvfile import ImportFailed, Problems, RowError, max_length


def find_school(urn: str) -> School:
    school = School.objects.select_related("trust").filter(urn=urn.strip()).first()
    if school is None:
        raise ImportFailed([RowError(f"no school with URN {urn!r}; run setup_school first")])
    return school


@dataclass(frozen=True)
class SchoolResult:
    school: School
    created: bool
    changed: bool


@transaction.atomic
def setup_school(
    *,
    urn: str,
    name: str,
    phase: str,
    trust_name: str | None = None,
    require_mfa: bool | None = None,
    la_number: str | None = None,
    establishment_number: str | None = None,
) -> SchoolResult:
    """Create or update a school by URN. Without `trust_name` the school's trust is kept;
    without `require_mfa` its sign-in policy is (off for a new school); without
    `la_number` / `establishment_number` (the DfE number the Common Transfer File names the
    school by) those are kept."""
    urn, name = urn.strip(), name.strip()
    problems = Problems()
    field_checks = {"urn": urn, "name": name}
    dfe_number = {
        f: v.strip()
        for f, v in (("la_number", la_number), ("establishment_number", establishment_number))
        if v is not None
    }
    field_checks.update(dfe_number)
    for field_name, value in field_checks.items():
        try:
            # The checked names are School's own columns (concrete fields, never relations).
            cast("models.Field", School._meta.get_field(field_name)).clean(value, None)
        except ValidationError as exc:
            problems.add(f"{field_name}: {' '.join(exc.messages)}")
    if phase not in School.Phase.values:
        problems.add(f"phase {phase!r} is not one of {', '.join(School.Phase.values)}")
    trust_name = trust_name.strip() if trust_name is not None else None
    if trust_name == "":
        problems.add("trust name is empty")
    elif trust_name and len(trust_name) > max_length(Trust, "name"):
        problems.add("trust name is too long")
    problems.raise_if_any()

    wanted: dict[str, object] = {"name": name, "phase": phase, **dfe_number}
    if trust_name:
        wanted["trust"] = Trust.objects.get_or_create(name=trust_name)[0]
    if require_mfa is not None:
        wanted["require_mfa"] = require_mfa
    school = School.objects.select_for_update().filter(urn=urn).first()
    if school is None:
        return SchoolResult(School.objects.create(urn=urn, **wanted), created=True, changed=True)
    changed = [f for f, value in wanted.items() if getattr(school, f) != value]
    for f in changed:
        setattr(school, f, wanted[f])
    if changed:
        school.save(update_fields=[*changed, "updated_at"])
    return SchoolResult(school, created=False, changed=bool(changed))
