"""Internal-truancy alerts (docs/domain.md §11): raised and withdrawn by a lesson register's
save, closed by the officer's outcome; every step an AlertEvent (who, when, what). And the
correction of a statutory mark a lesson suggests, through the audited amendment."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from attendance_portal.errors import DomainError
from registers.actors import Actor
from registers.lessons import rules
from registers.lessons.models import AlertEvent, LessonMark, LessonRegister, TruancyAlert
from registers.lessons.selectors.day import period_starts
from registers.models import Mark, Pupil
from registers.services.marks import Entry, record_mark
from registers.services.versions import CHUNK, MarkKey

Status = TruancyAlert.Status


class AlertError(DomainError, ValueError):
    """An outcome or correction that cannot be recorded; the message says why."""


def _event_row(
    alert: TruancyAlert, action: str, actor: Actor, *, outcome: str = "", note: str = ""
) -> AlertEvent:
    return AlertEvent(
        school_id=alert.school_id,
        alert=alert,
        action=action,
        outcome=outcome,
        note=note,
        actor=actor.user,
        actor_name=actor.name,
        actor_role=actor.position,
    )


def _event(alert: TruancyAlert, action: str, actor: Actor, *, outcome: str = "", note: str = ""):
    _event_row(alert, action, actor, outcome=outcome, note=note).save()


def _last_seen(register: LessonRegister, pupil_ids: list[int]) -> dict[int, LessonMark]:
    """Each pupil's last lesson of the day before this one in which they were seen."""
    starts = register.lesson.period.start_time
    seen = (
        LessonMark.objects.filter(
            school_id=register.school_id,
            date=register.date,
            pupil_id__in=pupil_ids,
            kind__in=[k.value for k in rules.SEEN],
            register__lesson__period__start_time__lt=starts,
        )
        .select_related("register__lesson__period", "register__lesson__teaching_class")
        .order_by("register__lesson__period__start_time")
    )
    return {mark.pupil_id: mark for mark in seen}  # the latest wins


def sync_alerts(
    *,
    register: LessonRegister,
    kinds: dict[int, str],
    statutory: dict[int, str | None],
    actor: Actor,
    arrived_after: frozenset[int] | set[int] = frozenset(),
) -> tuple[list[int], list[int]]:
    """Raise an alert for each pupil in school at registration and absent here (not those
    of `arrived_after`, late only after the lesson ended); withdraw the open alert of a
    pupil whose lesson mark was corrected. Returns (raised, withdrawn)."""
    truants = [
        p
        for p, kind in kinds.items()
        if rules.is_internal_truancy(
            statutory.get(p), kind, arrived_before_lesson_ended=p not in arrived_after
        )
    ]
    existing = {a.pupil_id: a for a in TruancyAlert.objects.filter(register=register)}
    last_seen = _last_seen(register, [p for p in truants if p not in existing])
    raised, withdrawn = [], []
    new = [
        TruancyAlert(
            school_id=register.school_id,
            pupil_id=pupil_id,
            register=register,
            date=register.date,
            session=register.session,
            statutory_code=statutory[pupil_id] or "",
            last_seen=last_seen.get(pupil_id),
        )
        for pupil_id in truants
        if pupil_id not in existing
    ]
    # In bulk (a register of 30 may raise several at once): the rows, then their events.
    TruancyAlert.objects.bulk_create(new)
    AlertEvent.objects.bulk_create(_event_row(alert, "raised", actor) for alert in new)
    raised += [alert.pk for alert in new]
    for pupil_id in truants:
        alert = existing.get(pupil_id)
        if alert is not None and alert.status == Status.WITHDRAWN:
            alert.status = Status.OPEN
            alert.save(update_fields=["status", "updated_at"])
            _event(alert, "raised", actor, note="absent again on a later save")
            raised.append(alert.pk)
    for pupil_id, alert in existing.items():
        if pupil_id not in truants and alert.status == Status.OPEN and pupil_id in kinds:
            alert.status = Status.WITHDRAWN
            alert.save(update_fields=["status", "updated_at"])
            note = (
                f"lesson mark changed to {rules.KIND_LABELS[rules.Kind(kinds[pupil_id])].lower()}"
            )
            _event(alert, "withdrawn", actor, note=note)
            withdrawn.append(alert.pk)
    return raised, withdrawn


