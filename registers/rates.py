"""Pure attendance arithmetic on session counts: no ORM, no I/O.

DfE method (docs/domain.md §2): possible sessions = present + approved educational activity +
authorised + unauthorised; attendance = (present + AEA) / possible; persistent absence is
absence of 10% or more of possible sessions, severe absence 50% or more. Every decision is
made on exact integer/fraction arithmetic, never on a rounded percentage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from registers.bands import Band  # the bands' names and words: registers.bands

PERSISTENT_ABSENCE = Fraction(10, 100)  # national line since 2015/16
SEVERE_ABSENCE = Fraction(50, 100)


@dataclass(frozen=True)
class SessionCounts:
    possible: int = 0
    present: int = 0  # / \ L
    aea: int = 0  # approved educational activity: K V P W B
    authorised: int = 0
    unauthorised: int = 0
    late: int = 0  # L and U

    @property
    def attended(self) -> int:
        return self.present + self.aea

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised

    def __add__(self, other: SessionCounts) -> SessionCounts:
        return summed((self, other))


def summed(counts: Iterable[SessionCounts]) -> SessionCounts:
    """The counts of many pupils added up (how DfE aggregates: sessions, never rates)."""
    total = [0] * len(_FIELDS)
    for c in counts:
        for j, name in enumerate(_FIELDS):
            total[j] += getattr(c, name)
    return SessionCounts(*total)


_FIELDS = tuple(f.name for f in fields(SessionCounts))


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator × 100 to one decimal place, halves away from zero."""
    if denominator <= 0:
        return None
    tenths, remainder = divmod(abs(numerator) * 1000, denominator)
    if 2 * remainder >= denominator:
        tenths += 1
    sign = -1 if numerator < 0 else 1
    # scaleb keeps the tenths digit: Decimal(960) / 10 would be Decimal("96"), printed "96".
    return Decimal(sign * tenths).scaleb(-1)


def attendance_pct(counts: SessionCounts) -> Decimal | None:
    return percent(counts.attended, counts.possible)


def attendance_fraction(counts: SessionCounts) -> Fraction | None:
    return Fraction(counts.attended, counts.possible) if counts.possible else None


def _at_least(numerator: int, denominator: int, line: Fraction) -> bool:
    """numerator / denominator >= line, exactly, in integers (denominator > 0).

    The nightly sweep decides this for every pupil several times a night, and building
    a Fraction (and one from the school's Decimal line) each time showed in its profile."""
    return numerator * line.denominator >= line.numerator * denominator


@lru_cache(maxsize=64)
def _pct_line(pct: Decimal) -> Fraction:
    """A school's policy line (a Decimal percentage) as an exact fraction of sessions."""
    return Fraction(pct) / 100


def is_persistent(counts: SessionCounts) -> bool:
    return counts.possible > 0 and _at_least(counts.absent, counts.possible, PERSISTENT_ABSENCE)


def is_severe(counts: SessionCounts) -> bool:
    return counts.possible > 0 and _at_least(counts.absent, counts.possible, SEVERE_ABSENCE)


def band(counts: SessionCounts, *, target_pct: Decimal, formal_pct: Decimal) -> Band | None:
    """The school-policy band; the national lines (severe, persistent) take precedence."""
    if counts.possible <= 0:
        return None
    if is_severe(counts):
        return Band.SEVERE
    if is_persistent(counts):
        return Band.PERSISTENT
    if _at_least(counts.attended, counts.possible, _pct_line(target_pct)):
        return Band.EXPECTED
    if _at_least(counts.attended, counts.possible, _pct_line(formal_pct)):
        return Band.MONITOR
    return Band.CONCERN


def projected_pct(counts: SessionCounts, *, remaining_sessions: int) -> Decimal | None:
    """The attendance figure if the pupil attends every one of the remaining sessions."""
    return percent(counts.attended + remaining_sessions, counts.possible + remaining_sessions)


def sessions_to_reach(counts: SessionCounts, *, line_pct: Decimal) -> int | None:
    """Consecutive sessions of full attendance needed to be at or above `line_pct`.

    0 if already there; None if the line can never be reached (100% after any absence).
    Solves (attended + k) / (possible + k) >= t for the least whole k.
    """
    t = Fraction(line_pct) / 100
    if counts.possible == 0 or Fraction(counts.attended, counts.possible) >= t:
        return 0
    if t >= 1:
        return None
    return math.ceil((t * counts.possible - counts.attended) / (1 - t))


# --- Percentages as people read them beside a band ----------------------------------------

# A line a percentage is read against: (the line in %, True where reaching it is the better
# side, as the school's target; False where reaching it is the worse side, as 90% attendance
# for persistent absence and 50% for severe absence, both "or more missed").
Line = tuple[Decimal, bool]
NATIONAL_LINES: tuple[Line, ...] = (
    (
        Decimal(100) - Decimal(PERSISTENT_ABSENCE.numerator * 100) / PERSISTENT_ABSENCE.denominator,
        False,
    ),
    (Decimal(100) - Decimal(SEVERE_ABSENCE.numerator * 100) / SEVERE_ABSENCE.denominator, False),
)


def band_lines(*, target_pct: Decimal, formal_pct: Decimal) -> tuple[Line, ...]:
    """The lines an attendance figure is compared with: the school's two, the national two."""
    return ((Decimal(target_pct), True), (Decimal(formal_pct), True), *NATIONAL_LINES)


def _rounded(numerator: int, denominator: int, places: int) -> Decimal:
    scale = 10**places
    units, remainder = divmod(numerator * 100 * scale, denominator)
    if 2 * remainder >= denominator:
        units += 1
    return Decimal(units).scaleb(-places)


def _misleads(shown: Decimal, exact: Fraction, lines: Iterable[Line]) -> Line | None:
    for line, reaching_is_better in lines:
        at = Fraction(line)
        if reaching_is_better and exact < at <= shown:  # 95.96 shown "96.0" beside "< 96%"
            return line, reaching_is_better
        if not reaching_is_better and shown <= at < exact:  # 90.04 shown "90.0": not persistent
            return line, reaching_is_better
    return None


def shown_pct(attended: int, possible: int, *, lines: Iterable[Line] = ()) -> str:
    """The attendance figure as every page, letter and export shows it: one decimal place
    (as percent()), unless that rounded figure sits on the wrong side of a line it is read
    against (the band says "below 96%" and the figure "96.0%"): then two decimal places, and
    where even those mislead (99,999 of 100,000 sessions), "just below 96%" / "just above
    90%". "–" where there is no possible session."""
    if possible <= 0:
        return "–"
    lines = tuple(lines)
    exact = Fraction(attended * 100, possible)
    for places in (1, 2):
        shown = _rounded(attended, possible, places)
        misled = _misleads(shown, exact, lines)
        if misled is None:
            return f"{shown}%"
    assert misled is not None  # the loop returned otherwise
    line = misled[0]
    side = "below" if exact < Fraction(line) else "above"
    return f"just {side} {line.normalize():f}%"


def shown_pct_for(counts: SessionCounts | None, school) -> str:
    """shown_pct of a pupil's counts against the school's lines (a School or anything with
    target_pct and formal_meeting_pct)."""
    if counts is None:
        return "–"
    return shown_pct(
        counts.attended,
        counts.possible,
        lines=band_lines(target_pct=school.target_pct, formal_pct=school.formal_meeting_pct),
    )
