"""Recording and amending marks, and saving a whole class register.

Rules kept here (docs/domain.md §3): a mark belongs to an open session of a school day while the
pupil is on roll; a change to an existing mark is an amendment that keeps the original
code, the new code, the reason, who (name and position) and when, append-only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance_portal.errors import DomainError
from registers import code_rules, codes
from registers.actors import Actor
from registers.models import Form, Mark, MarkAmendment, Pupil, Register, SchoolDay
from registers.models.leave import PREFILLED_SOURCES
from registers.services.code_checks import code_problem
from registers.services.stored_figures import refresh_sessions
from registers.services.versions import (
    advance_registers,
    lock_registers,
    marks_written,
    register_key,
)


class MarkError(DomainError, ValueError):
    """A mark that cannot be recorded, with a message a user can act on."""


@dataclass(frozen=True)
class Entry:
    """One pupil's mark as submitted from a register or an amendment form."""

    pupil_id: int
    code: str
    minutes_late: int | None = None
    comment: str = ""


def check_session_open(*, school_day: SchoolDay | None, day: dt.date, session: str) -> None:
    if session not in ("AM", "PM"):
        raise MarkError(f"Session must be AM or PM, not {session!r}.")
    if school_day is None:
        raise MarkError(f"{day:%A %-d %B %Y} is not a school day.")
    if not school_day.is_open(session):
        raise MarkError(f"The {session} session on {day:%-d %B %Y} is closed.")


def check_entry(*, pupil: Pupil, day: dt.date, code: str, minutes_late: int | None) -> None:
    if code not in codes.BY_CODE:
        raise MarkError(f"{code!r} is not an attendance code.")
    if not pupil.on_roll(day):
        raise MarkError(f"{pupil.name} is not on roll on {day:%-d %B %Y}.")
    if minutes_late is not None and not 0 <= minutes_late <= 600:
        raise MarkError("Minutes late must be between 0 and 600.")
    if problem := code_problem(pupil=pupil, day=day, code=code, minutes_late=minutes_late):
        raise MarkError(problem)


def _amend(mark: Mark, entry: Entry, *, actor: Actor, reason: str, source: str) -> MarkAmendment:
    """Change `mark` to `entry` with its amendment: old and new code, minutes late and
    comment, the reason, who and when. The amendment row goes first: on PostgreSQL and
    SQLite the database refuses a change to a mark without it (migration 0014)."""
    history = MarkAmendment.objects.create(
        school_id=mark.school_id,
        mark=mark,
        pupil_id=mark.pupil_id,
        date=mark.date,
        session=mark.session,
        old_code=mark.code_id,
        new_code=entry.code,
        old_minutes_late=mark.minutes_late,
        new_minutes_late=entry.minutes_late,
        old_comment=mark.comment,
        new_comment=entry.comment,
        mark_version=mark.version + 1,
        reason=reason,
        changed_by=actor.user,
        changed_by_name=actor.name,
        changed_by_role=actor.position,
    )
    mark.code_id = entry.code
    mark.minutes_late = entry.minutes_late
    mark.comment = entry.comment
    mark.source = source
    mark.recorded_by = actor.user
    mark.version += 1
    mark.save(
        update_fields=[
            "code",
            "minutes_late",
            "comment",
            "source",
            "recorded_by",
            "version",
            "updated_at",
        ]
    )
    return history


def _record_creation(mark: Mark, *, actor: Actor, reason: str) -> MarkAmendment:
    """The history row of a new mark: from no code ("") to its code, version 0."""
    if not reason:
        raise MarkError("Give the reason for the history.")
    return MarkAmendment.objects.create(
        school_id=mark.school_id,
        mark=mark,
        pupil_id=mark.pupil_id,
        date=mark.date,
        session=mark.session,
        old_code="",
        new_code=mark.code_id,
        old_minutes_late=None,
        new_minutes_late=mark.minutes_late,
        old_comment="",
        new_comment=mark.comment,
        mark_version=mark.version,
        reason=reason,
        changed_by=actor.user,
        changed_by_name=actor.name,
        changed_by_role=actor.position,
    )


def differs(mark: Mark, entry: Entry) -> bool:
    """Whether the entry changes the recorded mark: its code, minutes late or comment."""
    # Spaces around a comment are no change (the page's fields strip them).
    return (mark.code_id, mark.minutes_late, mark.comment.strip()) != (
        entry.code,
        entry.minutes_late,
        entry.comment.strip(),
    )


def describe(code: str, minutes_late: int | None = None, comment: str = "") -> str:
    """A mark as a message shows it: `L 10 min “bus late”`."""
    text = code + (f" {minutes_late} min" if minutes_late is not None else "")
    return text + (f" “{comment}”" if comment else "")


def recorded_by_name(mark: Mark) -> str:
    user = mark.recorded_by
    return (user.get_full_name() or user.username) if user else "someone"


