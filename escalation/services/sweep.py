"""The nightly sweep of one school (docs/interfaces.md `run_sweep`).

It stores every pupil's figures as of the night, then applies escalation.rules: opens cases
for pupils settled below the target, flags dips and pupils meeting the penalty-notice
threshold "to consider", and queues the letters the policy asks for. It never issues a
notice or makes a referral: those are people's decisions (support first).

Safe to run twice: the work is one transaction, every row it writes is backed by a unique
constraint (a figure per pupil and night, one open case per pupil, one event per case,
action and key), and the summary is read back from what is recorded for the night, so a
second run writes nothing and reports the same. A run stopped midway rolls back whole.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from attendance_portal.errors import DomainError
from escalation.models import EscalationEvent, PupilFigure, SweepRun
from escalation.rules import Decision
from escalation.services import recovery
from escalation.services import sweep_steps as steps
from escalation.services.cases import SWEEP
from registers.figures import (
    FpnCandidate,
    counts_by_pupil_over,
    fpn_from_counts,
    fpn_window,
    year_to_date,
)
from registers.models import Pupil, School
from registers.services.stored_figures import reconcile

Action = EscalationEvent.Action
log = logging.getLogger(__name__)


class SweepBusy(DomainError, RuntimeError):
    """Another worker is sweeping this school for this night right now."""


@dataclass
class SweepSummary:
    school: str
    as_of: str
    pupils: int = 0
    bands: dict[str, int] = field(default_factory=dict)
    bands_moved: dict[str, int] = field(default_factory=dict)
    cases_opened: list[dict[str, Any]] = field(default_factory=list)
    cases_advanced: list[dict[str, Any]] = field(default_factory=list)
    focus_pupils: list[dict[str, Any]] = field(default_factory=list)
    conversations_due: list[dict[str, Any]] = field(default_factory=list)
    severe_pathway: list[dict[str, Any]] = field(default_factory=list)
    dips: list[dict[str, Any]] = field(default_factory=list)
    fpn_candidates: list[dict[str, Any]] = field(default_factory=list)
    letters_queued: list[dict[str, Any]] = field(default_factory=list)
    # Pupils whose figure has unmarked sessions before tonight: no step taken on them.
    incomplete_pupils: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_sweep(*, school: School, as_of: dt.date) -> SweepSummary:
    run = _claim(school=school, as_of=as_of)
    try:
        # The sweep reads the stored figures; the week it judges is first checked against
        # the marks (a writer that missed them is logged and mended here, the rest of the
        # year by the weekly verify_figures).
        reconcile(school=school, start=as_of - dt.timedelta(days=6), end=as_of)
        with _heartbeat(run), transaction.atomic():
            _settings_for_the_scan()
            summary = _sweep(school=school, as_of=as_of)
    except Exception as exc:
        _finish(run, status=SweepRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    _finish(run, status=SweepRun.Status.FINISHED, summary=summary.as_dict())
    return summary


def _settings_for_the_scan() -> None:
    """PostgreSQL settings for the sweep's transaction only (SET LOCAL ends with it).

    The year's scan of a school (counts_by_pupil_over) is costed high enough to be
    JIT-compiled, and compiling it took about 200 ms of its 600 ms at 1,000 pupils
    (EXPLAIN ANALYZE on the benchmark trust, docs/benchmarks.md "Trust scale"); it never
    pays back on a query well under a second. Its GROUP BY sorts the school's 375,000
    marks, which spilled to disk with the default 4 MB work_mem.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")


def _claim(*, school: School, as_of: dt.date) -> SweepRun:
    """Claim the night's run row atomically (healthchecks' conditional UPDATE).

    A run still marked running is taken over only once its holder has stopped
    heartbeating (recovery.heartbeat_expiry, a minute): its worker was killed and will
    not finish it.
    """
    now = timezone.now()
    run, created = SweepRun.objects.get_or_create(
        school=school, as_of=as_of, defaults={"started_at": now, "heartbeat_at": now}
    )
    if created:
        return run
    stale = now - recovery.heartbeat_expiry()
    alive = Q(status=SweepRun.Status.RUNNING) & (
        Q(heartbeat_at__gte=stale) | Q(heartbeat_at__isnull=True, started_at__gte=stale)
    )
    claimed = (
        SweepRun.objects.filter(pk=run.pk)
        .exclude(alive)
        .update(
            status=SweepRun.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            attempts=F("attempts") + 1,
            error="",
            updated_at=now,
        )
    )
    if not claimed:
        raise SweepBusy(f"The sweep of {school.urn} for {as_of} is already running.")
    return run


