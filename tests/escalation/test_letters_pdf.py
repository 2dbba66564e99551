"""Real WeasyPrint letters, read back with pypdf: text, A4 page size and page numbers.

Few letters on purpose: each render takes a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from escalation.letters import render_letter_pdf
from escalation.models import Letter, LetterBatch
from escalation.services import letters as service
from escalation.services.cases import add_note, open_case
from escalation.services.letter_context import build_contexts
from registers.actors import Actor
from registers.models import Contact, HalfTerm, Pupil
from tests.escalation.factories import LetterFactory, school_days
from tests.registers.factories import MarkFactory

A4 = (595.28, 841.89)


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def amelia(school, pupil):
    pupil.forename, pupil.surname = "Amelia", "Jones"
    pupil.save(update_fields=["forename", "surname"])
    MarkFactory.days(pupil, school_days(school), absent_sessions=4, code="I")
    Contact.objects.create(
        school=school, pupil=pupil, name="Grace Jones", address="12 Elm Road\nOakfield OK1 2AB"
    )
    return pupil


def letter_for(pupil, kind: str, **fields) -> Letter:
    return LetterFactory.build(
        school=pupil.school,
        pupil=pupil,
        kind=kind,
        period="2025/26 Autumn 1",
        as_of=dt.date(2025, 10, 24),
        generated_by_name="Olivia Officer",
        **fields,
    )


def test_a_termly_letter_is_an_a4_pdf_with_the_pupil_school_and_figure(amelia):
    (context,) = build_contexts([letter_for(amelia, "termly")], today=dt.date(2025, 10, 27))
    pdf = render_letter_pdf(context)
    assert pdf.startswith(b"%PDF")
    reader, text = text_of(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4[0], abs=1)
    assert float(box.height) == pytest.approx(A4[1], abs=1)
    for expected in (
        "Amelia Jones",
        "Oakfield Primary",
        "94.7%",  # 72 of 76 sessions
        "Grace Jones",
        "12 Elm Road",
        "27 October 2025",
        "Yellow",
        "Illness",
        "What it takes",
        "Page 1 of 1",
    ):
        assert expected in text, expected


def test_the_referral_pack_carries_marks_timeline_contacts_and_support(amelia, officer):
    actor = Actor.for_membership(officer)
    case = open_case(pupil=amelia, actor=actor, summary="Worried", on=dt.date(2025, 9, 20))
    add_note(case=case, actor=actor, summary="Breakfast club offered", on=dt.date(2025, 10, 1))
    letter = letter_for(amelia, "penalty_referral_pack", case=case)
    (context,) = build_contexts([letter], today=dt.date(2025, 10, 27))
    reader, text = text_of(render_letter_pdf(context))
    assert len(reader.pages) >= 2
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    for expected in (
        "Penalty-notice referral: Amelia Jones",
        amelia.upn,
        "Case timeline",
        "Breakfast club offered",
        "Contacts",
        "Grace Jones",
        "Attendance marks this school year",
    ):
        assert expected in text, expected


def test_a_real_batch_merges_its_letters_into_one_printable_file(
    school, pupils, amelia, officer, django_capture_on_commit_callbacks
):
    # Two letters only, to stay fast: the other pupils left early in the half-term.
    pupils = pupils[:2]
    Pupil.objects.exclude(pk__in=[p.pk for p in pupils]).update(leaving_date=dt.date(2025, 9, 10))
    term = HalfTerm.objects.get(school=school, name="Autumn 1")
    with django_capture_on_commit_callbacks(execute=True):
        batch = service.start_termly_batch(
            school=school, period=term, actor=Actor.for_membership(officer)
        )
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.FINISHED and batch.done == 2
    reader, text = text_of(batch.merged_file.read())
    assert len(reader.pages) == 2
    for pupil in pupils:
        assert pupil.name in text
