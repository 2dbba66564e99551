"""Reads for the letters pages: the log, the recent batches, one batch or letter."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from escalation.models import Letter, LetterBatch
from registers.models import Pupil, School


def letter_log(
    *, school: School, kind: str = "", status: str = "", pupil: Pupil | None = None
) -> QuerySet[Letter]:
    """The school's letters, newest first, optionally of one kind, status or pupil."""
    rows = (
        Letter.objects.for_school(school)
        .select_related("pupil__form", "batch")
        .order_by("-created_at", "-pk")
    )
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if pupil is not None:
        rows = rows.filter(pupil=pupil)
    return rows


def recent_batches(*, school: School, limit: int = 8) -> QuerySet[LetterBatch]:
    return LetterBatch.objects.for_school(school)[:limit]


def find_batch(*, school: School, pk: int) -> LetterBatch:
    """The school's batch `pk`; 404 for another school's."""
    return get_object_or_404(LetterBatch.objects.for_school(school), pk=pk)


def find_letter(*, school: School, pk: int) -> Letter:
    """The school's letter `pk` with its pupil; 404 for another school's."""
    return get_object_or_404(Letter.objects.for_school(school).select_related("pupil"), pk=pk)
