"""Pure generation of believable register marks, one pupil at a time.

The shape follows the national picture (docs/domain.md §6, primary overall absence 5.5%,
illness the largest reason, unauthorised holiday about 0.5%): absence comes in episodes
(a two-day bug, a family holiday next to a half-term), not as independent coin flips, so
streaks, Monday/Friday peaks and persistent absentees appear the way they do in real data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from .people import PupilSpec

# Chance per school day that an episode starts, for a pupil of average risk.
ILLNESS_START = 0.014
UNAUTHORISED_DAY = 0.003
MEDICAL_SESSION = 0.008
EXCEPTIONAL_DAY = 0.0005
ILLNESS_LENGTHS = (1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4)
# Absence clusters at the ends of the week; winter is the illness season.
WEEKDAY = (1.3, 0.9, 0.85, 0.9, 1.3)
SEASON = {9: 0.7, 10: 0.95, 11: 1.2, 12: 1.35, 1: 1.3, 2: 1.15, 3: 1.0, 4: 0.85, 5: 0.8}
SEVERE_CODES = ("O", "O", "O", "O", "O", "I", "I", "I", "M", "C")
ILL_NOTES = ("Parent phoned: unwell", "Sickness bug", "High temperature", "Cold", "")


@dataclass(frozen=True)
class Day:
    date: dt.date
    sessions: tuple[str, ...]  # the open sessions that have been registered so far
    term: int  # index of the half-term, counting from the first one generated


@dataclass(frozen=True)
class MarkSpec:
    pupil_key: int
    date: dt.date
    session: str
    code: str
    minutes_late: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class Context:
    """What every pupil of one school shares."""

    days: list[Day]
    today: dt.date
    year_start: dt.date  # first day of the current academic year
    trips: dict[str, frozenset[dt.date]]

    @cached_property
    def recent(self) -> frozenset[dt.date]:
        """The last five school days before today: unexplained absences there may still
        be N, because the office has not yet established a reason."""
        before = [d.date for d in self.days if d.date < self.today]
        return frozenset(before[-5:])


@dataclass(frozen=True)
class Tendency:
    risk: float  # multiplies every absence rate; 1.0 is an average pupil
    late: float  # chance of arriving late to the morning register


def risk_factor(pupil: PupilSpec) -> float:
    """Group differences from the national data (docs/domain.md §6): FSM pupils miss about twice
    as much as others (10.0% v 5.2%), SEN support 10.1% and EHC plans 13.1% against 5.8%."""
    factor = 1.0
    if pupil.pupil_premium:
        factor += 1.2
    factor += {"K": 0.7, "E": 1.1}.get(pupil.sen, 0.0)
    if pupil.cin:
        factor += 0.5
    if pupil.young_carer:
        factor += 0.4
    if pupil.year_group == "R":
        factor += 0.2  # the youngest catch everything going round
    return factor


def tendency(pupil: PupilSpec, rng: random.Random) -> Tendency:
    # A skewed individual factor (mean 1): most children are rarely off, a few often are,
    # which is what makes roughly one pupil in seven persistently absent.
    frailty = rng.gammavariate(4.0, 1 / 4.0)
    roll = rng.random()
    late = 0.10 if roll < 0.07 else 0.035 if roll < 0.25 else 0.008
    if pupil.pupil_premium:
        late *= 1.5
    return Tendency(risk_factor(pupil) * frailty, late)


def plan_holiday(rng: random.Random, days: list[Day]) -> frozenset[dt.date]:
    """A family's unauthorised term-time holiday, if any: 5–10 school days next to a break.
    Seeded per family, so brothers and sisters are away together."""
    by_term: dict[int, list[dt.date]] = {}
    for day in days:
        by_term.setdefault(day.term, []).append(day.date)
    found: set[dt.date] = set()
    for year in sorted({term // 6 for term in by_term}):
        if rng.random() >= 0.08:
            continue
        term_days = by_term.get(year * 6 + rng.randrange(6), [])
        length = rng.randint(5, 10)
        found.update(term_days[-length:] if rng.random() < 0.6 else term_days[:length])
    return frozenset(found)


def plan_trips(rng: random.Random, forms: list[str], days: list[Day], today: dt.date):
    """Occasional whole-form educational visits (V), about one form in three per half-term."""
    full_days: dict[int, list[dt.date]] = {}
    for day in days:
        if day.sessions == ("AM", "PM") and day.date < today:
            full_days.setdefault(day.term, []).append(day.date)
    trips = {}
    for form in forms:
        trips[form] = frozenset(
            rng.choice(dates) for dates in full_days.values() if rng.random() < 0.25
        )
    return trips


def _present(rng: random.Random, session: str, late: float) -> tuple[str, int | None]:
    """Present, or late: L before the register closes (30 minutes), U after it."""
    if session == "PM":
        return ("L", rng.randint(5, 15)) if rng.random() < late / 8 else ("\\", None)
    roll = rng.random()
    if roll < late / 10:
        return "U", rng.randint(31, 55)
    if roll < late:
        return "L", int(rng.triangular(5, 25, 8))
    return "/", None


def _severe_chance(pupil: PupilSpec, day: dt.date, ctx: Context) -> float:
    """School refusal that began last spring and is now well established."""
    if pupil.pattern != "severe":
        return 0.0
    if day >= ctx.year_start:
        return 0.65
    return 0.15 if day.month < 8 else 0.0


def _unresolved(rng: random.Random, recent: bool) -> bool:
    """Whether an unexplained absence is still N: often in the last few days, because the
    office has not caught up yet; very rarely for good."""
    return (recent and rng.random() < 0.5) or rng.random() < 0.005


def pupil_marks(
    *, pupil: PupilSpec, ctx: Context, holiday: frozenset[dt.date], rng: random.Random
) -> Iterator[MarkSpec]:
    """Every mark of one pupil for the sessions registered while they were on roll."""
    mine = tendency(pupil, rng)
    trips = ctx.trips.get(pupil.form or "", frozenset())
    recent = ctx.recent
    part_time_from = max(ctx.year_start, ctx.today - dt.timedelta(weeks=6))
    ongoing, left = "", 0
    for day in ctx.days:
        date = day.date
        if date < pupil.admission or (pupil.leaving and date > pupil.leaving):
            continue
        codes = dict.fromkeys(day.sessions, "")
        note, started = "", False
        if date in holiday:
            codes = dict.fromkeys(codes, "G")
            note = "Holiday in term time: leave not granted"
        elif left > 0:
            codes, left = dict.fromkeys(codes, ongoing), left - 1
        else:
            risk = mine.risk * WEEKDAY[date.weekday()]
            severe = _severe_chance(pupil, date, ctx)
            ill = severe + ILLNESS_START * risk * SEASON.get(date.month, 0.8)
            unauthorised = ill + UNAUTHORISED_DAY * risk
            medical = unauthorised + MEDICAL_SESSION * (1 + mine.risk) / 2
            roll = rng.random()
            if roll < severe:
                codes, started = dict.fromkeys(codes, rng.choice(SEVERE_CODES)), True
            elif roll < ill:
                ongoing, left = "I", rng.choice(ILLNESS_LENGTHS) - 1
                codes, started = dict.fromkeys(codes, "I"), True
                note = rng.choice(ILL_NOTES)
                if len(codes) == 2 and rng.random() < 0.12:
                    codes["AM"], note = "", "Sent home at lunchtime"
            elif roll < unauthorised:
                codes, started = dict.fromkeys(codes, "O"), True
            elif roll < medical:
                codes[rng.choice(day.sessions)] = "M"
                note = rng.choice(("Dental appointment", "Hospital appointment", "GP"))
            elif roll < medical + EXCEPTIONAL_DAY:
                codes, note = dict.fromkeys(codes, "C"), "Family funeral"
        if "O" in codes.values() and _unresolved(rng, date in recent):
            codes = {s: "N" if c == "O" else c for s, c in codes.items()}
        if started and date == ctx.today and rng.random() < 0.6:
            # Nobody has rung in yet: today's first-day absences wait for the calling list.
            codes, note = {s: "N" if c else c for s, c in codes.items()}, ""
        if pupil.pattern == "part_time" and date >= part_time_from and "PM" in codes:
            codes["PM"] = "C2"
        for session, code in codes.items():
            minutes = None
            if not code:
                code, minutes = ("V", None) if date in trips else _present(rng, session, mine.late)
            comment = note if code not in ("/", "\\", "L", "U", "V") else ""
            if code == "C2":
                comment = "Part-time timetable agreed with parent, reviewed fortnightly"
            yield MarkSpec(pupil.key, date, session, code, minutes, comment)
