"""The steps of the nightly sweep (escalation.services.sweep): each one reads or writes
the whole school at once, so the number of queries does not grow with the roll."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.utils import timezone

from attendance_portal import bulk
from attendance_portal.dates import monday_of
from escalation import rules
from escalation.models import Case, EscalationEvent, PupilFigure
from escalation.services.cases import SWEEP, build_event, next_monitoring_point
from registers import rates
from registers.figures import FpnCandidate, unmarked_by_pupil, year_to_date
from registers.models import HalfTerm, School, SchoolDay

Action = EscalationEvent.Action
OPEN_BAND, OPEN_DIP, OPEN_FPN = Case.Reason.BAND, Case.Reason.DIP, Case.Reason.FPN_THRESHOLD
FIGURE_FIELDS = (
    *(f.name for f in fields(rates.SessionCounts)),
    "attendance",
    "band",
    "persistent",
    "severe",
)
STAMP_FIELDS = ("created_at", "updated_at", "school_id", "pupil_id", "as_of")


@dataclass(slots=True)
class NightFigure:
    """A pupil's figure tonight, as stored in PupilFigure: a plain object, since building
    a model instance per pupil was a tenth of a 1,000-pupil school's sweep (profiled on
    the benchmark trust, docs/scaling.md)."""

    pupil_id: int
    possible: int
    present: int
    aea: int
    authorised: int
    unauthorised: int
    late: int
    attendance: Decimal | None
    band: str
    persistent: bool
    severe: bool
    shown: str = ""  # the attendance as people read it (rates.shown_pct); not stored

    @property
    def rate_band(self) -> rates.Band | None:
        return rates.Band(self.band) if self.band else None

    @property
    def band_label(self) -> str:
        return PupilFigure.Band(self.band).label


def figure(school: School, pupil_id: int, counts: rates.SessionCounts | None) -> NightFigure:
    counts = counts or rates.SessionCounts()
    band = rates.band(counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct)
    return NightFigure(
        pupil_id,
        counts.possible,
        counts.present,
        counts.aea,
        counts.authorised,
        counts.unauthorised,
        counts.late,
        rates.attendance_pct(counts),
        band.value if band else PupilFigure.Band.NONE,
        rates.is_persistent(counts),
        rates.is_severe(counts),
        rates.shown_pct_for(counts, school),
    )


def store_figures(*, school: School, as_of: dt.date, figures: dict[int, NightFigure]) -> int:
    """Insert new figures and update changed ones; identical figures are not touched.

    Set-based writes (attendance_portal.bulk: one array per column): the ORM's
    bulk_create prepared 16 values per pupil one by one, 30 ms of a 1,000-pupil school's
    sweep in Python. The sweep's claim (sweep._claim) keeps a second run of the same school
    and night out, and the unique constraint on (pupil, as_of) still stands behind it."""
    stored = {
        row[0]: (row[1], row[2:])
        for row in PupilFigure.objects.for_school(school)
        .on(as_of)
        .values_list("pupil_id", "pk", *FIGURE_FIELDS)
    }
    now = timezone.now()
    new, changed = [], []
    for pupil_id, f in figures.items():
        values = tuple(getattr(f, n) for n in FIGURE_FIELDS)
        found = stored.get(pupil_id)
        if found is None:
            new.append((now, now, school.pk, pupil_id, as_of, *values))
        elif found[1] != values:
            changed.append((found[0], *values, now))
    bulk.insert(PupilFigure, [*STAMP_FIELDS, *FIGURE_FIELDS], new)
    bulk.update(PupilFigure, [*FIGURE_FIELDS, "updated_at"], changed)
    return len(new) + len(changed)


def hold_incomplete(
    *, school: School, year_start: dt.date, as_of: dt.date, decisions: dict[int, rules.Decision]
) -> dict[int, int]:
    """Unmarked sessions per pupil before tonight's date (a register of `as_of` may still be
    open when the sweep is run by day), and their decisions held: a figure with sessions
    missing a mark (Regulation 10) is incomplete, so it opens no case, queues no letter,
    advances no stage and moves no pupil to a worse band. An improvement still counts."""
    unmarked = unmarked_by_pupil(school=school, start=year_start, end=as_of - dt.timedelta(days=1))
    for pk in unmarked.keys() & decisions.keys():
        decisions[pk] = rules.Decision(moved=min(decisions[pk].moved, 0))
    return unmarked


def open_cases_by_pupil(school: School) -> dict[int, Case]:
    return {c.pupil_id: c for c in Case.objects.for_school(school).open()}


def school_weeks_start(*, school: School, as_of: dt.date, weeks: int) -> dt.date:
    """The Monday of the `weeks`-th most recent week with school in it, up to `as_of`."""
    days = (
        SchoolDay.objects.for_school(school)
        .filter(date__lte=as_of)
        .order_by("-date")
        .values_list("date", flat=True)[: weeks * 7]
    )
    mondays = sorted({monday_of(d) for d in days}, reverse=True)[:weeks]
    return mondays[-1] if mondays else as_of - dt.timedelta(weeks=weeks)


def decisions(
    *, school: School, as_of: dt.date, figures: dict[int, NightFigure], cases: dict[int, Case]
) -> dict[int, rules.Decision]:
    """rules.decide for every pupil, from tonight's figures and the stored history."""
    earlier = list(
        SchoolDay.objects.for_school(school)
        .filter(date__lt=as_of)
        .order_by("-date")
        .values_list("date", flat=True)[: rules.LETTER_SETTLE_SWEEPS - 1]
    )[::-1]
    history: dict[int, dict[dt.date, str]] = defaultdict(dict)
    for pk, day, band in (
        PupilFigure.objects.for_school(school)
        .filter(as_of__in=earlier)
        .values_list("pupil_id", "as_of", "band")
    ):
        history[pk][day] = band
    cooldown_since = school_weeks_start(
        school=school, as_of=as_of, weeks=rules.LETTER_COOLDOWN_WEEKS
    )
    letters: dict[int, list[tuple[dt.date, rules.LetterKind]]] = defaultdict(list)
    for case_id, day, kind in (
        EscalationEvent.objects.for_school(school)
        .filter(action=Action.LETTER_QUEUED, case__status=Case.Status.OPEN)
        .order_by("occurred_on", "id")
        .values_list("case_id", "occurred_on", "data__kind")
    ):
        letters[case_id].append((day, rules.LetterKind(kind)))

    # A conversation with the family is on the case: a staff note, meeting or contract.
    talked = set(
        EscalationEvent.objects.for_school(school)
        .filter(action__in=CONVERSATIONS, case__status=Case.Status.OPEN, actor__isnull=False)
        .values_list("case_id", flat=True)
    )
    out = {}
    for pk, tonight in figures.items():
        past = history.get(pk, {})
        recent = (*(_band(past.get(d)) for d in earlier), tonight.rate_band)
        case = cases.get(pk)
        sent = letters.get(case.pk, []) if case else []
        out[pk] = rules.decide(
            rules.PupilState(
                band=tonight.rate_band,
                previous_band=recent[-2] if len(recent) > 1 else None,
                recent_bands=recent,
                possible=tonight.possible,
                open_stage=rules.Stage(case.stage) if case else None,
                letters_in_cooldown=frozenset(k for day, k in sent if day >= cooldown_since),
                last_letter=sent[-1][1] if sent else None,
                conversation_held=case is not None and case.pk in talked,
                letter_waits_for_conversation=school.letter_after_conversation,
            )
        )
    return out


