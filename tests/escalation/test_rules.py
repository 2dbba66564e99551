"""escalation.rules: pure decisions, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from escalation import rules
from escalation.rules import LetterKind as L
from escalation.rules import PupilState, Stage
from registers.rates import Band, SessionCounts

B = Band
D = dt.date


def state(*recent, stage=None, cooldown=(), last=None, possible=100) -> PupilState:
    return PupilState(
        band=recent[-1] if recent else None,
        previous_band=recent[-2] if len(recent) > 1 else None,
        recent_bands=tuple(recent),
        possible=possible,
        open_stage=stage,
        letters_in_cooldown=frozenset(cooldown),
        last_letter=last,
    )


def test_stages_are_in_the_order_of_the_graduated_approach():
    assert [s.value for s in rules.STAGE_ORDER] == [
        "monitoring",
        "letter",
        "meeting",
        "contract",
        "supervision_order",
        "notice_to_improve",
        "penalty_referral",
        "la_referral",
    ]
    assert rules.stage_rank("letter") < rules.stage_rank("la_referral")


@pytest.mark.parametrize(
    ("recent", "settled"),
    [
        ((B.CONCERN, B.CONCERN, B.CONCERN), B.CONCERN),
        ((B.CONCERN, B.MONITOR, B.CONCERN), B.MONITOR),  # hovering: the better side wins
        ((B.SEVERE, B.PERSISTENT, B.SEVERE), B.PERSISTENT),
        ((B.EXPECTED, B.SEVERE, B.SEVERE), B.EXPECTED),
        ((B.CONCERN, B.CONCERN), None),  # not enough history yet
        ((None, B.CONCERN, B.CONCERN), None),  # a night without a figure
        ((B.EXPECTED, B.MONITOR, B.MONITOR, B.MONITOR), B.MONITOR),  # last three only
    ],
)
def test_settled_band_is_the_least_severe_of_the_last_sweeps(recent, settled):
    assert rules.settled_band(recent) == settled


@pytest.mark.parametrize(
    ("pupil", "open_case", "letter", "advance"),
    [
        # Below the target three nights running, no case: open one, a supportive note.
        (state(B.MONITOR, B.MONITOR, B.MONITOR), True, L.BELOW_TARGET, None),
        # Below the formal-meeting line: the invitation moves the case to the letter stage.
        (state(B.CONCERN, B.CONCERN, B.CONCERN), True, L.MEETING_INVITE, Stage.LETTER),
        (state(B.PERSISTENT, B.SEVERE, B.PERSISTENT), True, L.PERSISTENT, Stage.LETTER),
        (state(B.SEVERE, B.SEVERE, B.SEVERE), True, L.SEVERE, Stage.LETTER),
        # One bad night is not enough: nothing happens.
        (state(B.EXPECTED, B.EXPECTED, B.SEVERE), False, None, None),
        # Too few sessions to judge (early September).
        (state(B.SEVERE, B.SEVERE, B.SEVERE, possible=12), False, None, None),
        # At target: nothing.
        (state(B.EXPECTED, B.EXPECTED, B.EXPECTED), False, None, None),
        # Open case, same letter already sent within the cool-down: nothing new.
        (
            state(B.CONCERN, B.CONCERN, B.CONCERN, stage=Stage.LETTER, cooldown={L.MEETING_INVITE}),
            False,
            None,
            None,
        ),
        # A more severe letter within the cool-down also holds back a milder one.
        (
            state(B.MONITOR, B.MONITOR, B.MONITOR, stage=Stage.LETTER, cooldown={L.PERSISTENT}),
            False,
            None,
            None,
        ),
        # Getting worse during the cool-down: the more severe letter still goes.
        (
            state(
                B.PERSISTENT,
                B.PERSISTENT,
                B.PERSISTENT,
                stage=Stage.LETTER,
                cooldown={L.MEETING_INVITE},
            ),
            False,
            L.PERSISTENT,
            None,
        ),
        # Families in a meeting, contract or legal step get the officer's letters instead.
        (state(B.SEVERE, B.SEVERE, B.SEVERE, stage=Stage.CONTRACT), False, None, None),
        # Back at target after a band letter: a positive letter, once.
        (
            state(B.EXPECTED, B.EXPECTED, B.EXPECTED, stage=Stage.LETTER, last=L.MEETING_INVITE),
            False,
            L.IMPROVEMENT,
            None,
        ),
        (
            state(B.EXPECTED, B.EXPECTED, B.EXPECTED, stage=Stage.LETTER, last=L.IMPROVEMENT),
            False,
            None,
            None,
        ),
        (
            state(B.EXPECTED, B.EXPECTED, B.EXPECTED, stage=Stage.CONTRACT, last=L.SEVERE),
            False,
            L.IMPROVEMENT,
            None,
        ),
        # Opened by hand with no band letter: no "improved" letter out of the blue.
        (state(B.EXPECTED, B.EXPECTED, B.EXPECTED, stage=Stage.MONITORING), False, None, None),
        # Monitoring case now below the line: the invitation, and the stage moves.
        (
            state(
                B.CONCERN, B.CONCERN, B.CONCERN, stage=Stage.MONITORING, cooldown={L.BELOW_TARGET}
            ),
            False,
            L.MEETING_INVITE,
            Stage.LETTER,
        ),
    ],
)
def test_decide(pupil, open_case, letter, advance):
    decision = rules.decide(pupil)
    assert (decision.open_case, decision.letter, decision.advance_to) == (
        open_case,
        letter,
        advance,
    )


def test_a_pupil_hovering_at_the_line_gets_one_letter_not_one_a_night():
    """Nightly bands flicker between monitor and concern for a month: one letter is due on
    the first settled night, then the cool-down holds every later night."""
    nights = [B.MONITOR, B.CONCERN] * 10
    sent: list[L] = []
    for n in range(3, len(nights) + 1):
        pupil = state(*nights[:n], stage=Stage.MONITORING, cooldown=set(sent))
        letter = rules.decide(pupil).letter
        if letter:
            sent.append(letter)
    assert sent == [L.BELOW_TARGET]


@pytest.mark.parametrize(
    ("previous", "current", "moved"),
    [
        (B.EXPECTED, B.MONITOR, 1),
        (B.SEVERE, B.PERSISTENT, -1),
        (B.CONCERN, B.CONCERN, 0),
        (None, B.CONCERN, 0),
    ],
)
def test_band_movement(previous, current, moved):
    assert rules.band_movement(previous, current) == moved


def counts(attended: int, possible: int) -> SessionCounts:
    return SessionCounts(possible=possible, present=attended, unauthorised=possible - attended)


@pytest.mark.parametrize(
    ("before", "after", "fall"),
    [
        (counts(98, 100), counts(192, 200), Decimal("2.0")),  # 98% → 96%: exactly 2 points
        (counts(98, 100), counts(193, 200), None),  # 1.5 points: not a dip
        (counts(100, 100), counts(195, 200), Decimal("2.5")),  # above every line, still a dip
        (counts(90, 100), counts(199, 200), None),  # a rise
        (SessionCounts(), counts(150, 200), None),  # no earlier figure
        (counts(100, 100), counts(5, 10), None),  # too few sessions to judge
        # Exact fractions decide: 97.96% → 95.99% is 1.97 points, though 98.0 → 96.0 shows.
        (counts(9796, 10000), counts(9599, 10000), None),
    ],
)
def test_dip_fall(before, after, fall):
    assert rules.dip_fall(before=before, after=after, points=Decimal("2")) == fall


def test_dip_threshold_is_the_schools():
    assert rules.dip_fall(before=counts(98, 100), after=counts(193, 200), points=Decimal("1.5"))


def test_monitoring_points_are_the_last_two_half_term_ends():
    ends = [D(2025, 10, 24), D(2025, 12, 19), D(2026, 2, 13)]
    assert rules.monitoring_points(ends, as_of=D(2026, 1, 10)) == (D(2025, 10, 24), D(2025, 12, 19))
    assert rules.monitoring_points(ends, as_of=D(2025, 11, 1)) == (D(2025, 10, 24),)


@pytest.mark.parametrize(
    ("opened_on", "focus"),
    [(D(2025, 3, 1), True), (D(2025, 7, 31), True), (D(2025, 8, 1), False), (D(2025, 9, 9), False)],
)
def test_a_case_open_from_last_year_makes_a_focus_pupil(opened_on, focus):
    assert rules.carries_focus(opened_on=opened_on, year_start=D(2025, 8, 1)) is focus


@pytest.mark.parametrize(
    ("agreed_on", "next_start", "review"),
    [
        (D(2025, 10, 1), D(2025, 11, 3), D(2025, 11, 3)),
        (D(2025, 10, 1), None, D(2025, 11, 12)),  # no next half-term known: six weeks
        (D(2025, 11, 3), D(2025, 11, 3), D(2025, 12, 15)),
    ],
)
def test_contract_review_date(agreed_on, next_start, review):
    assert (
        rules.contract_review_date(agreed_on=agreed_on, next_half_term_start=next_start) == review
    )


def test_improvement_period_counts_school_days_only():
    # Mondays to Fridays of three weeks with a closed Wednesday.
    days = [D(2025, 9, 1) + dt.timedelta(days=n) for n in range(21)]
    days = [d for d in days if d.weekday() < 5 and d != D(2025, 9, 10)]
    end = rules.improvement_period_end(issued_on=D(2025, 9, 1), school_days=days, length=10)
    assert end == D(2025, 9, 16)


def test_improvement_period_runs_on_in_weekdays_past_the_calendar():
    days = [D(2025, 9, 2), D(2025, 9, 3)]
    end = rules.improvement_period_end(issued_on=D(2025, 9, 1), school_days=days, length=5)
    assert end == D(2025, 9, 8)  # 2, 3 then Thu 4, Fri 5, Mon 8


def test_recovery_calculator():
    rows = rules.recovery(counts(90, 100), lines=[Decimal("96"), Decimal("90"), Decimal("100")])
    assert [(r.line_pct, r.sessions, r.school_days) for r in rows] == [
        (Decimal("96"), 150, 75),  # (90 + k) / (100 + k) >= 0.96
        (Decimal("90"), 0, 0),
        (Decimal("100"), None, None),
    ]
