"""Case services: each step changes the case and writes its timeline event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from escalation.models import Case, EscalationEvent, NoticeToImprove, PenaltyNoticeReferral
from escalation.rules import ThirdNoticeRefused
from escalation.services import cases as services
from escalation.services import interventions as steps
from registers.actors import Actor
from tests.registers.factories import make_half_term

D = dt.date
Action = EscalationEvent.Action


@pytest.fixture
def actor(officer):
    return Actor.for_membership(officer)


@pytest.fixture
def case(pupil, actor):
    return services.open_case(pupil=pupil, actor=actor, summary="Worried", on=D(2025, 9, 15))


def actions(case):
    return list(case.events.values_list("action", flat=True))


def test_open_case_writes_the_opened_event_and_reviews_at_the_half_term_end(case, officer):
    assert (case.stage, case.status, case.reason) == ("monitoring", "open", "manual")
    assert case.next_review == D(2025, 10, 24)
    assert case.owner == officer.user
    event = case.events.get()
    assert (event.action, event.summary, event.actor) == ("opened", "Worried", officer.user)
    assert event.actor_name == officer.user.get_full_name()
    assert event.actor_role == "Attendance officer"


def test_a_pupil_has_one_open_case(case, pupil, actor):
    with pytest.raises(services.CaseError, match="already has an open case"):
        services.open_case(pupil=pupil, actor=actor, summary="Again", on=D(2025, 9, 16))
    services.close_case(case=case, actor=actor, summary="Improved", on=D(2025, 10, 1))
    again = services.open_case(pupil=pupil, actor=actor, summary="Again", on=D(2025, 11, 3))
    assert again.pk != case.pk


def test_the_timeline_is_append_only_in_the_database(case):
    event = case.events.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        EscalationEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        EscalationEvent.objects.filter(pk=event.pk).delete()
    assert EscalationEvent.objects.get(pk=event.pk).summary == "Worried"


def test_meeting_moves_the_case_forward_and_keeps_what_was_agreed(case, actor):
    services.record_meeting(
        case=case,
        actor=actor,
        held_on=D(2025, 9, 20),
        attendees="Mum, Mrs Patel (SENCo)",
        discussed="Anxiety on Mondays",
        agreed="Meet-and-greet at the gate",
        next_review=D(2025, 10, 6),
    )
    case.refresh_from_db()
    assert (case.stage, case.next_review) == ("meeting", D(2025, 10, 6))
    meeting = case.events.get(action=Action.MEETING_HELD)
    assert meeting.data["agreed"] == "Meet-and-greet at the gate"
    assert actions(case) == ["opened", "meeting_held", "stage_changed"]


def test_steps_never_move_a_case_backwards(case, actor):
    services.change_stage(
        case=case, stage="contract", actor=actor, summary="Contract next", on=D(2025, 9, 20)
    )
    services.record_meeting(
        case=case,
        actor=actor,
        held_on=D(2025, 9, 21),
        attendees="Dad",
        discussed="Progress",
        agreed="Keep going",
    )
    case.refresh_from_db()
    assert case.stage == "contract"


def test_contract_review_date_defaults_to_the_next_half_term(case, actor, school):
    make_half_term(school, "Autumn 2", D(2025, 11, 3), D(2025, 12, 19))
    contract = steps.record_contract(
        case=case,
        actor=actor,
        terms=steps.ContractTerms(
            agreed_on=D(2025, 10, 1),
            barriers="Mornings",
            school_support="Breakfast club",
            family_commitments="Up by 7.30",
            parent_name="Ann Smith",
            school_signatory="Mrs Head",
            target_pct=Decimal("95.0"),
        ),
    )
    case.refresh_from_db()
    assert contract.review_on == D(2025, 11, 3) == case.next_review
    assert case.stage == "contract"
    steps.review_contract(
        contract=contract, actor=actor, outcome="met", notes="97%", on=D(2025, 11, 3)
    )
    with pytest.raises(services.CaseError, match="already been reviewed"):
        steps.review_contract(
            contract=contract, actor=actor, outcome="met", notes="again", on=D(2025, 11, 4)
        )
    assert actions(case)[-3:] == ["contract_signed", "stage_changed", "contract_reviewed"]


def test_notice_to_improve_runs_for_30_school_days(case, actor):
    notice = steps.issue_notice_to_improve(
        case=case, actor=actor, issued_on=D(2025, 9, 5), summary="Support refused"
    )
    # 30 school days after Fri 5 Sep: Mon 8 Sep … Fri 17 Oct.
    assert notice.improvement_ends_on == D(2025, 10, 17)
    with pytest.raises(services.CaseError, match="already running"):
        steps.issue_notice_to_improve(case=case, actor=actor, issued_on=D(2025, 9, 6), summary="x")
    steps.record_notice_outcome(
        notice=notice, actor=actor, outcome="not_improved", note="No change", on=D(2025, 10, 17)
    )
    assert NoticeToImprove.objects.get(pk=notice.pk).outcome == "not_improved"


def test_penalty_referrals_follow_the_national_framework(case, actor, pupil):
    first = steps.refer_for_penalty_notice(
        case=case, actor=actor, parent_name="Ann Smith", referred_on=D(2025, 9, 20), evidence="12 O"
    )
    assert (first.sequence, first.early_amount_pence, first.amount_pence) == (1, 8000, 16000)
    other_parent = steps.refer_for_penalty_notice(
        case=case, actor=actor, parent_name="Bob Smith", referred_on=D(2025, 9, 20), evidence="12 O"
    )
    assert other_parent.sequence == 1  # per parent, per child
    second = steps.refer_for_penalty_notice(
        case=case, actor=actor, parent_name=" ann  SMITH ", referred_on=D(2026, 1, 10), evidence="G"
    )
    assert (second.sequence, second.early_amount_pence, second.amount_pence) == (2, None, 16000)
    with pytest.raises(ThirdNoticeRefused, match="section 444"):
        steps.refer_for_penalty_notice(
            case=case, actor=actor, parent_name="Ann Smith", referred_on=D(2026, 3, 1), evidence="x"
        )
    steps.record_referral_outcome(
        referral=second, actor=actor, status="withdrawn", note="Paid late", on=D(2026, 2, 1)
    )
    third = steps.refer_for_penalty_notice(
        case=case, actor=actor, parent_name="Ann Smith", referred_on=D(2026, 3, 1), evidence="x"
    )
    assert third.sequence == 2
    case.refresh_from_db()
    assert case.stage == "penalty_referral"
    summary = case.events.filter(action=Action.REFERRAL_MADE).first().summary
    assert "£80 within 21 days, £160 within 28 days" in summary


def test_the_database_refuses_a_third_counted_notice(case, pupil, school):
    fields = {"school": school, "case": case, "pupil": pupil, "parent_name": "A", "parent_key": "a"}
    common = {"amount_pence": 16000, "period_start": D(2025, 9, 1), "status_on": D(2025, 9, 1)}
    PenaltyNoticeReferral.objects.create(
        **fields, **common, referred_on=D(2025, 9, 1), sequence=1, early_amount_pence=8000
    )
    PenaltyNoticeReferral.objects.create(**fields, **common, referred_on=D(2025, 10, 1), sequence=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        PenaltyNoticeReferral.objects.create(
            **fields, **common, referred_on=D(2025, 11, 1), sequence=2
        )


def test_la_referral_records_the_route(case, actor):
    steps.refer_to_la(
        case=case, actor=actor, route="prosecution", referred_on=D(2025, 10, 1), summary="Pack sent"
    )
    case.refresh_from_db()
    assert case.stage == "la_referral"
    event = case.events.get(action=Action.REFERRAL_MADE)
    assert "section 444" in event.summary and event.data["route"] == "prosecution"


def test_a_closed_case_takes_no_more_work(case, actor):
    services.close_case(case=case, actor=actor, summary="Moved school", on=D(2025, 10, 1))
    case.refresh_from_db()
    assert (case.status, case.next_review) == ("closed", None) and case.closed_at
    with pytest.raises(services.CaseError, match="closed"):
        services.add_note(case=case, actor=actor, summary="late note", on=D(2025, 10, 2))
    assert not Case.objects.open().exists()
