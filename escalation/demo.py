"""The demo school's casework: cases at every stage with owners, letters, calls and leave.

seed_demo (registers.demo) builds the school, its pupils and marks; this step, registered
by escalation's AppConfig, then works on it as an officer and the head would, through the
same services the pages use. It runs once, on a fresh demo, and is deterministic for a seed:
the pupils are chosen by their attendance and the seeded random generator, never the clock.
About half the pupils below 95% (and below 90%) are left without a case: work still to do.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from escalation.models import Case
from escalation.models.letters import LetterKind
from escalation.services import cases as case_services
from escalation.services import interventions
from escalation.services.letters import queue_escalation_letter
from registers import figures, rates
from registers.actors import Actor
from registers.models import Mark, Membership, Pupil, School, SchoolDay
from registers.models.leave import LeaveRequest
from registers.services import calls, leave

Stage = Case.Stage
# The stages the demo shows, one case each, the most serious for the lowest attendance.
DEMO_STAGES = [
    Stage.NOTICE_TO_IMPROVE,
    Stage.CONTRACT,
    Stage.MEETING,
    Stage.LETTER,
    Stage.MONITORING,
    Stage.CONTRACT,
    Stage.MONITORING,
    Stage.LETTER,
]
# Cases are opened among pupils below this attendance (the usual target is 95-96%).
CASE_BELOW_PCT = 95


def _membership(school: School, role: str) -> Membership | None:
    return (
        Membership.objects.filter(school=school, role=role, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )


def _school_days_before(school: School, today: dt.date, pupil: Pupil) -> list[dt.date]:
    return sorted(
        set(
            Mark.objects.for_school(school)
            .filter(pupil=pupil, date__lt=today)
            .values_list("date", flat=True)
        )
    )


def seed_casework(
    *, school: School, seed: str, today: dt.date, log: Callable[[str], None] = print
) -> None:
    """Open and work the demo school's cases; do nothing if it already has any."""
    if Case.objects.for_school(school).exists():
        return
    officer = _membership(school, Membership.Role.OFFICER)
    head = _membership(school, Membership.Role.HEAD)
    if officer is None or head is None:
        return
    officer_actor, head_actor = Actor.for_membership(officer), Actor.for_membership(head)
    rng = random.Random(seed)
    start, end = figures.year_to_date(today)
    counts = figures.counts_by_pupil(school=school, start=start, end=end)
    below = sorted(
        (pct, pk)
        for pk, c in counts.items()
        if (pct := rates.attendance_pct(c)) is not None
        and pct < CASE_BELOW_PCT
        and c.possible >= 20
    )
    # Every second pupil below 95%, lowest first: the others are the officer's next cases.
    chosen = [pk for _, pk in below[::2]][: len(DEMO_STAGES)]
    pupils = {p.pk: p for p in Pupil.objects.for_school(school).filter(pk__in=chosen)}
    opened = 0
    for index, (pk, stage) in enumerate(zip(chosen, DEMO_STAGES, strict=False)):
        pupil = pupils[pk]
        days = _school_days_before(school, today, pupil)
        if len(days) < 30:
            continue
        opened_on = days[-30 + rng.randrange(0, 5)]
        actor = head_actor if index % 3 == 2 else officer_actor
        case = case_services.open_case(
            pupil=pupil,
            actor=actor,
            summary="Attendance below 90% this year; family contacted.",
            on=opened_on,
            reason=Case.Reason.BAND,
        )
        opened += 1
        _work_case(case, stage, actor=actor, days=days, opened_on=opened_on, today=today)
    _log_calls(school, actor=officer_actor, today=today, rng=rng)
    _leave(school, officer_actor=officer_actor, head=head, today=today, rng=rng)
    log(f"{school.name}: {opened} cases, with letters, calls and leave requests")