CONVERSATIONS = (Action.NOTE, Action.MEETING_HELD, Action.CONTRACT_SIGNED)
CONVERSATION_TASK = (
    "First step: talk to the family (a call or a meeting) to understand what is getting in "
    "the way and agree support; letters and texts alone have little effect. Record the "
    "conversation on the case as a note or a meeting."
)
SEVERE_PATHWAY = (
    "Severe absence (half or more of school missed): the top priority for all partners. "
    "Work jointly with the local authority (raise the pupil at the next targeting support "
    "meeting), consider whether an EHC needs assessment should be requested, and whether "
    "children's social care should be involved."
)


def ask_for_conversations(
    *, as_of: dt.date, decisions: dict[int, rules.Decision], cases: dict[int, Case]
) -> None:
    """A conversation task for the officer, once per case, due tonight."""
    _tasks(as_of, decisions, cases, "conversation", Action.CONVERSATION_DUE, CONVERSATION_TASK)


def flag_severe(
    *, as_of: dt.date, decisions: dict[int, rules.Decision], cases: dict[int, Case]
) -> None:
    """The severe-absence pathway, once per case, due tonight (docs/domain.md §10)."""
    _tasks(as_of, decisions, cases, "severe", Action.SEVERE_PATHWAY, SEVERE_PATHWAY)


