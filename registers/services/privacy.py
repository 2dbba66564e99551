"""Data protection: everything held on one pupil (a subject access request), and removal of
pupils once the registers no longer have to be kept.

Registers must be kept for at least six years (SI 2024/208 reg 7; docs/domain.md §3), so the
database refuses to delete marks and their history (migration 0007). The retention purge
is the one path allowed through: it opens a "purge window" inside its own transaction,
which the triggers check, and closes it before committing.

Both functions find the pupil's data by following every foreign key that points at the
pupil, at any depth (marks → amendments, cases → events, letters, …), so a table added
later is exported and purged without a change here.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import io
import json
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import cast

from django.core import serializers
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from attendance_portal.errors import DomainError
from registers.actors import Actor
from registers.models import Pupil, School
from registers.models.privacy import RetentionPurge
from registers.services.partitions import drop_empty_mark_partitions

RETENTION_YEARS = 6

# The purge window. The names are repeated in migration 0007, which must not import code.
POSTGRES_SETTING = "portal.retention_purge"
SQLITE_GUARD_TABLE = "registers_history_guard"


class PurgeRefused(DomainError):
    """Nothing was removed; the message says why and what to do."""


# -- the purge window --------------------------------------------------------------------------


def _set_window(using: str, is_open: bool) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # is_local=true: SET LOCAL, which ends with the transaction whatever happens.
            cursor.execute(
                "SELECT set_config(%s, %s, true)", [POSTGRES_SETTING, "on" if is_open else "off"]
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                f"UPDATE {SQLITE_GUARD_TABLE} SET purge_open = %s WHERE id = 1",  # noqa: S608
                [int(is_open)],
            )


@contextmanager
def history_deletion_window(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let this transaction delete marks, amendments and case events.

    For the retention purge (and a whole-database flush) only. The window is opened in a
    savepoint: if the body fails, the rollback closes it again, on PostgreSQL (SET LOCAL
    is transactional) and SQLite (the guard row update is rolled back) alike.
    """
    with transaction.atomic(using=using):
        _set_window(using, True)
        yield
        _set_window(using, False)


# -- following the foreign keys to a pupil -------------------------------------------------------

# Rows removed with the row they point at. SET_NULL rows (a call's contact, …) outlive it.
_REMOVED_WITH_PARENT = frozenset({models.CASCADE, models.PROTECT, models.RESTRICT})


def _reverse_relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    # include_hidden: history rows point at the pupil with related_name="+".
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if isinstance(f, models.ForeignObjectRel)
        and f.auto_created
        and not f.concrete
        and (f.one_to_many or f.one_to_one)
    ]


def dependent_rows(
    model: type[models.Model],
    rows: models.QuerySet,
    *,
    removed_only: bool,
    ancestors: tuple[type[models.Model], ...] = (),
) -> list[tuple[type[models.Model], models.QuerySet]]:
    """Every queryset of rows pointing at `rows`, at any depth, deepest first.

    Deepest first is the order deletion needs: a row is only deleted after everything
    that PROTECTs it. `removed_only` follows only the foreign keys whose rows go with
    their parent (a purge); otherwise every one (an export).
    """
    found: list[tuple[type[models.Model], models.QuerySet]] = []
    for relation in _reverse_relations(model):
        # A reverse relation's model is the class holding the foreign key (never "self").
        child = cast("type[models.Model]", relation.related_model)
        if child in ancestors or child is model:
            continue
        if removed_only and relation.on_delete not in _REMOVED_WITH_PARENT:
            continue
        children = child._base_manager.filter(**{f"{relation.field.name}__in": rows})
        found += dependent_rows(
            child, children, removed_only=removed_only, ancestors=(*ancestors, model)
        )
        found.append((child, children))
    return found


def _by_model(
    found: list[tuple[type[models.Model], models.QuerySet]],
) -> dict[type[models.Model], models.QuerySet]:
    """One queryset per model: a row reached by two paths (a letter via its pupil and via
    its case) is one row."""
    grouped: dict[type[models.Model], list[models.QuerySet]] = defaultdict(list)
    for model, rows in found:
        grouped[model].append(model._base_manager.filter(pk__in=rows.values("pk")))
    return {model: reduce(or_, querysets) for model, querysets in grouped.items()}


def _file_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]


# -- subject access request ---------------------------------------------------------------------


def _rows_as_data(rows: models.QuerySet) -> list[dict]:
    return [
        {"id": item["pk"], **item["fields"]}
        for item in serializers.serialize("python", rows.order_by("pk"))
    ]