def _work_case(case: Case, stage: str, *, actor: Actor, days, opened_on, today) -> None:
    later = [d for d in days if d > opened_on]
    pupil = case.pupil
    if stage == Stage.MONITORING:
        return
    letter_on = later[2]
    case_services.change_stage(
        case=case,
        stage=Stage.LETTER,
        actor=actor,
        summary="First-concern letter sent.",
        on=letter_on,
    )
    queue_escalation_letter(
        pupil=pupil,
        kind=LetterKind.FIRST_CONCERN,
        period=f"Case {case.pk}",
        case=case,
        actor=actor,
    )
    if stage == Stage.LETTER:
        return
    meeting_on = later[7]
    contact = pupil.contacts.order_by("priority", "pk").first()
    parent = contact.name if contact else "the family"
    case_services.record_meeting(
        case=case,
        actor=actor,
        held_on=meeting_on,
        attendees=f"{parent}, the attendance officer",
        discussed="Mornings are hard since a younger sibling started nursery.",
        agreed="A breakfast-club place for a month; the family rings by 9:00 on any absence.",
    )
    if stage == Stage.MEETING:
        return
    contract_on = later[12]
    interventions.record_contract(
        case=case,
        actor=actor,
        terms=interventions.ContractTerms(
            agreed_on=contract_on,
            barriers="Late nights and a long walk to school.",
            school_support="Breakfast club, a weekly check-in with the learning mentor.",
            family_commitments="Bedtime by 8:30; leave home by 8:15.",
            parent_name=parent,
            school_signatory=actor.name,
            target_pct=Decimal("95"),
            parent_signed_on=contract_on,
            school_signed_on=contract_on,
        ),
    )
    if stage == Stage.CONTRACT:
        return
    notice_on = later[-3] if later[-3] > contract_on else today
    interventions.issue_notice_to_improve(
        case=case,
        actor=actor,
        issued_on=notice_on,
        summary="A meeting, an attendance contract, breakfast club and weekly check-ins.",
        further_support="A referral to the early help team.",
        sufficient_improvement="No unauthorised absence during the improvement period.",
    )


def _log_calls(school: School, *, actor: Actor, today: dt.date, rng: random.Random) -> None:
    """Calls about the last fortnight's absences nobody explained: the family did not pick
    up, so the N marks stay (a call that gave a reason would amend a mark, and a demo with
    amended marks can no longer be rebuilt with --reset)."""
    absences = list(
        Mark.objects.for_school(school)
        .filter(date__lt=today, date__gte=today - dt.timedelta(days=14), session="AM")
        .unexplained()
        .filter(pupil__contacts__isnull=False)
        .distinct()
        .order_by("-date", "pupil_id")
        .values_list("pupil_id", "date")[:8]
    )
    pupils = Pupil.objects.for_school(school).in_bulk([pk for pk, _ in absences])
    for pk, day in absences:
        pupil = pupils[pk]
        contacts = list(pupil.contacts.order_by("priority", "pk")[:2])
        for contact, outcome in zip(
            contacts, rng.sample(["voicemail", "message"], 2), strict=False
        ):
            calls.log_call(
                pupil=pupil,
                day=day,
                outcome=outcome,
                code=None,
                contact=contact,
                note="First-day call; asked the family to ring the office back.",
                actor=actor,
            )


def _leave(school: School, *, officer_actor: Actor, head: Membership, today: dt.date, rng) -> None:
    """Four requests for leave in term time: two decided by the head, two waiting."""
    pupils = list(
        Pupil.objects.for_school(school)
        .filter(cases__isnull=True, contacts__isnull=False)
        .distinct()
        .order_by("surname", "forename", "pk")[:40]
    )
    if len(pupils) < 4:
        return
    chosen = rng.sample(pupils, 4)
    term_days = list(
        SchoolDay.objects.for_school(school)
        .filter(date__gt=today, am_open=True, pm_open=True)
        .order_by("date")
        .values_list("date", flat=True)[:40]
    )
    if len(term_days) < 30:
        return
    reasons = [
        ("A grandparent's funeral in Ireland.", True),
        ("A family holiday booked before term dates were known.", False),
        ("A sister's wedding abroad.", None),
        ("An audition for a regional youth orchestra.", None),
    ]
    for n, (pupil, (reason, grant)) in enumerate(zip(chosen, reasons, strict=True)):
        contact = pupil.contacts.order_by("priority", "pk").first()
        begin = term_days[min(8 + 5 * n, len(term_days) - 2)]
        request = leave.record_request(
            school=school,
            pupil=pupil,
            kind=LeaveRequest.Kind.EXCEPTIONAL,
            requested_by_name=contact.name,
            requested_by_relationship=contact.relationship or "Parent",
            requested_on=today - dt.timedelta(days=3 + n),
            start_date=begin,
            end_date=term_days[term_days.index(begin) + 1],
            reason=reason,
            actor=officer_actor,
        )
        if grant is not None:
            leave.decide_request(
                leave=request,
                membership=head,
                grant=grant,
                note="Exceptional: granted." if grant else "Not exceptional: refused.",
                today=today,
            )
