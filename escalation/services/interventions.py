"""The formal steps of a case: attendance contract, notice to improve, penalty-notice
referral and local-authority referral. Each moves the case forward and writes its event."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from escalation import rules
from escalation.models import AttendanceContract, Case, NoticeToImprove, PenaltyNoticeReferral
from escalation.services.cases import (
    Action,
    CaseError,
    lock_open,
    move_forward,
    record_event,
    set_review,
)
from registers.actors import Actor
from registers.models import HalfTerm, Pupil, School, SchoolDay
from registers.school_age import is_compulsory_school_age, not_of_school_age_message

Stage = Case.Stage


@dataclass(frozen=True)
class ContractTerms:
    agreed_on: dt.date
    barriers: str
    school_support: str
    family_commitments: str
    parent_name: str
    school_signatory: str
    target_pct: Decimal | None = None
    target_by: dt.date | None = None
    other_targets: str = ""
    parent_signed_on: dt.date | None = None
    school_signed_on: dt.date | None = None
    review_on: dt.date | None = None


def require_school_age(pupil: Pupil, day: dt.date) -> None:
    """Notices to improve and penalty notices are for pupils of compulsory school age only
    (docs/domain.md §10): refused, with the reason, for anyone else."""
    if not is_compulsory_school_age(date_of_birth=pupil.date_of_birth, day=day):
        raise CaseError(
            not_of_school_age_message(name=pupil.name, date_of_birth=pupil.date_of_birth, day=day)
        )


def default_review_date(*, case: Case, agreed_on: dt.date) -> dt.date:
    """The first day of the next half-term (rules.contract_review_date)."""
    next_start = (
        HalfTerm.objects.for_school(case.school_id)
        .filter(start_date__gt=agreed_on)
        .order_by("start_date")
        .values_list("start_date", flat=True)
        .first()
    )
    return rules.contract_review_date(agreed_on=agreed_on, next_half_term_start=next_start)


@transaction.atomic
def record_contract(*, case: Case, actor: Actor, terms: ContractTerms) -> AttendanceContract:
    case = lock_open(case)
    review_on = terms.review_on or default_review_date(case=case, agreed_on=terms.agreed_on)
    if review_on <= terms.agreed_on:
        raise CaseError("The review date must be after the day the contract was agreed.")
    fields = {**asdict(terms), "review_on": review_on}
    contract = AttendanceContract.objects.create(school_id=case.school_id, case=case, **fields)
    target = f" Target {terms.target_pct}%" if terms.target_pct is not None else ""
    record_event(
        case=case,
        action=Action.CONTRACT_SIGNED,
        actor=actor,
        occurred_on=terms.agreed_on,
        summary=(
            f"Attendance contract agreed with {terms.parent_name}.{target} "
            f"Review on {review_on:%-d %B %Y}."
        ),
        data={
            "contract": contract.pk,
            "barriers": terms.barriers,
            "school_support": terms.school_support,
            "family_commitments": terms.family_commitments,
            "target_pct": str(terms.target_pct) if terms.target_pct is not None else None,
            "review_on": review_on.isoformat(),
        },
    )
    move_forward(case, Stage.CONTRACT, actor=actor, on=terms.agreed_on, why="contract agreed")
    set_review(case, review_on)
    return contract


@transaction.atomic
def review_contract(
    *, contract: AttendanceContract, actor: Actor, outcome: str, notes: str, on: dt.date
) -> AttendanceContract:
    case = lock_open(contract.case)
    contract = AttendanceContract.objects.select_for_update().get(pk=contract.pk)
    if contract.reviewed:
        raise CaseError("This contract has already been reviewed.")
    contract.review_outcome = outcome
    contract.review_notes = notes
    contract.reviewed_at = timezone.now()
    contract.reviewed_by = actor.user
    contract.save(
        update_fields=["review_outcome", "review_notes", "reviewed_at", "reviewed_by", "updated_at"]
    )
    record_event(
        case=case,
        action=Action.CONTRACT_REVIEWED,
        actor=actor,
        occurred_on=on,
        summary=f"Contract reviewed: {contract.get_review_outcome_display()}. {notes}",
        data={"contract": contract.pk, "outcome": outcome},
    )
    return contract


@transaction.atomic
def issue_notice_to_improve(
    *,
    case: Case,
    actor: Actor,
    issued_on: dt.date,
    summary: str,
    period_school_days: int = rules.NOTICE_TO_IMPROVE_SCHOOL_DAYS,
    further_support: str = "",
    sufficient_improvement: str = "",
) -> NoticeToImprove:
    """A notice to improve: `summary` is the support given so far, printed in the notice
    with the further support on offer and what sufficient improvement means."""
    case = lock_open(case)
    require_school_age(case.pupil, issued_on)
    problem = rules.improvement_period_problem(period_school_days)
    if problem:
        raise CaseError(problem)
    if case.notices.filter(outcome=NoticeToImprove.Outcome.PENDING).exists():
        raise CaseError("A notice to improve is already running for this case.")
    days = (
        SchoolDay.objects.for_school(case.school_id)
        .filter(date__gt=issued_on)
        .order_by("date")
        .values_list("date", flat=True)[:period_school_days]
    )
    ends_on = rules.improvement_period_end(
        issued_on=issued_on, school_days=list(days), length=period_school_days
    )
    notice = NoticeToImprove.objects.create(
        school_id=case.school_id,
        case=case,
        issued_on=issued_on,
        period_school_days=period_school_days,
        improvement_ends_on=ends_on,
        support_given=summary.strip(),
        further_support=further_support.strip() or rules.DEFAULT_FURTHER_SUPPORT,
        sufficient_improvement=sufficient_improvement.strip()
        or rules.DEFAULT_SUFFICIENT_IMPROVEMENT,
    )
    record_event(
        case=case,
        action=Action.NOTICE_ISSUED,
        actor=actor,
        occurred_on=issued_on,
        summary=(
            f"Notice to improve issued: {period_school_days} school days to improve, "
            f"until {ends_on:%-d %B %Y}. {summary}"
        ),
        data={"notice": notice.pk, "ends_on": ends_on.isoformat()},
    )
    move_forward(case, Stage.NOTICE_TO_IMPROVE, actor=actor, on=issued_on, why="notice issued")
    set_review(case, ends_on)
    return notice


@transaction.atomic
def record_notice_outcome(
    *, notice: NoticeToImprove, actor: Actor, outcome: str, note: str, on: dt.date
) -> NoticeToImprove:
    case = lock_open(notice.case)
    notice = NoticeToImprove.objects.select_for_update().get(pk=notice.pk)
    if notice.outcome != NoticeToImprove.Outcome.PENDING:
        raise CaseError("This notice's outcome has already been recorded.")
    if outcome == NoticeToImprove.Outcome.PENDING:
        raise CaseError("Choose the outcome of the improvement period.")
    notice.outcome = outcome
    notice.outcome_on = on
    notice.save(update_fields=["outcome", "outcome_on", "updated_at"])
    record_event(
        case=case,
        action=Action.NOTICE_OUTCOME,
        actor=actor,
        occurred_on=on,
        summary=f"Notice to improve: {notice.get_outcome_display()}. {note}",
        data={"notice": notice.pk, "outcome": outcome},
    )
    return notice


def parent_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def same_child(case: Case) -> Q:
    """Notices for the case's pupil, and for the same child (by UPN) at any school of the
    trust: the limit of two in three years follows the child, not the school's record."""
    pupil = case.pupil
    found = Q(pupil_id=pupil.pk)
    trust_id = School.objects.filter(pk=case.school_id).values_list("trust_id", flat=True)[0]
    if trust_id is not None:
        found |= Q(pupil__upn=pupil.upn, school__trust_id=trust_id)
    return found


