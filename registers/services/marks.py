"""Recording and amending marks, and saving a whole class register.

Rules kept here (DOMAIN.md §3): a mark belongs to an open session of a school day while the
pupil is on roll; a change to an existing mark is an amendment that keeps the original
code, the new code, the reason, who (name and position) and when, append-only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from registers import codes
from registers.models import Form, Mark, MarkAmendment, Membership, Pupil, Register, SchoolDay
from registers.models.leave import PREFILLED_SOURCES
from registers.services.code_checks import code_problem


class MarkError(ValueError):
    """A mark that cannot be recorded, with a message a user can act on."""


@dataclass(frozen=True)
class Actor:
    """Who is making a change, as the register's history must name them."""

    user: object | None
    name: str
    position: str = ""

    @classmethod
    def for_membership(cls, membership: Membership) -> Actor:
        user = membership.user
        return cls(user, user.get_full_name() or user.username, membership.get_role_display())


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
    history = MarkAmendment(
        school_id=mark.school_id,
        mark=mark,
        pupil_id=mark.pupil_id,
        date=mark.date,
        session=mark.session,
        old_code=mark.code_id,
        new_code=entry.code,
        old_minutes_late=mark.minutes_late,
        new_minutes_late=entry.minutes_late,
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
    mark.save(
        update_fields=["code", "minutes_late", "comment", "source", "recorded_by", "updated_at"]
    )
    history.save()
    return history


def differs(mark: Mark, entry: Entry) -> bool:
    """Whether the entry changes what the register says (code or lateness)."""
    return (mark.code_id, mark.minutes_late) != (entry.code, entry.minutes_late)


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
) -> Mark:
    """Record one pupil's mark, amending (with a reason) if one is already there."""
    school_day = SchoolDay.objects.filter(school_id=pupil.school_id, date=day).first()
    check_session_open(school_day=school_day, day=day, session=session)
    check_entry(pupil=pupil, day=day, code=entry.code, minutes_late=entry.minutes_late)
    mark = Mark.objects.select_for_update().filter(pupil=pupil, date=day, session=session).first()
    if mark is None:
        try:
            # A savepoint: another transaction may insert this session's mark after our
            # read; the unique constraint stops it and this user is told, not a 500.
            with transaction.atomic():
                return Mark.objects.create(
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
            raise MarkError(
                "Someone else recorded a mark for this session a moment ago. "
                "Check it, then change it with a reason if it is wrong."
            ) from None
    if differs(mark, entry):
        if not reason.strip():
            raise MarkError("Give a reason for changing a mark that is already recorded.")
        _amend(mark, entry, actor=actor, reason=reason.strip(), source=source)
    elif mark.comment != entry.comment:
        mark.comment = entry.comment
        mark.save(update_fields=["comment", "updated_at"])
    return mark


def _is_prefilled(mark: Mark | None) -> bool:
    return mark is not None and mark.source in PREFILLED_SOURCES


class StaleRegister(MarkError):
    """Someone else saved this register since it was opened; nothing was written."""

    def __init__(self, current: list[Mark]):
        self.current = current
        super().__init__(
            "Someone else saved this register while you had it open. Their marks are shown; "
            "check them and save again."
        )


@dataclass
class RegisterResult:
    register: Register
    created: int = 0
    amended: int = 0
    unchanged: int = 0
    unmarked: list[int] = field(default_factory=list)


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

    `expected_version` is the register version the user opened; if someone saved since,
    StaleRegister is raised with their changes and nothing is written. Changing a mark
    that was already recorded is an amendment and needs `reason`. With `protect_prefilled`
    (a teacher's register), a mark pre-filled from granted leave or a planned absence cannot
    be changed at all: the whole save is refused, so the office's arrangement is never
    silently overwritten.
    """
    school_day = SchoolDay.objects.filter(school_id=form.school_id, date=day).first()
    check_session_open(school_day=school_day, day=day, session=session)
    register, _ = Register.objects.get_or_create(
        form=form, date=day, session=session, defaults={"school_id": form.school_id}
    )
    register = Register.objects.select_for_update().get(pk=register.pk)
    pupils = {
        p.pk: p
        for p in Pupil.objects.for_school(form.school).filter(pk__in=[e.pupil_id for e in entries])
    }
    existing = {
        m.pupil_id: m
        for m in Mark.objects.select_for_update().filter(
            pupil_id__in=pupils, date=day, session=session
        )
    }
    if register.version != expected_version:
        raise StaleRegister(list(existing.values()))

    result = RegisterResult(register=register)
    errors = []
    for entry in entries:
        pupil = pupils.get(entry.pupil_id)
        if pupil is None:
            errors.append(f"Pupil {entry.pupil_id} is not at this school.")
            continue
        try:
            check_entry(pupil=pupil, day=day, code=entry.code, minutes_late=entry.minutes_late)
        except MarkError as exc:
            errors.append(str(exc))
            continue
        mark = existing.get(pupil.pk)
        if protect_prefilled and _is_prefilled(mark) and differs(mark, entry):
            errors.append(
                f"{pupil.name} has {mark.code_id} from a {mark.get_source_display().lower()}; "
                "only the attendance office can change it."
            )
            continue
        if mark is not None and differs(mark, entry) and not reason.strip():
            errors.append(
                f"{pupil.name} already had {mark.code_id}; give a reason for changing it."
            )
    if errors:
        raise MarkError(" ".join(errors))

    new_marks = []
    for entry in entries:
        mark = existing.get(entry.pupil_id)
        if mark is None:
            new_marks.append(
                Mark(
                    school_id=form.school_id,
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
            result.amended += 1
        else:
            result.unchanged += 1
    try:
        # The register's row lock does not stop the office (record_mark) from recording a
        # first mark for one of these pupils meanwhile: then the unique constraint refuses
        # ours, and this save is stale like any other (the whole save is rolled back).
        with transaction.atomic():
            Mark.objects.bulk_create(new_marks)
    except IntegrityError:
        raise StaleRegister(
            list(Mark.objects.filter(pupil_id__in=pupils, date=day, session=session))
        ) from None
    result.created = len(new_marks)

    register.taken_by = actor.user
    register.taken_at = timezone.now()
    register.version += 1
    register.save(update_fields=["taken_by", "taken_at", "version", "updated_at"])
    return result