def change_refusal(*, pupil: Pupil, mark: Mark, entry: Entry) -> str:
    """Why changing `mark` to `entry` needs a reason, showing both marks side by side."""
    return (
        f"{pupil.name} already has {describe(mark.code_id, mark.minutes_late, mark.comment)} "
        f"(recorded by {recorded_by_name(mark)}); you chose "
        f"{describe(entry.code, entry.minutes_late, entry.comment)}. "
        "Give a reason to change it."
    )


@transaction.atomic
def record_mark(
    *,
    pupil: Pupil,
    day: dt.date,
    session: str,
    entry: Entry,
    actor: Actor,
    source: str = Mark.Source.OFFICE,
    reason: str = "",
    audit_new: bool = False,
) -> Mark:
    """Record one pupil's mark, amending (with a reason) if one is already there.

    The pupil's register is locked first and its version advanced when the mark changes,
    so a class register opened before this change cannot be saved over it. With
    `audit_new`, a new mark gets its history row too (from no mark, version 0, with the
    reason): the office's bulk marking is an action on many pupils at once, and its
    history must show who did it and why for every mark, not only the ones it replaced.
    """
    school_day = SchoolDay.objects.filter(school_id=pupil.school_id, date=day).first()
    check_session_open(school_day=school_day, day=day, session=session)
    check_entry(pupil=pupil, day=day, code=entry.code, minutes_late=entry.minutes_late)
    if wrong_session := code_rules.session_problem(entry.code, session):
        raise MarkError(wrong_session)
    registers = lock_registers(
        school_id=pupil.school_id, keys=[register_key(pupil, day, session)]
    ).values()
    mark = (
        Mark.objects.select_for_update(of=("self",))
        .select_related("recorded_by")
        .filter(pupil=pupil, date=day, session=session)
        .first()
    )
    if mark is None:
        try:
            # A savepoint: another transaction may insert this session's mark after our
            # read (a pupil without a form has no register to wait on); the unique
            # constraint stops it and this user is told, not a 500.
            with transaction.atomic():
                created = Mark.objects.create(
                    school_id=pupil.school_id,
                    pupil=pupil,
                    date=day,
                    session=session,
                    code_id=entry.code,
                    minutes_late=entry.minutes_late,
                    comment=entry.comment,
                    source=source,
                    recorded_by=actor.user,
                )
        except IntegrityError:
            theirs = (
                Mark.objects.select_related("recorded_by")
                .filter(pupil=pupil, date=day, session=session)
                .first()
            )
            shown = (
                f": {describe(theirs.code_id, theirs.minutes_late)} by {recorded_by_name(theirs)}"
                if theirs
                else ""
            )
            raise MarkError(
                f"Someone else recorded a mark for {pupil.name} for this session a moment "
                f"ago{shown}; you chose {describe(entry.code, entry.minutes_late)}. "
                "Check it, then change it with a reason if it is wrong."
            ) from None
        if audit_new:
            _record_creation(created, actor=actor, reason=reason.strip())
        advance_registers(registers)
        refresh_sessions(school=pupil.school_id, keys=[(pupil.pk, day)])
        marks_written(school_id=pupil.school_id, keys=[(pupil.pk, day, session)], actor=actor)
        return created
    if differs(mark, entry):
        if not reason.strip():
            raise MarkError(change_refusal(pupil=pupil, mark=mark, entry=entry))
        _amend(mark, entry, actor=actor, reason=reason.strip(), source=source)
        advance_registers(registers)
        refresh_sessions(school=pupil.school_id, keys=[(pupil.pk, day)])
        marks_written(school_id=pupil.school_id, keys=[(pupil.pk, day, session)], actor=actor)
    return mark


def _is_prefilled(mark: Mark | None) -> bool:
    return mark is not None and mark.source in PREFILLED_SOURCES


class StaleRegister(MarkError):
    """Someone else changed this register since it was opened; nothing was written.

    `current` holds the register's marks as they are now (with who recorded them), for
    the page to show beside the user's own choices.
    """

    def __init__(self, current: list[Mark]):
        self.current = current
        super().__init__(
            "Someone else changed this register while you had it open, so nothing of yours "
            "was saved. The page now shows the saved marks; check them and save again."
        )


@dataclass
class RegisterResult:
    register: Register
    created: int = 0
    amended: int = 0
    unchanged: int = 0
    unmarked: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PlannedWrite:
    """One checked entry of a register save and the mark it finds (None: a first mark)."""

    entry: Entry
    mark: Mark | None


