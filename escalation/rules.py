"""The escalation policy as pure rules: figures and dates in, decisions out. No ORM.

Support first (docs/domain.md §5): the nightly sweep may open a case, flag a dip or a pupil who
meets the penalty-notice threshold, and ask for a letter. Meetings, contracts, notices to
improve and referrals are always a person's decision, recorded through the case services.

Hysteresis (chosen here, documented in the caseload help): a pupil hovering at a line must
not get a letter every night. Two rules together stop that:
1. *Settled band*: the sweep acts on the least severe band of the pupil's figures on the
   last LETTER_SETTLE_SWEEPS school days (tonight's included). One bad day does not move a
   pupil down; a pupil flickering across a line is treated as being on the better side.
2. *Cool-down*: a letter is not queued if a letter of the same kind, or of a more severe
   kind, was queued within the last LETTER_COOLDOWN_WEEKS school weeks (about a
   half-term, the monitoring cadence schools use, docs/domain.md §9).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from attendance_portal.errors import DomainError
from registers import bands
from registers.rates import Band, SessionCounts, attendance_fraction, sessions_to_reach


class Stage(StrEnum):
    """The graduated approach, in order (docs/domain.md §5)."""

    MONITORING = "monitoring"
    LETTER = "letter"
    MEETING = "meeting"
    CONTRACT = "contract"
    # Formal support before any enforcement: an education supervision order (docs/domain.md §10).
    SUPERVISION_ORDER = "supervision_order"
    NOTICE_TO_IMPROVE = "notice_to_improve"
    PENALTY_REFERRAL = "penalty_referral"
    LA_REFERRAL = "la_referral"


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


def stage_rank(stage: str) -> int:
    return STAGE_ORDER.index(Stage(stage))


class OpenReason(StrEnum):
    BAND = "band"
    DIP = "dip"
    FPN_THRESHOLD = "fpn_threshold"
    MANUAL = "manual"


class LetterKind(StrEnum):
    BELOW_TARGET = "below_target"  # below the school's target: a supportive note
    MEETING_INVITE = "meeting_invite"  # below the formal-meeting line: invitation to meet
    PERSISTENT = "persistent"  # national persistent-absence line (10% or more missed)
    SEVERE = "severe"  # national severe-absence line (50% or more missed)
    IMPROVEMENT = "improvement"  # back at or above target: a positive letter


BAND_SEVERITY = bands.SEVERITY  # 0 for the best band (registers.bands)
BELOW_TARGET_BANDS = bands.BELOW_TARGET
# The weekly students-of-concern list: two or more sessions missed in a week puts a pupil on
# it even above the target, so a dip between monitoring points is discussed before it shows
# in the yearly figure (docs/domain.md §9: "so no pupil is missed").
CONCERN_WEEK_ABSENCES = 2
LETTER_FOR_BAND: dict[Band, LetterKind] = {
    Band.MONITOR: LetterKind.BELOW_TARGET,
    Band.CONCERN: LetterKind.MEETING_INVITE,
    Band.PERSISTENT: LetterKind.PERSISTENT,
    Band.SEVERE: LetterKind.SEVERE,
}
LETTER_SEVERITY: dict[LetterKind, int] = {k: BAND_SEVERITY[b] for b, k in LETTER_FOR_BAND.items()}
BAND_LETTERS = frozenset(LETTER_FOR_BAND.values())
LETTER_LABELS: dict[LetterKind, str] = {
    LetterKind.BELOW_TARGET: "Attendance below the school's target",
    LetterKind.MEETING_INVITE: "Invitation to an attendance meeting",
    LetterKind.PERSISTENT: "Persistent absence",
    LetterKind.SEVERE: "Severe absence",
    LetterKind.IMPROVEMENT: "Attendance has improved",
}
# Letters below the formal-meeting line are formal steps: the case moves to the letter stage.
# The below-target note is part of monitoring and moves nothing.
STAGE_LETTERS = frozenset({LetterKind.MEETING_INVITE, LetterKind.PERSISTENT, LetterKind.SEVERE})

LETTER_SETTLE_SWEEPS = 3
LETTER_COOLDOWN_WEEKS = 6
# Early in the year a single absence moves a percentage by whole bands (1 of 4 sessions is
# 75%). Bands drive nothing until a pupil has two school weeks of possible sessions; this
# is a local choice, not a DfE rule.
MIN_POSSIBLE_SESSIONS = 20


def settled_band(
    recent: Sequence[Band | None], *, sweeps: int = LETTER_SETTLE_SWEEPS
) -> Band | None:
    """The least severe band of the last `sweeps` figures; None without enough history."""
    window = list(recent)[-sweeps:]
    if len(window) < sweeps or any(b is None for b in window):
        return None
    return min(window, key=lambda b: BAND_SEVERITY[b])  # type: ignore[index]


@dataclass(frozen=True)
class PupilState:
    """What the sweep knows about one pupil tonight."""

    band: Band | None
    previous_band: Band | None  # at the last stored figure before tonight
    recent_bands: tuple[Band | None, ...]  # oldest first, tonight's last
    possible: int
    open_stage: Stage | None  # None: no open case
    letters_in_cooldown: frozenset[LetterKind] = frozenset()
    last_letter: LetterKind | None = None  # the open case's latest letter, ever
    # A conversation with the family (a note, a meeting, a contract) is on the open case.
    conversation_held: bool = True
    # School policy (School.letter_after_conversation): the standard letter waits for it.
    letter_waits_for_conversation: bool = False


@dataclass(frozen=True)
class Decision:
    open_case: bool = False
    letter: LetterKind | None = None
    advance_to: Stage | None = None
    moved: int = 0  # +1 a worse band than last time, -1 a better one, 0 the same
    conversation: bool = False  # ask the officer to talk to the family (the first step)
    severe: bool = False  # the severe-absence pathway: top priority, with the LA


def band_movement(previous: Band | None, current: Band | None) -> int:
    if previous is None or current is None or previous == current:
        return 0
    return 1 if BAND_SEVERITY[current] > BAND_SEVERITY[previous] else -1


def letter_due(state: PupilState, *, settled: Band | None) -> LetterKind | None:
    """The letter the policy asks for tonight, after the hysteresis rules above."""
    stage = state.open_stage or Stage.MONITORING
    if settled is None or state.possible < MIN_POSSIBLE_SESSIONS:
        return None
    if settled == Band.EXPECTED:
        # Positive letters when attendance improves (docs/domain.md §9): once, after a band letter.
        improved = state.open_stage is not None and state.last_letter in BAND_LETTERS
        cooling = LetterKind.IMPROVEMENT in state.letters_in_cooldown
        return LetterKind.IMPROVEMENT if improved and not cooling else None
    # Families already in a meeting, contract or legal step get letters written by the
    # officer (adapted letters, docs/domain.md §9), not the sweep's standard ones.
    if stage_rank(stage) > stage_rank(Stage.LETTER):
        return None
    kind = LETTER_FOR_BAND[settled]
    recent = {k for k in state.letters_in_cooldown if k in LETTER_SEVERITY}
    if any(LETTER_SEVERITY[k] >= LETTER_SEVERITY[kind] for k in recent):
        return None
    return kind


def decide(state: PupilState) -> Decision:
    """Open a case, queue a letter and/or advance the stage: never anything further.

    The first step for a newly concerning pupil is a conversation with the family, asked
    of the officer ("letters and texts have minimal effect", docs/domain.md §9); the standard
    letter follows it where the school's policy says so. Severe absence starts its own
    pathway (docs/domain.md §10)."""
    settled = settled_band(state.recent_bands)
    below = settled in BELOW_TARGET_BANDS and state.possible >= MIN_POSSIBLE_SESSIONS
    open_case = state.open_stage is None and below
    has_case = state.open_stage is not None or open_case
    letter = letter_due(state, settled=settled) if has_case else None
    stage = state.open_stage or Stage.MONITORING
    conversation = below and has_case and stage == Stage.MONITORING and not state.conversation_held
    if conversation and state.letter_waits_for_conversation and letter in BAND_LETTERS:
        letter = None
    advance = (
        Stage.LETTER
        if letter in STAGE_LETTERS and stage_rank(stage) < stage_rank(Stage.LETTER)
        else None
    )
    return Decision(
        open_case=open_case,
        letter=letter,
        advance_to=advance,
        moved=band_movement(state.previous_band, state.band),
        conversation=conversation,
        severe=has_case and below and settled == Band.SEVERE,
    )


# --- Dips between half-termly monitoring points (docs/domain.md §9) ---------------------------


def dip_fall(*, before: SessionCounts, after: SessionCounts, points: Decimal) -> Decimal | None:
    """The fall in attendance points if it is `points` or more, else None.

    Decided on exact fractions; the returned figure is rounded to one decimal for display.
    Flagged whatever the band: a pupil going from 99% to 96.5% is discussed too.
    """
    rate_before, rate_after = attendance_fraction(before), attendance_fraction(after)
    if rate_before is None or rate_after is None or after.possible < MIN_POSSIBLE_SESSIONS:
        return None
    fall = (rate_before - rate_after) * 100
    if fall < Fraction(points):
        return None
    return (Decimal(fall.numerator) / Decimal(fall.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def monitoring_points(half_term_ends: Iterable[dt.date], *, as_of: dt.date) -> tuple[dt.date, ...]:
    """The last two half-term ends on or before `as_of`, oldest first (fewer if none)."""
    past = sorted(d for d in half_term_ends if d <= as_of)
    return tuple(past[-2:])


# --- Focus pupils, reviews and notices ------------------------------------------------------


def carries_focus(*, opened_on: dt.date, year_start: dt.date) -> bool:
    """A case still open from an earlier academic year makes the pupil a focus pupil."""
    return opened_on < year_start


CONTRACT_REVIEW_FALLBACK = dt.timedelta(weeks=6)  # reviewed "after 4–6 weeks" (Stockport)


def contract_review_date(*, agreed_on: dt.date, next_half_term_start: dt.date | None) -> dt.date:
    """The contract is revisited the following half-term (docs/domain.md §9), else in 6 weeks."""
    if next_half_term_start is not None and next_half_term_start > agreed_on:
        return next_half_term_start
    return agreed_on + CONTRACT_REVIEW_FALLBACK


# The national framework sets the improvement period at 3 to 6 weeks (docs/domain.md §10): 15 to
# 30 school days. The default is the longest, as Norfolk uses (docs/domain.md §4).
NOTICE_TO_IMPROVE_MIN_SCHOOL_DAYS = 15
NOTICE_TO_IMPROVE_MAX_SCHOOL_DAYS = 30
NOTICE_TO_IMPROVE_SCHOOL_DAYS = NOTICE_TO_IMPROVE_MAX_SCHOOL_DAYS


# What the notice says when the officer leaves these out (docs/domain.md §10: the notice must say
# what further support is on offer and what sufficient improvement means).
DEFAULT_FURTHER_SUPPORT = (
    "We will meet you to review the support in place and agree what else would help, and "
    "we can ask the local authority's attendance service and early help for support."
)
DEFAULT_SUFFICIENT_IMPROVEMENT = (
    "No unauthorised absence during the improvement period, and attendance every day that "
    "the school is open, on time, unless the school authorises an absence."
)


def improvement_period_problem(length: int) -> str:
    """Why an improvement period of `length` school days is not allowed ("" if it is)."""
    low, high = NOTICE_TO_IMPROVE_MIN_SCHOOL_DAYS, NOTICE_TO_IMPROVE_MAX_SCHOOL_DAYS
    if low <= length <= high:
        return ""
    return (
        f"The improvement period must be 3 to 6 weeks: {low} to {high} school days "
        f"(the national framework), not {length}."
    )


def improvement_period_end(
    *, issued_on: dt.date, school_days: Sequence[dt.date], length: int
) -> dt.date:
    """The `length`-th school day after the notice; weekdays beyond the known calendar."""
    following = sorted(d for d in school_days if d > issued_on)
    if len(following) >= length:
        return following[length - 1]
    day = following[-1] if following else issued_on
    remaining = length - len(following)
    while remaining:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return day


@dataclass(frozen=True)
class Recovery:
    line_pct: Decimal
    sessions: int | None  # consecutive full sessions needed; None if out of reach
    school_days: int | None


def recovery(counts: SessionCounts, *, lines: Iterable[Decimal]) -> list[Recovery]:
    """The attendance calculator: how far each line is, in sessions of full attendance."""
    rows = []
    for line in lines:
        sessions = sessions_to_reach(counts, line_pct=line)
        days = None if sessions is None else -(-sessions // 2)
        rows.append(Recovery(line_pct=line, sessions=sessions, school_days=days))
    return rows


# --- Penalty notices: the national framework from 19 August 2024 (docs/domain.md §4) ----------
# A notice is per parent, per child. The first is £160 if paid within 28 days, reduced to
# £80 if paid within 21; a second to the same parent for the same child within 3 years of
# the first is a flat £160; there is no third within those 3 years. Withdrawn notices do
# not count, and the 3 years start from the first notice issued on or after 19 Aug 2024.

FRAMEWORK_START = dt.date(2024, 8, 19)
FULL_AMOUNT_PENCE = 16_000
EARLY_AMOUNT_PENCE = 8_000
FULL_DAYS = 28
EARLY_DAYS = 21
LIMIT_YEARS = 3


class LaRoute(StrEnum):
    """What a local-authority referral asks for once a penalty notice is not the tool."""

    PROSECUTION = "prosecution"
    SUPERVISION_ORDER = "education_supervision_order"
    PARENTING_ORDER = "parenting_order"


# An education supervision order formalises support before prosecution (docs/domain.md §10):
# it is offered first, as a formal-support step, and named first wherever routes are listed.
LA_ROUTE_LABELS: dict[LaRoute, str] = {
    LaRoute.SUPERVISION_ORDER: (
        "Education supervision order (formal support, to consider before prosecution)"
    ),
    LaRoute.PROSECUTION: "Prosecution under section 444 of the Education Act 1996",
    LaRoute.PARENTING_ORDER: "Parenting order (the court can make one on conviction)",
}


@dataclass(frozen=True)
class PriorNotice:
    referred_on: dt.date
    counts: bool  # False once withdrawn (or declined by the local authority)
    issued_on: dt.date | None = None  # known once the local authority has issued it

    @property
    def dated(self) -> dt.date:
        """The day the 3 years run from: the issue date once known (docs/domain.md §10), the
        referral date until then (the notice cannot have been issued earlier)."""
        return self.issued_on or self.referred_on


@dataclass(frozen=True)
class PenaltyTerms:
    sequence: int  # 1 or 2 within the 3-year period
    period_start: dt.date  # the first notice of the period
    amount_pence: int  # due within FULL_DAYS
    early_amount_pence: int | None  # due within EARLY_DAYS: first notices only


class ThirdNoticeRefused(DomainError, ValueError):
    """A third notice within 3 years of the first: the law asks for another route."""

    def __init__(self, *, first: dt.date, until: dt.date) -> None:
        self.first, self.until = first, until
        routes = "; ".join(label[0].lower() + label[1:] for label in LA_ROUTE_LABELS.values())
        super().__init__(
            f"This parent has already had two penalty notices for this child since "
            f"{first:%-d %B %Y}. A third is not allowed before {until:%-d %B %Y}. "
            f"Refer to the local authority for another route instead: {routes}."
        )


class NoticeBeforeFramework(DomainError, ValueError):
    """A referral dated before the framework: earlier notices are not counted towards the
    limit of two, so dating one back would get round it."""

    def __init__(self, *, on: dt.date) -> None:
        self.on = on
        super().__init__(
            f"Penalty notices follow the national framework in force since "
            f"{FRAMEWORK_START:%-d %B %Y}; a referral cannot be dated {on:%-d %B %Y}. "
            f"Record an earlier notice as a note on the case."
        )


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def penalty_terms(*, prior: Iterable[PriorNotice], on: dt.date) -> PenaltyTerms:
    """The sequence and amounts of a new notice on `on`, or ThirdNoticeRefused (or
    NoticeBeforeFramework for a date before 19 August 2024).

    The 3 years run from the day the first notice of the period was *issued*, not the day
    the school asked for it (docs/domain.md §10)."""
    if on < FRAMEWORK_START:
        raise NoticeBeforeFramework(on=on)
    period_start: dt.date | None = None
    count = 0
    dates = sorted(p.dated for p in prior if p.counts and p.dated >= FRAMEWORK_START)
    for day in (d for d in dates if d <= on):
        if period_start is None or day >= add_years(period_start, LIMIT_YEARS):
            period_start, count = day, 1
        else:
            count += 1
    if period_start is None or on >= add_years(period_start, LIMIT_YEARS):
        return PenaltyTerms(1, on, FULL_AMOUNT_PENCE, EARLY_AMOUNT_PENCE)
    if count >= 2:
        raise ThirdNoticeRefused(first=period_start, until=add_years(period_start, LIMIT_YEARS))
    return PenaltyTerms(2, period_start, FULL_AMOUNT_PENCE, None)


def pounds(pence: int | None) -> str:
    if pence is None:
        return ""
    whole, part = divmod(pence, 100)
    return f"£{whole}" if not part else f"£{whole}.{part:02d}"
