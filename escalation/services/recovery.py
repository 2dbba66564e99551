"""Recovery without a person (issue 22): the periodic jobs that send again what was
committed but never queued (the broker was down) or queued but never finished (the worker
died). The rows are the outbox: a letter batch still "queued" or making no progress, a
single letter still "pending", a night without a finished sweep.

Everything they send is idempotent (every letter is claimed once, a sweep's rows are
unique per night), so sending twice costs a skipped task, never a second letter.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from escalation.models import Letter, LetterBatch, SweepRun
from escalation.services import jobs
from registers.models import School

log = logging.getLogger(__name__)

# A batch or letter still waiting this long after it was queued was never sent (or its
# message was lost): send it again.
QUEUED_AFTER = dt.timedelta(minutes=1)
# A running batch with no progress for this long has lost its worker: resume it. A chunk
# of 25 letters takes a few seconds, so two minutes without one is not a busy worker.
STALLED_AFTER = dt.timedelta(minutes=2)


def heartbeat_seconds() -> int:
    """How often a running sweep says it is alive (SweepRun.heartbeat_at)."""
    return int(getattr(settings, "SWEEP_HEARTBEAT_SECONDS", 20))


def heartbeat_expiry() -> dt.timedelta:
    """A running sweep silent this long has lost its worker: its claim expires."""
    return dt.timedelta(seconds=3 * heartbeat_seconds())


def is_stalled(batch: LetterBatch, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    wait = QUEUED_AFTER if batch.status == LetterBatch.Status.QUEUED else STALLED_AFTER
    return batch.is_active and now - batch.updated_at > wait


def requeue_stalled(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every minute (beat): batches queued but not started for a minute or running with no
    progress for two are resumed; single letters pending for a minute are sent again.
    Each row is touched as it is sent, so a slow queue gets one more message a minute,
    not one per run."""
    now = now or timezone.now()
    batches = list(
        LetterBatch.objects.filter(
            Q(status=LetterBatch.Status.QUEUED, updated_at__lt=now - QUEUED_AFTER)
            | Q(status=LetterBatch.Status.RUNNING, updated_at__lt=now - STALLED_AFTER)
        ).values_list("pk", flat=True)
    )
    letters = list(
        Letter.objects.pending()
        .filter(batch__isnull=True, updated_at__lt=now - QUEUED_AFTER)
        .values_list("pk", flat=True)[:1000]
    )
    LetterBatch.objects.filter(pk__in=batches).update(updated_at=now)
    Letter.objects.filter(pk__in=letters).update(updated_at=now)
    for pk in batches:
        jobs.send(jobs.RUN_LETTER_BATCH, pk)
    for pk in letters:
        jobs.send(jobs.GENERATE_LETTER, pk)
    if batches or letters:
        log.warning(
            "Re-queued %d stalled letter batches and %d letters", len(batches), len(letters)
        )
    return {"batches": len(batches), "letters": len(letters)}


def unswept_schools(*, as_of: dt.date, now: dt.datetime | None = None) -> list[int]:
    """Schools whose sweep for `as_of` has no run, failed, or is "running" with a holder
    that stopped heartbeating."""
    now = now or timezone.now()
    stale = now - heartbeat_expiry()
    done_or_alive = SweepRun.objects.filter(as_of=as_of).filter(
        Q(status=SweepRun.Status.FINISHED)
        | Q(status=SweepRun.Status.RUNNING, heartbeat_at__gte=stale)
        | Q(status=SweepRun.Status.RUNNING, heartbeat_at__isnull=True, started_at__gte=stale)
    )
    return list(
        School.objects.exclude(pk__in=done_or_alive.values("school_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def check_night_sweeps(*, as_of: dt.date | None = None) -> dict[str, list[int]]:
    """Each morning (beat): every school swept for the night? Re-queue the sweep of those
    that were not, and the letters of those that were (idempotent: a sweep whose letter
    task was lost still gets its letters)."""
    as_of = as_of or timezone.localdate()
    missing = unswept_schools(as_of=as_of)
    swept = list(
        SweepRun.objects.filter(as_of=as_of, status=SweepRun.Status.FINISHED)
        .order_by("school_id")
        .values_list("school_id", flat=True)
    )
    for school_id in missing:
        jobs.send(jobs.SWEEP_SCHOOL, school_id, as_of.isoformat())
    for school_id in swept:
        jobs.send(jobs.QUEUE_SWEEP_LETTERS, school_id, as_of.isoformat())
    if missing:
        log.warning("The sweep of %s missed %d schools: re-queued %s", as_of, len(missing), missing)
    return {"resent": missing, "swept": swept}
