"""Letters: queue them (termly batches, case steps, the sweep's requests) and the
school's wording. Generation lives in letter_generation, re-exported here.

Never twice (docs/style.md rule 17): a Letter row is created *pending* once per pupil, kind and
period, by bulk_create with ignore_conflicts against the unique constraint
escalation_letter_once_per_period (and escalation_letter_one_termly_per_period for the
termly/adapted pair); letter_generation claims each pending row once.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from attendance_portal.errors import DomainError
from escalation import rules
from escalation.letters import LetterContext, adapted_reason, validate_wording
from escalation.models import (
    AttendanceContract,
    Case,
    EscalationEvent,
    Letter,
    LetterBatch,
    LetterTemplate,
)
from escalation.models.letters import TERMLY_KINDS
from escalation.services import jobs
from escalation.services.cases import SWEEP
from escalation.services.letter_context import build_contexts
from escalation.services.letter_generation import (  # noqa: F401  (the service API)
    claim_batch,
    finish_batch,
    generate_batch_chunk,
    generate_letter,
    generate_letters,
)
from registers.actors import Actor
from registers.figures import sessions_by_pupil_and_code, year_to_date
from registers.models import HalfTerm, Pupil, School

Kind = Letter.Kind
Status = Letter.Status

# The sweep's letter kinds (escalation.rules.LetterKind) and the letters they become.
SWEEP_KINDS: dict[str, str] = {
    rules.LetterKind.BELOW_TARGET: Kind.FIRST_CONCERN,
    rules.LetterKind.MEETING_INVITE: Kind.MEETING_INVITATION,
    rules.LetterKind.PERSISTENT: Kind.MEETING_INVITATION,
    rules.LetterKind.SEVERE: Kind.MEETING_INVITATION,
    rules.LetterKind.IMPROVEMENT: Kind.IMPROVEMENT,
}


class LetterError(DomainError, ValueError):
    """Something a user asked for that cannot be done, with a message they can act on."""


def figures_day(school: School, *, today: dt.date | None = None) -> dt.date:
    """The day a letter's figures run to: today in term, the end of the last half-term in
    a holiday (in August "this year" would otherwise be a new, empty academic year)."""
    today = today or timezone.localdate()
    term = HalfTerm.objects.for_school(school).filter(start_date__lte=today).last()
    return min(term.end_date, today) if term else today


def termly_period(half_term: HalfTerm, *, today: dt.date | None = None) -> tuple[str, dt.date]:
    """("2025/26 Autumn 1", the day the figures run to): the half-term's end, or today."""
    today = today or timezone.localdate()
    return f"{half_term.academic_year} {half_term.name}", min(half_term.end_date, today)


# --- Queueing ---------------------------------------------------------------------------


def start_termly_batch(
    *, school: School, period: HalfTerm, actor: Actor, kind: str = Kind.TERMLY
) -> LetterBatch:
    """A pending termly letter for every pupil on roll who has none for the period, then
    the batch job (after commit). Joins the running batch if there is one."""
    if kind != Kind.TERMLY:
        raise LetterError("Only termly letters are generated for the whole school.")
    if period.school_id != school.pk:
        raise LetterError("That half-term belongs to another school.")
    label, as_of = termly_period(period)
    today = timezone.localdate()
    with transaction.atomic():
        batch = _active_batch(school, kind, label)
        created = batch is None
        if batch is None:
            batch = _new_batch(school=school, kind=kind, label=label, as_of=as_of, actor=actor)
        pupils = list(
            Pupil.objects.for_school(school)
            .on_roll(as_of)
            .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=today))
            .values_list("pk", "sen")
        )
        existing = dict(
            Letter.objects.for_school(school)
            .filter(period=label, kind__in=TERMLY_KINDS)
            .values_list("pupil_id", "status")
        )
        contract, marks = _working_with_school(school=school, as_of=as_of)
        fresh = []
        for pk, sen in pupils:
            if pk in existing:
                continue
            reason = adapted_reason(
                has_contract=pk in contract,
                part_time_sessions=marks.get(pk, {}).get("C2", 0),
                illness_sessions=marks.get(pk, {}).get("I", 0),
                ehc_plan=sen == Pupil.SEN.EHCP,
            )
            kind_for_pupil = Kind.TERMLY_ADAPTED if reason else Kind.TERMLY
            fresh.append(
                _letter(school, pk, kind_for_pupil, label, as_of, actor, batch=batch, note=reason)
            )
        Letter.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
        # Letters an earlier run left pending (its worker died) or failed join this run.
        Letter.objects.for_school(school).filter(
            period=label, kind__in=TERMLY_KINDS, status__in=[Status.PENDING, Status.FAILED]
        ).exclude(batch=batch).update(
            batch=batch, status=Status.PENDING, error="", updated_at=timezone.now()
        )
        if created:
            on_roll = {pk for pk, _ in pupils}
            batch.skipped = sum(
                1 for pk, s in existing.items() if s == Status.GENERATED and pk in on_roll
            )
        batch.total = batch.skipped + Letter.objects.filter(batch=batch).count()
        batch.save(update_fields=["total", "skipped", "updated_at"])
        # Sent after commit with a short timeout (attendance_portal.broker): a broker that
        # is down leaves the batch "queued", and escalation.services.recovery sends it.
        jobs.send_on_commit(jobs.RUN_LETTER_BATCH, batch.pk)
    return batch


def _active_batch(school: School, kind: str, label: str) -> LetterBatch | None:
    return (
        LetterBatch.objects.select_for_update()
        .for_school(school)
        .filter(kind=kind, period=label, status__in=LetterBatch.ACTIVE)
        .first()
    )