@contextmanager
def _heartbeat(run: SweepRun):
    """While the sweep's transaction runs, a thread of this worker stamps the claim's
    heartbeat on its own connection (outside that transaction, so others see it). A
    worker killed mid-sweep stops stamping, and its claim expires (_claim). Inside a
    caller's transaction the claim is not visible to others yet: nothing to stamp."""
    if connection.in_atomic_block:
        yield
        return
    stop = threading.Event()
    interval = recovery.heartbeat_seconds()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    SweepRun.objects.filter(pk=run.pk, status=SweepRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    log.warning("Sweep %s: heartbeat not recorded", run.pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"sweep-heartbeat-{run.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _finish(run: SweepRun, *, status: str, summary: dict | None = None, error: str = "") -> None:
    now = timezone.now()
    SweepRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=now, summary=summary or {}, error=error[:2000], updated_at=now
    )


def _sweep(*, school: School, as_of: dt.date) -> SweepSummary:
    year_start, _ = year_to_date(as_of)
    upns = dict(Pupil.objects.for_school(school).on_roll(as_of).values_list("pk", "upn"))
    # Every pupil's year to date tonight, at the last two monitoring points (for dips) and
    # in the penalty-notice window, summed from the stored figures.
    points = steps.dip_points(school=school, as_of=as_of)
    window = fpn_window(school=school, as_of=as_of)
    ranges = [
        (year_start, as_of),
        *(steps.dip_ranges(points) if points else []),
        *([(window.start, as_of)] if window else []),
    ]
    counts, *more = counts_by_pupil_over(school=school, ranges=ranges)
    at_points, in_window = (more[:2] if points else []), (more[-1] if window else {})
    tonight = {pk: steps.figure(school, pk, counts.get(pk)) for pk in upns}
    steps.store_figures(school=school, as_of=as_of, figures=tonight)

    cases = steps.open_cases_by_pupil(school)
    decisions = steps.decisions(school=school, as_of=as_of, figures=tonight, cases=cases)
    dips = (
        steps.find_dips(school=school, points=points, counts=at_points, pupil_ids=upns.keys())
        if points
        else {}
    )
    candidates = (
        fpn_from_counts(school=school, window=window, counts=in_window, upns=upns) if window else []
    )

    # A figure with unmarked sessions decides nothing (issue 15): a separate, last word.
    held = steps.hold_incomplete(
        school=school, year_start=year_start, as_of=as_of, decisions=decisions
    )
    to_open = {pk: steps.OPEN_BAND for pk, d in decisions.items() if d.open_case}
    for pk in dips:
        to_open.setdefault(pk, steps.OPEN_DIP)
    for candidate in candidates:
        to_open.setdefault(candidate.pupil_id, steps.OPEN_FPN)
    to_open = {pk: r for pk, r in to_open.items() if pk not in cases and pk not in held}
    cases.update(steps.open_new_cases(school=school, as_of=as_of, reasons=to_open, figures=tonight))

    steps.carry_focus(school=school, as_of=as_of, year_start=year_start, cases=cases)
    steps.ask_for_conversations(as_of=as_of, decisions=decisions, cases=cases)
    steps.flag_severe(as_of=as_of, decisions=decisions, cases=cases)
    steps.queue_letters(as_of=as_of, figures=tonight, decisions=decisions, cases=cases)
    steps.advance_cases(as_of=as_of, decisions=decisions, cases=cases)
    steps.flag_dips(as_of=as_of, dips={k: v for k, v in dips.items() if k in cases}, cases=cases)
    steps.flag_fpn(
        as_of=as_of, candidates=[c for c in candidates if c.pupil_id in cases], cases=cases
    )
    summary = _summary(school, as_of, tonight, decisions, candidates)
    summary.incomplete_pupils = len(held.keys() & upns.keys())
    return summary


def _summary(
    school: School,
    as_of: dt.date,
    tonight: dict[int, steps.NightFigure],
    decisions: dict[int, Decision],
    candidates: list[FpnCandidate],
) -> SweepSummary:
    """Pupils by band from tonight's figures; the rest read back from what is recorded
    for the night, so a re-run reports the same as the first."""
    summary = SweepSummary(school=school.urn, as_of=as_of.isoformat(), pupils=len(tonight))
    bands = Counter(f.band or "none" for f in tonight.values())
    summary.bands = {b or "none": bands.get(b or "none", 0) for b in PupilFigure.Band.values}
    moved = Counter(d.moved for d in decisions.values())
    summary.bands_moved = {"down": moved.get(1, 0), "up": moved.get(-1, 0)}
    summary.fpn_candidates = [{"upn": c.upn, **steps.candidate_data(c)} for c in candidates]
    events = (
        EscalationEvent.objects.for_school(school)
        .filter(occurred_on=as_of, actor__isnull=True, actor_name=SWEEP.name)
        .values_list("action", "pupil__upn", "data")
        .order_by("pupil__upn", "id")
    )
    lists = {
        Action.OPENED: summary.cases_opened,
        Action.STAGE_CHANGED: summary.cases_advanced,
        Action.FOCUS: summary.focus_pupils,
        Action.CONVERSATION_DUE: summary.conversations_due,
        Action.SEVERE_PATHWAY: summary.severe_pathway,
        Action.DIP_FLAGGED: summary.dips,
        Action.LETTER_QUEUED: summary.letters_queued,
    }
    for action, upn, data in events:
        if action in lists:
            lists[action].append({"upn": upn, **data})
    return summary
