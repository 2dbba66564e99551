"""Register versions: every write that changes a mark advances its register's version.

A class register is saved against the version the user opened (save_register); a save from
a page opened before anyone else changed one of its marks (the office's amend page, the
first-day calling list, leave, a planned absence, an import) must be refused as stale.
So every writer of marks locks the registers it touches first, then the marks, then
advances the version of each register whose marks it changed. Registers first, always:
save_register locks its register before its marks, and the same order everywhere means
two writers wait for each other instead of deadlocking.

A register that does not exist yet is created untaken (no taken_by, no taken_at): the day's
lists count a register as taken only once a class register was saved.

Every writer of marks also calls `marks_written` after its writes, in the same transaction,
so that modules built on the statutory marks (lesson registers' internal-truancy alerts:
registers.lessons) follow a change whoever made it. registers' core does not import them:
they register their hook when their app loads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db.models import F
from django.utils import timezone

from registers.models import Register

if TYPE_CHECKING:
    from registers.actors import Actor

# (form id, date, session): a pupil without a form has no register (form id None).
RegisterKey = tuple[int | None, dt.date, str]

# (pupil id, date, session) of a statutory mark that was created or changed.
MarkKey = tuple[int, dt.date, str]
CHUNK = 900  # SQLite's limit on parameters, with room to spare

# Called as hook(school_id=, keys=, actor=) after marks were written, inside the writer's
# transaction: what a hook writes commits or rolls back with the marks.
MarksHook = Callable[..., None]
_marks_hooks: list[MarksHook] = []


def register_marks_hook(hook: MarksHook) -> None:
    """Add a hook every writer of marks calls after its writes (idempotent by identity)."""
    if hook not in _marks_hooks:
        _marks_hooks.append(hook)


def marks_written(*, school_id: int, keys: Iterable[MarkKey], actor: Actor) -> None:
    """Tell the registered hooks that the statutory marks of `keys` were created or changed
    by `actor`. Nothing to do (and no query) when no mark changed."""
    wanted = sorted(set(keys), key=lambda k: (k[1], k[2], k[0]))
    if not wanted:
        return
    for hook in _marks_hooks:
        hook(school_id=school_id, keys=wanted, actor=actor)


def register_key(pupil, day: dt.date, session: str) -> RegisterKey:
    return (pupil.form_id, day, session)


def lock_registers(*, school_id: int, keys: Iterable[RegisterKey]) -> dict[RegisterKey, Register]:
    """Lock the registers of `keys` (creating the missing ones), in one order for all."""
    wanted = sorted({k for k in keys if k[0] is not None}, key=lambda k: (k[1], k[2], k[0]))
    if not wanted:
        return {}
    forms = {form_id for form_id, _, _ in wanted}
    first, last = wanted[0][1], wanted[-1][1]

    def locked() -> dict[RegisterKey, Register]:
        rows = (
            Register.objects.select_for_update()
            .filter(school_id=school_id, form_id__in=forms, date__gte=first, date__lte=last)
            .order_by("date", "session", "form_id")
        )
        return {(r.form_id, r.date, r.session): r for r in rows}

    found = locked()
    missing = [k for k in wanted if k not in found]
    if missing:
        # Another writer may create one of them meanwhile: its row wins, ours is skipped.
        Register.objects.bulk_create(
            [Register(school_id=school_id, form_id=f, date=d, session=s) for f, d, s in missing],  # type: ignore[misc]
            ignore_conflicts=True,
        )
        found = locked()
    return {k: found[k] for k in wanted}


def advance_registers(registers: Iterable[Register]) -> None:
    """Advance the version of each register (locked by lock_registers) by one."""
    pks = sorted({r.pk for r in registers})
    now = timezone.now()
    for start in range(0, len(pks), CHUNK):
        Register.objects.filter(pk__in=pks[start : start + CHUNK]).update(
            version=F("version") + 1, updated_at=now
        )