def validate_register_entries(
    *,
    day: dt.date,
    entries: list[Entry],
    pupils: dict[int, Pupil],
    session: str = "",
    existing: dict[int, Mark],
    reason: str,
    protect_prefilled: bool,
) -> list[PlannedWrite]:
    """The checking half of save_register: every entry against the rules, every problem
    reported at once (MarkError), nothing written. One check_entry call per mark."""
    planned, errors = [], []
    for entry in entries:
        pupil = pupils.get(entry.pupil_id)
        if pupil is None:
            errors.append(f"Pupil {entry.pupil_id} is not at this school.")
            continue
        if wrong_session := code_rules.session_problem(entry.code, session):
            errors.append(f"{pupil.name}: {wrong_session}")
            continue
        try:
            check_entry(pupil=pupil, day=day, code=entry.code, minutes_late=entry.minutes_late)
        except MarkError as exc:
            errors.append(str(exc))
            continue
        mark = existing.get(pupil.pk)
        if mark is not None and differs(mark, entry):
            if protect_prefilled and _is_prefilled(mark):
                errors.append(
                    f"{pupil.name} has {mark.code_id} from a "
                    f"{mark.get_source_display().lower()}; only the attendance office can "
                    "change it."
                )
                continue
            if not reason.strip():
                errors.append(change_refusal(pupil=pupil, mark=mark, entry=entry))
                continue
        planned.append(PlannedWrite(entry, mark))
    if errors:
        raise MarkError(" ".join(errors))
    return planned


def write_register(
    *,
    register: Register,
    day: dt.date,
    session: str,
    planned: list[PlannedWrite],
    actor: Actor,
    reason: str,
) -> RegisterResult:
    """The writing half of save_register: first marks inserted, changed ones amended,
    then the register stamped and its version advanced (its row is locked)."""
    result = RegisterResult(register=register)
    new_marks, written = [], []
    for write in planned:
        entry, mark = write.entry, write.mark
        if mark is None:
            new_marks.append(
                Mark(
                    school_id=register.school_id,
                    pupil_id=entry.pupil_id,
                    date=day,
                    session=session,
                    code_id=entry.code,
                    minutes_late=entry.minutes_late,
                    comment=entry.comment,
                    source=Mark.Source.REGISTER,
                    recorded_by=actor.user,
                )
            )
        elif differs(mark, entry):
            _amend(mark, entry, actor=actor, reason=reason.strip(), source=Mark.Source.REGISTER)
            written.append((entry.pupil_id, day, session))
            result.amended += 1
        else:
            result.unchanged += 1
    try:
        # A pupil without this form's register lock (e.g. moved form today) can still get
        # a first mark from elsewhere meanwhile: then the unique constraint refuses ours,
        # and this save is stale like any other (the whole save is rolled back).
        with transaction.atomic():
            Mark.objects.bulk_create(new_marks)
    except IntegrityError:
        raise StaleRegister(
            list(
                Mark.objects.select_related("recorded_by").filter(
                    pupil_id__in=[w.entry.pupil_id for w in planned], date=day, session=session
                )
            )
        ) from None
    result.created = len(new_marks)
    if result.created or result.amended:
        refresh_sessions(
            school=register.school_id,
            keys=[(w.entry.pupil_id, day) for w in planned],
        )

    register.taken_by = actor.user
    register.taken_at = timezone.now()
    register.version += 1
    register.save(update_fields=["taken_by", "taken_at", "version", "updated_at"])
    written += [(m.pupil_id, day, session) for m in new_marks]
    marks_written(school_id=register.school_id, keys=written, actor=actor)
    return result


@transaction.atomic
def save_register(
    *,
    form: Form,
    day: dt.date,
    session: str,
    entries: list[Entry],
    actor: Actor,
    expected_version: int,
    reason: str = "",
    protect_prefilled: bool = False,
) -> RegisterResult:
    """Save a class register as one unit: all entries or none.

    `expected_version` is the register version the user opened; if anyone changed one of
    its marks since (another register save, the office, an import: every writer advances
    the version), StaleRegister is raised with the current marks and nothing is written.
    Changing a mark that was already recorded (code, minutes late or comment) is an
    amendment and needs `reason`. With `protect_prefilled` (a teacher's register), a mark
    pre-filled from granted leave or a planned absence cannot be changed at all: the whole
    save is refused, so the office's arrangement is never silently overwritten.
    """
    school_day = SchoolDay.objects.filter(school_id=form.school_id, date=day).first()
    check_session_open(school_day=school_day, day=day, session=session)
    (register,) = lock_registers(school_id=form.school_id, keys=[(form.pk, day, session)]).values()
    pupils = {
        p.pk: p
        for p in Pupil.objects.for_school(form.school).filter(pk__in=[e.pupil_id for e in entries])
    }
    existing = {
        m.pupil_id: m
        for m in Mark.objects.select_for_update(of=("self",))
        .select_related("recorded_by")
        .filter(pupil_id__in=pupils, date=day, session=session)
    }
    if register.version != expected_version:
        raise StaleRegister(list(existing.values()))
    planned = validate_register_entries(
        day=day,
        session=session,
        entries=entries,
        pupils=pupils,
        existing=existing,
        reason=reason,
        protect_prefilled=protect_prefilled,
    )
    return write_register(
        register=register, day=day, session=session, planned=planned, actor=actor, reason=reason
    )
