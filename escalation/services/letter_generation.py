"""Generating letters: claim, render, store, merge a batch for printing.

A worker claims a letter with SELECT … FOR UPDATE SKIP LOCKED WHERE status = pending, and
renders, stores and marks it generated in that same transaction: a second worker skips the
locked row, and a worker that dies rolls back and leaves the letter pending for a re-run.
The PDF is stored under a name derived from the school, period, kind and UPN, replacing
whatever an earlier, interrupted attempt left there.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from typing import BinaryIO

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from escalation.letters import LetterContext, render_letter_pdf
from escalation.models import Case, EscalationEvent, Letter, LetterBatch
from escalation.services.cases import SWEEP, record_event
from escalation.services.letter_context import build_contexts
from registers.actors import Actor
from registers.families.services.notices import queue_letter_copies

log = logging.getLogger(__name__)
Status = Letter.Status
CHUNK = 25  # letters per task: a smooth progress bar, and set-based reads per chunk


# Letters to families go by email too; the penalty-notice pack is for the local authority.
EMAILED_KINDS = frozenset(k for k in Letter.Kind if k != Letter.Kind.PENALTY_REFERRAL_PACK)


def letter_path(letter: Letter) -> str:
    """Where a letter's PDF lives: the same name every time it is (re)generated."""
    period = slugify(letter.period) or "period"
    return f"letters/{letter.school.urn}/{period}/{letter.kind}-{letter.pupil.upn}.pdf"


def generate_letter(*, letter_id: int) -> str:
    """Generate one pending letter: "generated", "skipped" (done, or being done) or "failed"."""
    results = generate_letters(letter_ids=[letter_id])
    return results.get(letter_id, "skipped")


def generate_letters(*, letter_ids: list[int]) -> dict[int, str]:
    """Generate the pending letters among `letter_ids` (one school, one as-of day)."""
    letters = list(
        Letter.objects.pending()
        .filter(pk__in=letter_ids)
        .select_related("school", "pupil__form")
        .order_by("pk")
    )
    results: dict[int, str] = {}
    groups: dict[tuple[int, dt.date], list[Letter]] = {}
    for letter in letters:
        groups.setdefault((letter.school_id, letter.as_of), []).append(letter)
    for group in groups.values():
        cases = {
            c.pupil_id: c
            for c in Case.objects.open().filter(pupil_id__in=[x.pupil_id for x in group])
        }
        for letter, context in zip(group, build_contexts(group), strict=True):
            results[letter.pk] = _generate_one(letter, context, cases.get(letter.pupil_id))
    return results