def follow_statutory_marks(*, school_id: int, keys: list[MarkKey], actor: Actor) -> None:
    """Re-evaluate the alerts of lessons a pupil was marked absent from when their statutory
    mark of that session changes (registers.services.versions.marks_written, inside the
    writer's transaction): present or late at the AM/PM register, the late book or an
    office amendment after the lesson register raises the alert; an absence code that
    explains the lesson (illness, I; authorised leave…) withdraws an open one. An outcome
    the officer recorded stands. A school without lesson registers pays one indexed query."""
    wanted = set(keys)
    absences = [
        m
        for start in range(0, len(keys), CHUNK)
        for m in LessonMark.objects.filter(
            school_id=school_id,
            pupil_id__in={p for p, _, _ in keys[start : start + CHUNK]},
            date__gte=keys[start][1],
            date__lte=keys[min(start + CHUNK, len(keys)) - 1][1],
            kind=rules.Kind.ABSENT,
        ).select_related("register__lesson__period", "register__school")
        if (m.pupil_id, m.date, m.session) in wanted
    ]
    if not absences:
        return
    statutory = {
        (m.pupil_id, m.date, m.session): m
        for m in Mark.objects.filter(
            school_id=school_id,
            pupil_id__in={m.pupil_id for m in absences},
            date__in={m.date for m in absences},
        )
    }
    existing = {
        (a.register_id, a.pupil_id): a
        for a in TruancyAlert.objects.select_for_update().filter(
            register_id__in={m.register_id for m in absences},
            pupil_id__in={m.pupil_id for m in absences},
        )
    }
    for absence in absences:
        mark = statutory.get((absence.pupil_id, absence.date, absence.session))
        code = mark.code_id if mark else None
        register = absence.register
        truant = mark is not None and rules.is_internal_truancy(
            code,
            absence.kind,
            arrived_before_lesson_ended=rules.arrived_before(
                statutory_code=mark.code_id,
                minutes_late=mark.minutes_late,
                session_starts=register.school.session_starts(absence.date, absence.session),
                ends=period_starts(absence.date, register.lesson.period.end_time),
            ),
        )
        alert = existing.get((register.pk, absence.pupil_id))
        note = f"statutory mark changed to {code or 'none'}"
        if alert is None:
            if not truant:
                continue
            alert = TruancyAlert.objects.create(
                school_id=school_id,
                pupil_id=absence.pupil_id,
                register=register,
                date=absence.date,
                session=absence.session,
                statutory_code=code or "",
                last_seen=_last_seen(register, [absence.pupil_id]).get(absence.pupil_id),
            )
            _event(alert, "raised", actor, note=note)
        elif truant and alert.status == Status.WITHDRAWN:
            alert.status, alert.statutory_code = Status.OPEN, code or ""
            alert.save(update_fields=["status", "statutory_code", "updated_at"])
            _event(alert, "raised", actor, note=note)
        elif not truant and alert.status == Status.OPEN:
            alert.status = Status.WITHDRAWN
            alert.save(update_fields=["status", "updated_at"])
            _event(alert, "withdrawn", actor, note=note)


@transaction.atomic
def record_outcome(*, alert: TruancyAlert, outcome: str, note: str, actor: Actor) -> TruancyAlert:
    """The officer's outcome of an open alert (found, in another lesson, left site, parent
    contacted), with who and when in the alert's history."""
    alert = TruancyAlert.objects.select_for_update().get(pk=alert.pk)
    if outcome not in set(rules.Outcome):
        raise AlertError(f"{outcome!r} is not an outcome.")
    if alert.status != Status.OPEN:
        raise AlertError(
            f"This alert is already {alert.get_status_display().lower()}; nothing was changed."
        )
    alert.status, alert.outcome, alert.note = Status.RESOLVED, outcome, note.strip()
    alert.save(update_fields=["status", "outcome", "note", "updated_at"])
    _event(alert, "outcome", actor, outcome=outcome, note=note.strip())
    return alert


def correction_for(mark: LessonMark, statutory_code: str | None) -> rules.Correction | None:
    """The statutory mark this lesson mark suggests (None: nothing to correct)."""
    register = mark.register
    school = register.school
    seen_at = period_starts(mark.date, register.lesson.period.start_time)
    if mark.minutes_late:
        seen_at += dt.timedelta(minutes=mark.minutes_late)
    session_starts = school.session_starts(mark.date, register.session)
    return rules.suggest_correction(
        statutory_code=statutory_code,
        kind=mark.kind,
        session_starts=session_starts,
        register_closes=session_starts + dt.timedelta(minutes=school.register_open_minutes),
        seen_at=seen_at,
    )


@transaction.atomic
def correct_statutory_mark(*, mark: LessonMark, actor: Actor) -> Mark:
    """Amend the session's statutory mark to the L or U a lesson suggests, through the
    audited amendment (registers.services.marks.record_mark): the officer's decision,
    never made silently."""
    statutory = (
        Mark.objects.filter(pupil_id=mark.pupil_id, date=mark.date, session=mark.session)
        .values_list("code_id", flat=True)
        .first()
    )
    correction = correction_for(mark, statutory)
    if correction is None:
        raise AlertError("The statutory mark needs no correction from this lesson (any more).")
    lesson = mark.register.lesson
    reason = (
        f"Seen in {lesson.period.name} {lesson.teaching_class.subject} "
        f"({lesson.teaching_class.code}) {'late ' if mark.kind == rules.Kind.LATE else ''}"
        f"after {statutory} at registration (lesson register)"
    )
    return record_mark(
        pupil=Pupil.objects.get(pk=mark.pupil_id),
        day=mark.date,
        session=mark.session,
        entry=Entry(mark.pupil_id, correction.code, correction.minutes_late),
        actor=actor,
        source=Mark.Source.OFFICE,
        reason=reason,
    )