def _new_batch(*, school, kind, label, as_of, actor: Actor) -> LetterBatch:
    try:
        with transaction.atomic():
            return LetterBatch.objects.create(
                school=school,
                kind=kind,
                period=label,
                as_of=as_of,
                started_by=actor.user,
                started_by_name=actor.name,
            )
    except IntegrityError:
        # Another officer started the same letters a moment ago: join their batch.
        batch = _active_batch(school, kind, label)
        if batch is None:
            raise
        return batch


def _working_with_school(
    *, school: School, as_of: dt.date
) -> tuple[set[int], dict[int, dict[str, int]]]:
    """What escalation.letters.adapted_reason needs, for the whole school in two queries:
    pupils with a contract on an open case, and their C2 and I sessions this year."""
    start, _ = year_to_date(as_of)
    contract = set(
        AttendanceContract.objects.for_school(school)
        .filter(case__status=Case.Status.OPEN)
        .values_list("case__pupil_id", flat=True)
    )
    marks = sessions_by_pupil_and_code(school=school, start=start, end=as_of, codes=["C2", "I"])
    return contract, marks


def _letter(
    school, pupil_id, kind, period, as_of, actor: Actor, *, batch=None, case_id=None, note=""
):
    return Letter(
        school=school,
        pupil_id=pupil_id,
        kind=kind,
        period=period,
        as_of=as_of,
        note=note,
        generated_by=actor.user,
        generated_by_name=actor.name,
        generated_by_role=actor.position,
        batch=batch,
        case_id=case_id,
    )


def queue_escalation_letter(
    *, pupil: Pupil, kind: str, period: str, case: Case | None, actor: Actor | None = None
) -> Letter:
    """One letter for a step of a pupil's case, generated after commit. Idempotent: the
    same pupil, kind and period returns the letter already queued or generated."""
    actor = actor or SWEEP
    letter, _ = Letter.objects.get_or_create(
        pupil=pupil,
        kind=kind,
        period=period,
        defaults={
            "school_id": pupil.school_id,
            "as_of": figures_day(pupil.school),
            "case": case,
            "generated_by": actor.user,
            "generated_by_name": actor.name,
            "generated_by_role": actor.position,
        },
    )
    if letter.status == Status.PENDING:
        _enqueue([letter.pk])
    return letter


def queue_sweep_letters(*, school: School, as_of: dt.date) -> list[int]:
    """The letters the night's sweep asked for (its LETTER_QUEUED events), one per event:
    the period is the event, so a re-run of the sweep or of this queues nothing new."""
    events = (
        EscalationEvent.objects.for_school(school)
        .filter(action=EscalationEvent.Action.LETTER_QUEUED, occurred_on=as_of)
        .values_list("pk", "case_id", "pupil_id", "data__kind")
    )
    with transaction.atomic():
        Letter.objects.bulk_create(
            [
                _letter(
                    school,
                    pupil_id,
                    SWEEP_KINDS[kind],
                    f"event-{pk}",
                    as_of,
                    SWEEP,
                    case_id=case_id,
                )
                for pk, case_id, pupil_id, kind in events
                if kind in SWEEP_KINDS
            ],
            ignore_conflicts=True,
        )
        pending = list(
            Letter.objects.for_school(school)
            .pending()
            .filter(period__in=[f"event-{pk}" for pk, *_ in events])
            .values_list("pk", flat=True)
        )
        _enqueue(pending)
    return pending


def _enqueue(letter_ids: list[int]) -> None:
    for pk in letter_ids:
        jobs.send_on_commit(jobs.GENERATE_LETTER, pk)


# --- Wording ----------------------------------------------------------------------------


def save_letter_template(
    *, school: School, kind: str, heading: str, body: str, actor: Actor
) -> LetterTemplate:
    errors = validate_wording(heading, kind=kind) + validate_wording(body, kind=kind)
    if errors:
        raise LetterError(" ".join(errors))
    template, _ = LetterTemplate.objects.update_or_create(
        school=school,
        kind=kind,
        defaults={
            "heading": heading.strip(),
            "body": body.strip() + "\n",
            "updated_by": actor.user,
        },
    )
    return template


def reset_letter_template(*, school: School, kind: str) -> None:
    """Back to the default wording."""
    LetterTemplate.objects.for_school(school).filter(kind=kind).delete()


def resume_batch(*, batch: LetterBatch) -> None:
    """Run an unfinished batch again (its worker died): what is done stays done. The batch
    counts as touched now, so it is not offered again (nor re-sent by
    escalation.services.recovery) until it has stalled once more."""
    if batch.is_active:
        LetterBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now())
        jobs.send_on_commit(jobs.RUN_LETTER_BATCH, batch.pk)


def preview_context(
    *,
    school: School,
    pupil: Pupil,
    kind: str,
    actor: Actor,
    draft: tuple[str, str] | None = None,
) -> LetterContext:
    """The letter a pupil would get today, with the stored wording or a draft: nothing is
    saved, queued or written."""
    today = timezone.localdate()
    period, as_of = "Preview", figures_day(school, today=today)
    term = HalfTerm.objects.for_school(school).filter(start_date__lte=today).last()
    if kind in TERMLY_KINDS and term is not None:
        period = termly_period(term, today=today)[0]
    letter = _letter(school, pupil.pk, kind, period, as_of, actor)
    letter.pupil = pupil
    letter.case = Case.objects.open().filter(pupil=pupil).first()
    return build_contexts([letter], today=today, drafts={kind: draft} if draft else None)[0]