def _generate_one(letter: Letter, context: LetterContext, case: Case | None) -> str:
    try:
        with transaction.atomic():
            claimed = (
                Letter.objects.select_for_update(skip_locked=True, of=("self",))
                .pending()
                .filter(pk=letter.pk)
                .values_list("pk", flat=True)[:1]
            )
            if not list(claimed):
                return "skipped"
            pdf = render_letter_pdf(context)
            name = letter_path(letter)
            if default_storage.exists(name):
                default_storage.delete(name)
            letter.file.name = default_storage.save(name, ContentFile(pdf))
            letter.status = Status.GENERATED
            letter.generated_at = timezone.now()
            letter.case = letter.case or case
            letter.save(update_fields=["file", "status", "generated_at", "case", "updated_at"])
            if letter.case is not None and letter.case.is_open:
                _record(letter)
            if letter.kind in EMAILED_KINDS:
                # The emailed copy, alongside the printed one (registers/families), sent
                # after this commits; keyed by the letter, so a regeneration sends none.
                queue_letter_copies(
                    school=letter.school,
                    pupil=letter.pupil,
                    letter_id=letter.pk,
                    title=letter.get_kind_display(),
                    attachment=letter.file.name,
                )
        return "generated"
    except (OperationalError, SoftTimeLimitExceeded):
        raise  # transient, or out of time: the letter stays pending for the retry
    except Exception as exc:  # a letter that cannot be rendered must not stop the batch
        log.exception("Letter %s failed", letter.pk)
        Letter.objects.pending().filter(pk=letter.pk).update(
            status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return "failed"


def _record(letter: Letter) -> None:
    """The letter on the case's timeline. Action NOTE with key letter:<id>: the timeline's
    LETTER_QUEUED action is the sweep's request (its cool-down reads those), not a letter."""
    actor = Actor(
        letter.generated_by, letter.generated_by_name or SWEEP.name, letter.generated_by_role
    )
    record_event(
        case=letter.case,
        action=EscalationEvent.Action.NOTE,
        actor=actor,
        occurred_on=timezone.localdate(),
        summary=f"Letter generated: {letter.get_kind_display()} ({letter.period}).",
        data={"letter": letter.pk, "letter_kind": letter.kind, "period": letter.period},
        key=f"letter:{letter.pk}",
    )


# --- Batches ----------------------------------------------------------------------------


def claim_batch(*, batch_id: int) -> list[list[int]]:
    """Mark the batch running and return its pending letters in chunks ([] if finished)."""
    now = timezone.now()
    claimed = LetterBatch.objects.filter(pk=batch_id, status__in=LetterBatch.ACTIVE).update(
        status=LetterBatch.Status.RUNNING, updated_at=now
    )
    if not claimed:
        return []
    ids = list(
        Letter.objects.pending()
        .filter(batch_id=batch_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [ids[n : n + CHUNK] for n in range(0, len(ids), CHUNK)]


def generate_batch_chunk(*, batch_id: int, letter_ids: list[int]) -> dict[int, str]:
    results = generate_letters(letter_ids=letter_ids)
    refresh_counts(batch_id=batch_id)
    return results


def refresh_counts(*, batch_id: int) -> None:
    """Progress from the letters themselves, so two workers never miscount; never backwards."""
    row = Letter.objects.filter(batch_id=batch_id).aggregate(
        done=Count("pk", filter=Q(status=Status.GENERATED)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
    )
    LetterBatch.objects.filter(pk=batch_id, done__lte=row["done"]).update(
        done=row["done"], failed=row["failed"], updated_at=timezone.now()
    )


def finish_batch(*, batch_id: int) -> LetterBatch:
    """Once no letter is pending: merge this run's letters (form, then name order) into one
    printable PDF and record the counts. Safe to call twice or too early."""
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().select_related("school").get(pk=batch_id)
        if not batch.is_active or Letter.objects.pending().filter(batch=batch).exists():
            return batch
        letters = list(
            Letter.objects.generated()
            .filter(batch=batch)
            .order_by("pupil__form__name", "pupil__surname", "pupil__forename", "pk")
            .values_list("file", flat=True)
        )
        try:
            if letters:
                name = f"letters/{batch.school.urn}/{slugify(batch.period)}/batch-{batch.pk}.pdf"
                if default_storage.exists(name):
                    default_storage.delete(name)
                # Merged into a temporary file and stored from it: a worker holds one
                # letter at a time, not the whole school's PDF (~300 MiB kept: issue 22).
                with tempfile.TemporaryFile(suffix=".pdf") as merged:
                    merge(letters, merged)
                    merged.seek(0)
                    batch.merged_file.name = default_storage.save(name, File(merged, name))
            batch.status = LetterBatch.Status.FINISHED
        except Exception as exc:
            log.exception("Merging letter batch %s failed", batch.pk)
            batch.status, batch.error = LetterBatch.Status.FAILED, f"{type(exc).__name__}: {exc}"
        counts = Letter.objects.filter(batch=batch).aggregate(
            done=Count("pk", filter=Q(status=Status.GENERATED)),
            failed=Count("pk", filter=Q(status=Status.FAILED)),
        )
        batch.done, batch.failed = counts["done"], counts["failed"]
        batch.finished_at = timezone.now()
        batch.save(
            update_fields=[
                "status",
                "error",
                "merged_file",
                "done",
                "failed",
                "finished_at",
                "updated_at",
            ]
        )
    return batch


def merge(names: list[str], out: BinaryIO) -> None:
    """One PDF from many stored ones, in order (pypdf), written to the file `out`: the
    merged document is never held in memory as bytes."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for name in names:
        with default_storage.open(name, "rb") as handle:
            writer.append(io.BytesIO(handle.read()))
    writer.write(out)
    writer.close()