def _tasks(as_of, decisions, cases, flag: str, action: str, summary: str) -> None:
    due = {
        cases[pk].pk: cases[pk] for pk, d in decisions.items() if getattr(d, flag) and pk in cases
    }
    if not due:
        return
    done = set(
        EscalationEvent.objects.filter(case_id__in=list(due), action=action).values_list(
            "case_id", flat=True
        )
    )
    new = [case for pk, case in due.items() if pk not in done]
    EscalationEvent.objects.bulk_create(
        [_event(c, action, as_of, summary, {}, flag) for c in new], ignore_conflicts=True
    )
    Case.objects.filter(pk__in=[c.pk for c in new]).update(
        next_review=as_of, updated_at=timezone.now()
    )
    for case in new:
        case.next_review = as_of


def _band(value: str | None) -> rates.Band | None:
    return rates.Band(value) if value else None


def dip_key(point: dt.date) -> str:
    return f"dip:{point.isoformat()}"


def dip_points(*, school: School, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    """The last two monitoring points (half-term ends) up to `as_of`, if there are two."""
    ends = HalfTerm.objects.for_school(school).values_list("end_date", flat=True)
    points = rules.monitoring_points(ends, as_of=as_of)
    return (points[0], points[1]) if len(points) == 2 else None


def dip_ranges(points: tuple[dt.date, dt.date]) -> list[tuple[dt.date, dt.date]]:
    """The year to date at each monitoring point: the ranges find_dips compares."""
    return [(year_to_date(point)[0], point) for point in points]


def find_dips(
    *,
    school: School,
    points: tuple[dt.date, dt.date],
    counts: Sequence[dict[int, rates.SessionCounts]],
    pupil_ids: Iterable[int],
) -> dict[int, dict[str, Any]]:
    """Pupils whose figure fell by the school's dip points between the last two
    half-term ends, not yet flagged for that monitoring point.

    `counts` are counts_by_pupil over dip_ranges(points): the sweep gets them from the
    same scan of the marks as tonight's figures (figures.counts_by_pupil_over)."""
    first, last = points
    before, after = counts
    flagged = set(
        EscalationEvent.objects.for_school(school)
        .filter(action=Action.DIP_FLAGGED, key=dip_key(last))
        .values_list("pupil_id", flat=True)
    )
    dips = {}
    for pk in pupil_ids:
        if pk in flagged or pk not in before or pk not in after:
            continue
        fall = rules.dip_fall(before=before[pk], after=after[pk], points=school.dip_points)
        if fall is not None:
            dips[pk] = {
                "points": [first.isoformat(), last.isoformat()],
                "before": float(rates.attendance_pct(before[pk])),  # type: ignore[arg-type]
                "after": float(rates.attendance_pct(after[pk])),  # type: ignore[arg-type]
                "fall": float(fall),
            }
    return dips


def open_new_cases(
    *, school: School, as_of: dt.date, reasons: Mapping[int, str], figures: dict[int, NightFigure]
) -> dict[int, Case]:
    """Open a monitoring case per pupil. ignore_conflicts: a case opened by staff at the
    same moment wins (one open case per pupil is a database constraint)."""
    if not reasons:
        return {}
    review = next_monitoring_point(school=school, after=as_of)
    Case.objects.bulk_create(
        [
            Case(school=school, pupil_id=pk, reason=r, opened_on=as_of, next_review=review)
            for pk, r in reasons.items()
        ],
        ignore_conflicts=True,
    )
    opened = {
        c.pupil_id: c
        for c in Case.objects.for_school(school).open().filter(pupil_id__in=list(reasons))
    }
    events = []
    for case in opened.values():
        if case.opened_by_id is not None:
            continue
        pct = figures[case.pupil_id].attendance
        summary = f"Opened by the nightly sweep: {case.get_reason_display().lower()}."
        if pct is not None:
            summary += f" Attendance {pct}% this year to date."
        events.append(
            _event(case, Action.OPENED, as_of, summary, {"reason": case.reason}, "opened")
        )
    EscalationEvent.objects.bulk_create(events, ignore_conflicts=True)
    return opened


def carry_focus(
    *, school: School, as_of: dt.date, year_start: dt.date, cases: dict[int, Case]
) -> None:
    """Pupils who ended last year with an open case start this one as focus pupils."""
    due = [
        c
        for c in cases.values()
        if not c.focus and rules.carries_focus(opened_on=c.opened_on, year_start=year_start)
    ]
    if not due:
        return
    Case.objects.filter(pk__in=[c.pk for c in due]).update(focus=True, updated_at=timezone.now())
    year = f"{year_start.year}/{(year_start.year + 1) % 100:02d}"
    summary = f"Still open at the end of last year: a focus pupil for {year}."
    EscalationEvent.objects.bulk_create(
        [_event(c, Action.FOCUS, as_of, summary, {}, f"focus:{year_start.year}") for c in due],
        ignore_conflicts=True,
    )
    for case in due:
        case.focus = True


def queue_letters(
    *,
    as_of: dt.date,
    figures: dict[int, NightFigure],
    decisions: dict[int, rules.Decision],
    cases: dict[int, Case],
) -> None:
    """Record the letters the policy asks for; the letters engine renders and sends them."""
    events = []
    for pk, decision in decisions.items():
        if decision.letter is None or pk not in cases:
            continue
        kind, tonight = decision.letter, figures[pk]
        summary = (
            f"Letter queued: {rules.LETTER_LABELS[kind]} "
            f"(attendance {tonight.shown or f'{tonight.attendance}%'}, "
            f"{tonight.band_label.lower()})."
        )
        data = {"kind": kind.value, "band": tonight.band, "attendance": float(tonight.attendance)}  # type: ignore[arg-type]
        key = f"letter:{kind.value}:{as_of.isoformat()}"
        events.append(_event(cases[pk], Action.LETTER_QUEUED, as_of, summary, data, key))
    EscalationEvent.objects.bulk_create(events, ignore_conflicts=True)


def advance_cases(
    *, as_of: dt.date, decisions: dict[int, rules.Decision], cases: dict[int, Case]
) -> None:
    """Move cases forward to the stage their letter belongs to (never backwards)."""
    by_stage: dict[rules.Stage, list[Case]] = defaultdict(list)
    for pk, decision in decisions.items():
        case = cases.get(pk)
        if decision.advance_to and case and case.stage_rank < rules.stage_rank(decision.advance_to):
            by_stage[decision.advance_to].append(case)
    for stage, due in by_stage.items():
        earlier = [s.value for s in rules.STAGE_ORDER[: rules.stage_rank(stage)]]
        Case.objects.filter(pk__in=[c.pk for c in due], stage__in=earlier).update(
            stage=stage.value, updated_at=timezone.now()
        )
        label = Case.Stage(stage.value).label
        events = [
            _event(
                c,
                Action.STAGE_CHANGED,
                as_of,
                f"Stage moved to {label}: the policy's letter was queued.",
                {"from": c.stage, "to": stage.value},
                f"stage:{stage.value}:{as_of.isoformat()}",
            )
            for c in due
        ]
        EscalationEvent.objects.bulk_create(events, ignore_conflicts=True)
        for case in due:
            case.stage = stage.value


def flag_dips(*, as_of: dt.date, dips: dict[int, dict[str, Any]], cases: dict[int, Case]) -> None:
    events = []
    for pk, dip in dips.items():
        first, last = (dt.date.fromisoformat(d) for d in dip["points"])
        summary = (
            f"Attendance fell {dip['fall']} points between the half-term ends of "
            f"{first:%-d %B %Y} ({dip['before']}%) and {last:%-d %B %Y} ({dip['after']}%): "
            "discuss with the family."
        )
        key = dip_key(last)
        events.append(_event(cases[pk], Action.DIP_FLAGGED, as_of, summary, dip, key))
    EscalationEvent.objects.bulk_create(events, ignore_conflicts=True)


def candidate_data(candidate: FpnCandidate) -> dict[str, Any]:
    return {
        "unauthorised_sessions": candidate.unauthorised_sessions,
        "window_start": candidate.window.start.isoformat(),
        "window_end": candidate.window.end.isoformat(),
    }


def flag_fpn(*, as_of: dt.date, candidates: list[FpnCandidate], cases: dict[int, Case]) -> None:
    """Penalty-notice candidates are for consideration only, once a week on the file."""
    events = []
    for c in candidates:
        summary = (
            f"{c.unauthorised_sessions} unauthorised sessions (G, N, O, U) in the 10 school weeks "
            f"from {c.window.start:%-d %B %Y} to {c.window.end:%-d %B %Y}: the national threshold "
            "for considering a penalty notice. To consider, support first; a notice is never "
            "automatic."
        )
        key = f"fpn:{as_of:%G-W%V}"
        data = candidate_data(c)
        events.append(_event(cases[c.pupil_id], Action.FPN_CANDIDATE, as_of, summary, data, key))
    EscalationEvent.objects.bulk_create(events, ignore_conflicts=True)


def _event(
    case: Case, action: str, as_of: dt.date, summary: str, data: dict, key: str
) -> EscalationEvent:
    return build_event(
        case=case,
        action=action,
        actor=SWEEP,
        occurred_on=as_of,
        summary=summary,
        data=data,
        key=key,
    )
