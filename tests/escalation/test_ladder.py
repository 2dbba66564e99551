"""The escalation ladder against the law and practice (issue 15 part 4; docs/domain.md §4, §5,
§9 and §10): notices to improve, the three-year limit, the referral pack's legal basis,
leavers and the window, severe absence, supervision orders and conversation first."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from conftest import make_half_term
from escalation.letters import render_letter_html
from escalation.models import Case, EscalationEvent, Letter, PenaltyNoticeReferral
from escalation.rules import ThirdNoticeRefused
from escalation.services import cases as services
from escalation.services import interventions as steps
from escalation.services.letter_context import build_contexts
from escalation.services.sweep import run_sweep
from registers.actors import Actor
from registers.figures import fpn_candidates
from tests.escalation.conftest import LAST_NIGHTS
from tests.escalation.factories import CaseFactory, LetterFactory, school_days
from tests.registers.factories import MarkFactory, PupilFactory, SchoolFactory

D = dt.date
Action = EscalationEvent.Action
Status = PenaltyNoticeReferral.Status


@pytest.fixture
def actor(officer):
    return Actor.for_membership(officer)


@pytest.fixture
def case(pupil, actor):
    return services.open_case(pupil=pupil, actor=actor, summary="Worried", on=D(2025, 9, 15))


@pytest.fixture
def autumn2(school):
    make_half_term(school, "Autumn 2", D(2025, 11, 3), D(2025, 12, 19))
    return school


def letter_html(school, pupil, case, kind: str, as_of: dt.date, officer) -> str:
    letter = LetterFactory.build(
        school=school,
        pupil=pupil,
        case=case,
        kind=kind,
        period="Notice",
        as_of=as_of,
        generated_by=officer.user,
        generated_by_name="Olivia Officer",
        generated_by_role="Attendance officer",
    )
    (context,) = build_contexts([letter], today=as_of)
    return render_letter_html(context)


# --- Notices to improve -------------------------------------------------------------------


@pytest.mark.parametrize("days", [5, 14, 31, 100])
def test_the_improvement_period_is_3_to_6_weeks(case, actor, days):
    with pytest.raises(services.CaseError, match="15 to 30 school days"):
        steps.issue_notice_to_improve(
            case=case, actor=actor, issued_on=D(2025, 9, 22), summary="x", period_school_days=days
        )
    assert not case.notices.exists()


@pytest.mark.parametrize("days", [15, 30])
def test_an_improvement_period_of_15_to_30_school_days_is_accepted(case, actor, days):
    notice = steps.issue_notice_to_improve(
        case=case, actor=actor, issued_on=D(2025, 9, 22), summary="x", period_school_days=days
    )
    assert notice.period_school_days == days


def test_the_form_refuses_a_period_outside_3_to_6_weeks(login, officer, school, case):
    response = login(officer).post(
        reverse("escalation:case_notice", args=[school.urn, case.pk]),
        {
            "notice-issued_on": "2025-09-22",
            "notice-period_school_days": "10",
            "notice-summary": "Meetings and a contract",
        },
    )
    assert response.status_code == 400
    assert not case.notices.exists()


def test_the_notice_says_everything_the_framework_asks(school, pupil, case, actor, officer):
    MarkFactory.days(pupil, school_days(school), absent_sessions=12, code="O")
    steps.issue_notice_to_improve(
        case=case,
        actor=actor,
        issued_on=D(2025, 10, 6),
        summary="Two meetings; a morning mentor since 1 October.",
        further_support="A referral to early help for the family.",
        sufficient_improvement="No unauthorised absence for the whole period.",
        period_school_days=20,
    )
    html = letter_html(school, pupil, case, Letter.Kind.NOTICE_TO_IMPROVE, D(2025, 10, 6), officer)
    assert "Two meetings; a morning mentor since 1 October." in html  # support given so far
    assert "A referral to early help for the family." in html  # further support on offer
    assert "No unauthorised absence for the whole period." in html  # sufficient improvement
    assert "section 444 of the Education Act 1996" in html  # the offence
    assert "section 7 of the" in html  # the parent's duty
    assert "12 sessions of unauthorised absence fell in the 10 school weeks" in html
    assert "Warning:" in html and "penalty notice or to prosecute" in html
    assert "A penalty notice may be issued before the improvement period ends" in html


# --- The three-year limit ---------------------------------------------------------------


def test_the_three_years_run_from_the_day_the_first_notice_was_issued(case, actor):
    first = steps.refer_for_penalty_notice(
        case=case, actor=actor, parent_name="Sam Parent", referred_on=D(2025, 1, 10), evidence="e"
    )
    steps.record_referral_outcome(
        referral=first, actor=actor, status=Status.ISSUED, note="", on=D(2025, 2, 20)
    )
    first.refresh_from_db()
    assert (first.issued_on, first.period_start) == (D(2025, 2, 20), D(2025, 2, 20))
    second = steps.refer_for_penalty_notice(
        case=case, actor=actor, parent_name="Sam Parent", referred_on=D(2025, 3, 3), evidence="e"
    )
    assert (second.sequence, second.period_start) == (2, D(2025, 2, 20))
    # Three years after the referral (10 Jan 2028) but not after the issue (20 Feb 2028).
    with pytest.raises(ThirdNoticeRefused, match="20 February 2028"):
        steps.refer_for_penalty_notice(
            case=case,
            actor=actor,
            parent_name="Sam Parent",
            referred_on=D(2028, 2, 1),
            evidence="e",
        )
    later = steps.refer_for_penalty_notice(
        case=case, actor=actor, parent_name="Sam Parent", referred_on=D(2028, 2, 21), evidence="e"
    )
    assert later.sequence == 1


def test_an_issue_date_before_the_referral_is_refused(case, actor):
    first = steps.refer_for_penalty_notice(
        case=case, actor=actor, parent_name="Sam Parent", referred_on=D(2025, 1, 10), evidence="e"
    )
    with pytest.raises(services.CaseError, match="before the school referred it"):
        steps.record_referral_outcome(
            referral=first, actor=actor, status=Status.ISSUED, note="", on=D(2025, 1, 9)
        )


def test_prior_notices_follow_the_pupil_across_the_trust(school, trust, pupil, case, actor):
    for day in (D(2025, 1, 10), D(2025, 3, 3)):
        steps.refer_for_penalty_notice(
            case=case, actor=actor, parent_name="Sam Parent", referred_on=day, evidence="e"
        )
    sister = SchoolFactory(urn="223456", name="Beech Hill Primary", trust=trust)
    make_half_term(sister, "Autumn 1", D(2025, 9, 3), D(2025, 10, 24))
    moved = PupilFactory(school=sister, upn=pupil.upn, date_of_birth=pupil.date_of_birth)
    there = CaseFactory(
        school=sister, pupil=moved, reason=Case.Reason.MANUAL, opened_on=D(2025, 9, 10)
    )
    with pytest.raises(ThirdNoticeRefused):
        steps.refer_for_penalty_notice(
            case=there,
            actor=actor,
            parent_name="Sam Parent",
            referred_on=D(2025, 9, 30),
            evidence="e",
        )


def test_a_school_outside_the_trust_does_not_see_the_notices(school, pupil, case, actor):
    for day in (D(2025, 1, 10), D(2025, 3, 3)):
        steps.refer_for_penalty_notice(
            case=case, actor=actor, parent_name="Sam Parent", referred_on=day, evidence="e"
        )
    elsewhere = SchoolFactory(urn="323456", name="Other Primary")
    moved = PupilFactory(school=elsewhere, upn=pupil.upn, date_of_birth=pupil.date_of_birth)
    there = CaseFactory(
        school=elsewhere, pupil=moved, reason=Case.Reason.MANUAL, opened_on=D(2025, 9, 10)
    )
    referral = steps.refer_for_penalty_notice(
        case=there, actor=actor, parent_name="Sam Parent", referred_on=D(2025, 9, 30), evidence="e"
    )
    assert referral.sequence == 1


# --- The referral pack's legal basis -------------------------------------------------------


def test_the_referral_pack_quotes_the_ten_week_window_not_the_years_total(
    autumn2, pupil, case, officer
):
    MarkFactory.run(pupil, "O" * 5, start=D(2025, 9, 8), end=D(2025, 9, 10))  # before the window
    MarkFactory.run(pupil, "ON" * 5, start=D(2025, 11, 10), end=D(2025, 11, 14))  # inside it
    html = letter_html(
        autumn2, pupil, case, Letter.Kind.PENALTY_REFERRAL_PACK, D(2025, 12, 12), officer
    )
    assert (
        "10 sessions of unauthorised absence (codes G, N, O and U, while of compulsory school "
        "age) in the 10 school weeks from 29 September 2025 to 12 December 2025"
    ) in html
    assert "15 sessions of unauthorised absence this school year" not in html


# --- Leavers and the window -----------------------------------------------------------------


def test_fpn_candidates_and_the_sweep_agree_about_a_pupil_who_left_inside_the_window(autumn2, form):
    leaver = PupilFactory(school=autumn2, form=form, leaving_date=D(2025, 11, 20))
    stayer = PupilFactory(school=autumn2, form=form)
    for pupil in (leaver, stayer):
        MarkFactory.run(pupil, "O" * 10, start=D(2025, 11, 10), end=D(2025, 11, 14))
    listed = [c.upn for c in fpn_candidates(school=autumn2, as_of=D(2025, 11, 28))]
    swept = [c["upn"] for c in run_sweep(school=autumn2, as_of=D(2025, 11, 28)).fpn_candidates]
    assert listed == swept == [stayer.upn]


# --- Severe absence, supervision orders, conversation first --------------------------------


def test_severe_absence_starts_its_own_pathway_and_comes_first(school, form, days, login, officer):
    severe = PupilFactory(school=school, form=form, surname="Zeta")
    MarkFactory.days(severe, days, absent_sessions=40, code="I")
    monitor = PupilFactory(school=school, form=form, surname="Alpha")
    MarkFactory.days(monitor, days, absent_sessions=4, code="I")
    for night in LAST_NIGHTS:
        summary = run_sweep(school=school, as_of=night)
    assert [row["upn"] for row in summary.severe_pathway] == [severe.upn]
    event = EscalationEvent.objects.get(action=Action.SEVERE_PATHWAY)
    assert event.pupil == severe
    for words in ("top priority", "local authority", "EHC needs assessment", "social care"):
        assert words in event.summary
    html = login(officer).get(reverse("escalation:caseload", args=[school.urn])).content.decode()
    assert html.index("Zeta") < html.index("Alpha")


@pytest.fixture
def days(school):
    return school_days(school)


def test_an_education_supervision_order_is_a_formal_support_step(login, officer, school, case):
    response = login(officer).post(
        reverse("escalation:case_supervision", args=[school.urn, case.pk]),
        {"supervision-requested_on": "2025-10-01", "supervision-summary": "Support not taken up"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Case.Stage.SUPERVISION_ORDER
    assert case.events.filter(action=Action.SUPERVISION_ORDER).exists()
    # Before the legal steps: a notice to improve still moves the case on from it.
    assert case.stage_rank < Case(stage=Case.Stage.NOTICE_TO_IMPROVE).stage_rank
    page = login(officer).get(reverse("escalation:case", args=[school.urn, case.pk]))
    assert "An education supervision order (formal support)" in page.content.decode()


def test_the_sweeps_first_step_is_a_conversation_then_the_letter(school, form, days, officer):
    pupil = PupilFactory(school=school, form=form)
    MarkFactory.days(pupil, days, absent_sessions=7, code="I")  # 90.8%: below the meeting line
    for night in LAST_NIGHTS:
        summary = run_sweep(school=school, as_of=night)
    case = Case.objects.get(pupil=pupil)
    assert [row["upn"] for row in summary.conversations_due] == [pupil.upn]
    assert case.events.filter(action=Action.CONVERSATION_DUE).count() == 1
    assert case.next_review == LAST_NIGHTS[-1]
    assert not case.events.filter(action=Action.LETTER_QUEUED).exists()

    services.add_note(
        case=case,
        actor=Actor.for_membership(officer),
        summary="Called mum: mornings are hard.",
        on=D(2025, 10, 24),
    )
    after = run_sweep(school=school, as_of=D(2025, 10, 24))
    assert [row["kind"] for row in after.letters_queued] == ["meeting_invite"]
    assert case.events.filter(action=Action.CONVERSATION_DUE).count() == 1


def test_a_severely_absent_pupils_case_page_says_it_is_the_top_priority(
    login, officer, school, pupil, case, days
):
    url = reverse("escalation:case", args=[school.urn, case.pk])
    client = login(officer)
    with time_machine.travel(dt.datetime(2025, 10, 24, 12, 0), tick=False):
        assert "Severe absence: the top priority" not in client.get(url).content.decode()
        MarkFactory.days(pupil, days, absent_sessions=40, code="O")
        text = client.get(url).content.decode()
    assert "Severe absence: the top priority" in text
    assert "EHC needs assessment" in text and "children's social care" in text
