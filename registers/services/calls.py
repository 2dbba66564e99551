"""First-day calling: log a call about an unexplained absence and, when the family gave a
reason (or the pupil turned up late), replace that day's N marks through record_mark so
the register's history says who changed the mark, why and when (docs/domain.md §3, §9).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from registers import codes
from registers.actors import Actor
from registers.models import CallAttempt, Contact, Mark, Pupil
from registers.services.marks import Entry, MarkError, record_mark
from registers.services.versions import lock_registers, register_key

Outcome = CallAttempt.Outcome

# The reasons families most often give on the phone, first in the picker.
COMMON_REASON_CODES = ("I", "M", "C", "O", "G", "U")
# Any other code may be given too, except the ones a phone call cannot establish: N is
# what is being replaced, the present marks belong to the register (a late arrival has its
# own outcome), and the administrative codes are not reasons for absence.
REASON_CODES = frozenset(codes.BY_CODE) - {codes.UNEXPLAINED_CODE, "/", "\\", "L", "Z", "#"}


class CallError(MarkError):
    """A call that cannot be logged, with a message the officer can act on."""


def late_code(*, minutes_late: int, register_open_minutes: int) -> str:
    """L if the pupil arrived while the register was still open, else U (reg 10 Table 1).

    The register stays open for `register_open_minutes` after it begins; arriving at that
    very minute still counts as before it closed.
    """
    return "L" if minutes_late <= register_open_minutes else "U"


def _who(contact: Contact | None) -> str:
    if contact is None:
        return "family"
    return f"{contact.name} ({contact.relationship})" if contact.relationship else contact.name


def call_reason(*, contact: Contact | None, code: str, note: str) -> str:
    """The amendment reason: 'First-day call: <who said what>'."""
    said = f"{code} – {codes.BY_CODE[code].meaning}"
    if note:
        said = f"{said}: {note}"
    return f"First-day call: {_who(contact)} said {said}"[:500]


def _validate(
    *,
    pupil: Pupil,
    outcome: str,
    code: str | None,
    contact: Contact | None,
    minutes_late: int | None,
) -> None:
    if outcome not in Outcome.values:
        raise CallError(f"{outcome!r} is not a call outcome.")
    if contact is not None and (
        contact.pupil_id != pupil.pk or contact.school_id != pupil.school_id
    ):
        raise CallError(f"That contact is not one of {pupil.name}'s contacts.")
    if outcome == Outcome.REASON and code not in REASON_CODES:
        raise CallError("Choose the code for the reason the family gave.")
    if outcome == Outcome.ARRIVED_LATE and minutes_late is None:
        raise CallError("Give how many minutes after the register began the pupil arrived.")


@transaction.atomic
def log_call(
    *,
    pupil: Pupil,
    day: dt.date,
    outcome: str,
    code: str | None,
    contact: Contact | None,
    note: str,
    actor: Actor,
    minutes_late: int | None = None,
    session: str | None = None,
) -> CallAttempt:
    """Store one call attempt; a reason or a late arrival also replaces the N mark(s).

    A reason replaces every N mark of the day; a late arrival replaces the N mark of
    `session` (by default the first N session of the day) with L or U. Nothing is written
    if any part fails.
    """
    note = note.strip()
    _validate(pupil=pupil, outcome=outcome, code=code, contact=contact, minutes_late=minutes_late)
    # The pupil's registers of the day first (record_mark advances their versions, so a
    # class register opened before this call cannot be saved over it), then the day's N
    # marks: two officers calling the same family at once serialise here and the second
    # sees the absence already resolved. Registers before marks, as every writer does.
    lock_registers(
        school_id=pupil.school_id,
        keys=[register_key(pupil, day, "AM"), register_key(pupil, day, "PM")],
    )
    unexplained = list(
        Mark.objects.filter(school_id=pupil.school_id)
        .select_for_update()
        .filter(pupil=pupil, date=day)
        .unexplained()
        .order_by("session")
    )
    if not unexplained:
        raise CallError(
            f"{pupil.name} has no unexplained absence on {day:%-d %B %Y}; "
            "someone may have resolved it already."
        )

    if outcome == Outcome.REASON:
        targets = unexplained
    elif outcome == Outcome.ARRIVED_LATE:
        targets = [m for m in unexplained if session in (None, "", m.session)][:1]
        if not targets:
            raise CallError(f"{pupil.name} has no unexplained {session} mark on that day.")
        code = late_code(
            minutes_late=minutes_late or 0,
            register_open_minutes=pupil.school.register_open_minutes,
        )
    else:
        targets, code = [], None

    if targets:
        assert code is not None
        reason = call_reason(contact=contact, code=code, note=note)
        late = minutes_late if outcome == Outcome.ARRIVED_LATE else None
        for mark in targets:
            record_mark(
                pupil=pupil,
                day=day,
                session=mark.session,
                entry=Entry(pupil.pk, code, minutes_late=late, comment=mark.comment),
                actor=actor,
                source=Mark.Source.CALLING,
                reason=reason,
            )

    return CallAttempt.objects.create(
        school_id=pupil.school_id,
        pupil=pupil,
        date=day,
        called_by=actor.user,
        contact=contact,
        outcome=outcome,
        code_given_id=code,
        note=note[:300],
    )