@transaction.atomic
def refer_for_penalty_notice(
    *, case: Case, actor: Actor, parent_name: str, referred_on: dt.date, evidence: str
) -> PenaltyNoticeReferral:
    """Ask the local authority for a penalty notice to one parent: rules.penalty_terms
    decides the sequence and amounts, or refuses a third (ThirdNoticeRefused)."""
    case = lock_open(case)
    require_school_age(case.pupil, referred_on)
    key = parent_key(parent_name)
    earlier = (
        PenaltyNoticeReferral.objects.select_for_update(of=("self",))
        .filter(same_child(case), parent_key=key)
        .exclude(referred_on__gt=referred_on)
    )
    terms = rules.penalty_terms(
        prior=[rules.PriorNotice(r.referred_on, r.counts, r.issued_on) for r in earlier],
        on=referred_on,
    )
    referral = PenaltyNoticeReferral.objects.create(
        school_id=case.school_id,
        case=case,
        pupil_id=case.pupil_id,
        parent_name=parent_name.strip(),
        parent_key=key,
        referred_on=referred_on,
        sequence=terms.sequence,
        period_start=terms.period_start,
        amount_pence=terms.amount_pence,
        early_amount_pence=terms.early_amount_pence,
        status_on=referred_on,
    )
    amounts = f"{referral.amount} within {rules.FULL_DAYS} days"
    if referral.early_amount_pence:
        amounts = f"{referral.early_amount} within {rules.EARLY_DAYS} days, {amounts}"
    ordinal = "First" if terms.sequence == 1 else "Second"
    record_event(
        case=case,
        action=Action.REFERRAL_MADE,
        actor=actor,
        occurred_on=referred_on,
        summary=(
            f"{ordinal} penalty notice requested for {referral.parent_name} ({amounts}). "
            f"Evidence: {evidence}"
        ),
        data={
            "kind": "penalty_notice",
            "referral": referral.pk,
            "sequence": terms.sequence,
            "amount_pence": terms.amount_pence,
            "early_amount_pence": terms.early_amount_pence,
            "evidence": evidence,
        },
    )
    move_forward(case, Stage.PENALTY_REFERRAL, actor=actor, on=referred_on, why="referral made")
    return referral