def export_pupil_data(*, pupil: Pupil) -> bytes:
    """A ZIP of everything held on the pupil: pupil.json (the pupil and every row that
    refers to them, by table) and the stored files (letters) under files/."""
    root = Pupil.objects.filter(pk=pupil.pk)
    related = _by_model(dependent_rows(Pupil, root, removed_only=False))
    records = {
        model._meta.label: _rows_as_data(rows)
        for model, rows in sorted(related.items(), key=lambda item: item[0]._meta.label)
    }
    document = {
        "about": (
            "Everything the attendance portal holds on this pupil, as of the time below: "
            "the pupil's details, then every record that refers to them, by table."
        ),
        "generated_at": timezone.now(),
        "school": {"urn": pupil.school.urn, "name": pupil.school.name},
        "pupil": _rows_as_data(root)[0],
        "records": records,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        missing = []
        for model, rows in related.items():
            for name in _file_fields(model):
                for stored in rows.exclude(**{name: ""}).values_list(name, flat=True):
                    try:
                        with default_storage.open(stored, "rb") as handle:
                            archive.writestr(f"files/{stored}", handle.read())
                    except FileNotFoundError:  # listed in the data, say so rather than fail
                        missing.append(stored)
        document["files_missing"] = missing
        archive.writestr("pupil.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2))
    return out.getvalue()


# -- retention purge -------------------------------------------------------------------------------


def retention_cutoff(today: dt.date) -> dt.date:
    """Pupils who left before this day left more than six full years ago."""
    try:
        return today.replace(year=today.year - RETENTION_YEARS)
    except ValueError:  # 29 February: six years back there is none
        return today.replace(year=today.year - RETENTION_YEARS, day=28)


def upn_digest(*, school: School, upn: str) -> str:
    """What the audit keeps instead of a UPN (salted with the URN so that digests cannot be
    compared across schools)."""
    return hashlib.sha256(f"{school.urn}:{upn}".encode()).hexdigest()


def command_actor(command: str) -> Actor:
    """The audit names the command and, where the OS knows it, who ran it."""
    try:
        return Actor(None, f"{command} (run by {getpass.getuser()})", "command line")
    except (KeyError, OSError):  # no login name in some containers and cron jobs
        return Actor(None, command, "command line")


@dataclass
class PurgeResult:
    school: School
    run_on: dt.date
    left_before: dt.date
    pupil_count: int
    rows_removed: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    audit: RetentionPurge | None = None
    # Academic years whose marks partition the purge dropped, empty (PostgreSQL only).
    partitions_dropped: list[int] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        years = ", ".join(f"{y}-{(y + 1) % 100:02d}" for y in self.partitions_dropped)
        dropped = f"; dropped the empty marks partition of {years}" if years else ""
        if not self.pupil_count:
            return (
                f"no pupil of {self.school} left before {self.left_before}; "
                f"nothing to remove{dropped}"
            )
        tables = ", ".join(f"{label} {n}" for label, n in sorted(self.rows_removed.items()))
        return (
            f"{verb} {self.pupil_count} pupil(s) of {self.school} who left before "
            f"{self.left_before} ({tables}){dropped}"
        )


def _drop_empty_years(left_before: dt.date) -> list[int]:
    with history_deletion_window():
        return drop_empty_mark_partitions(before=left_before)


# Another app may hold work on a pupil that the purge must not destroy (escalation: an open
# case). Registers is the bottom layer and imports no app above it, so such an app says so
# itself: it registers a guard in its AppConfig.ready() (escalation/apps.py). A guard is
# given the pupils due for removal and raises PurgeRefused to stop the purge.
PurgeGuard = Callable[[models.QuerySet], None]
_purge_guards: list[PurgeGuard] = []


def register_purge_guard(guard: PurgeGuard) -> None:
    """Run `guard(pupils)` before every purge removes anything (once, however often it is
    registered)."""
    if guard not in _purge_guards:
        _purge_guards.append(guard)


def _remove_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def purge_expired_pupils(
    *, school: School, today: dt.date, actor: Actor, dry_run: bool = False
) -> PurgeResult:
    """Remove the school's pupils who left more than six full years before `today`, with
    everything that refers to them, and record the purge. All or nothing."""
    if today > timezone.localdate():
        # Counting back from a future day would cut the six years short.
        raise PurgeRefused(f"{today} is in the future; nothing was removed.")
    left_before = retention_cutoff(today)
    with transaction.atomic():
        expired = list(
            Pupil.objects.for_school(school)
            .filter(leaving_date__lt=left_before)
            .select_for_update()
            .values_list("pk", "upn")
        )
        result = PurgeResult(school, today, left_before, len(expired), dry_run=dry_run)
        if not expired:
            if not dry_run:
                result.partitions_dropped = _drop_empty_years(left_before)
            return result
        root = Pupil.objects.filter(pk__in=[pk for pk, _ in expired])
        for guard in _purge_guards:
            guard(root)
        found = dependent_rows(Pupil, root, removed_only=True)
        if dry_run:
            counts = {m._meta.label: rows.count() for m, rows in _by_model(found).items()}
            result.rows_removed = {label: n for label, n in counts.items() if n}
            result.rows_removed[Pupil._meta.label] = len(expired)
            return result

        removed: Counter[str] = Counter()
        files: list[str] = []
        with history_deletion_window():
            batches: list[tuple[type[models.Model], models.QuerySet]] = [*found, (Pupil, root)]
            for model, rows in batches:
                for name in _file_fields(model):
                    files += rows.exclude(**{name: ""}).values_list(name, flat=True)
                removed.update(rows.delete()[1])
            result.partitions_dropped = drop_empty_mark_partitions(before=left_before)
        result.rows_removed = {label: n for label, n in sorted(removed.items()) if n}
        result.audit = RetentionPurge.objects.create(
            school=school,
            run_on=today,
            left_before=left_before,
            pupil_count=len(expired),
            rows_removed=result.rows_removed,
            upn_digests=sorted(upn_digest(school=school, upn=upn) for _, upn in expired),
            actor=actor.user,
            actor_name=actor.name,
        )
        # Stored files (letters) go once the rows are gone for good.
        transaction.on_commit(lambda: _remove_files(files))
    return result