@transaction.atomic
def record_referral_outcome(
    *, referral: PenaltyNoticeReferral, actor: Actor, status: str, note: str, on: dt.date
) -> PenaltyNoticeReferral:
    case = lock_open(referral.case)
    referral = PenaltyNoticeReferral.objects.select_for_update().get(pk=referral.pk)
    if status == referral.status:
        raise CaseError(f"The referral is already marked {referral.get_status_display()}.")
    referral.status = status
    referral.status_on = on
    fields = ["status", "status_on", "updated_at"]
    if status == PenaltyNoticeReferral.Status.ISSUED and referral.issued_on is None:
        if on < referral.referred_on:
            raise CaseError(
                f"A notice cannot be issued before the school referred it "
                f"({referral.referred_on:%-d %B %Y})."
            )
        _date_the_period(referral, issued_on=on)
        fields += ["issued_on", "period_start"]
    referral.save(update_fields=fields)
    record_event(
        case=case,
        action=Action.REFERRAL_OUTCOME,
        actor=actor,
        occurred_on=on,
        summary=f"Penalty notice for {referral.parent_name}: {referral.get_status_display()}. "
        f"{note}",
        data={"referral": referral.pk, "status": status},
    )
    return referral


def _date_the_period(referral: PenaltyNoticeReferral, *, issued_on: dt.date) -> None:
    """The 3 years run from the day the first notice was issued (docs/domain.md §10): once a
    first notice is issued, its period, and a second notice's in it, start on that day."""
    referral.issued_on = issued_on
    if referral.sequence != 1:
        return
    old_start = referral.period_start
    referral.period_start = issued_on
    PenaltyNoticeReferral.objects.filter(
        pupil_id=referral.pupil_id,
        parent_key=referral.parent_key,
        period_start=old_start,
        sequence=2,
        referred_on__gte=issued_on,
    ).update(period_start=issued_on, updated_at=timezone.now())


@transaction.atomic
def request_supervision_order(
    *, case: Case, actor: Actor, requested_on: dt.date, summary: str
) -> Case:
    """Ask the local authority to apply for an education supervision order: formal support
    for the family before any prosecution (docs/domain.md §10)."""
    case = lock_open(case)
    require_school_age(case.pupil, requested_on)
    record_event(
        case=case,
        action=Action.SUPERVISION_ORDER,
        actor=actor,
        occurred_on=requested_on,
        summary=(
            "Education supervision order requested from the local authority, to formalise "
            f"support before any prosecution. {summary}"
        ),
        data={"kind": "education_supervision_order"},
    )
    move_forward(
        case, Stage.SUPERVISION_ORDER, actor=actor, on=requested_on, why="supervision order"
    )
    return case


@transaction.atomic
def refer_to_la(
    *, case: Case, actor: Actor, route: str, referred_on: dt.date, summary: str
) -> Case:
    """Hand the case to the local authority for a legal route (prosecution, an education
    supervision order, …): the timeline is the evidence pack it takes over."""
    case = lock_open(case)
    # Prosecution, supervision and parenting orders are for pupils of compulsory school
    # age only, like penalty notices (docs/domain.md §5).
    require_school_age(case.pupil, referred_on)
    label = rules.LA_ROUTE_LABELS[rules.LaRoute(route)]
    record_event(
        case=case,
        action=Action.REFERRAL_MADE,
        actor=actor,
        occurred_on=referred_on,
        summary=f"Referred to the local authority: {label}. {summary}",
        data={"kind": "local_authority", "route": route},
    )
    move_forward(case, Stage.LA_REFERRAL, actor=actor, on=referred_on, why="referred to the LA")
    return case
