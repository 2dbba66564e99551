"""The decision letter: what it says (HTML context) and a PDF smoke test with its text."""

from __future__ import annotations

import datetime as dt
import io
from html import escape
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from registers.actors import Actor
from registers.models import LeaveRequest
from registers.pdf import decision_letter_html, decision_letter_pdf
from registers.services.leave import decide_request, record_request

TODAY = dt.date(2025, 9, 15)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(
        dt.datetime(2025, 9, 15, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


def decided(pupil, officer, head, *, grant: bool, kind=LeaveRequest.Kind.EXCEPTIONAL, **extra):
    leave = record_request(
        school=pupil.school,
        pupil=pupil,
        kind=kind,
        requested_by_name="Jo Bloggs",
        requested_by_relationship="mother",
        requested_on=dt.date(2025, 9, 1),
        start_date=dt.date(2025, 9, 22),
        end_date=dt.date(2025, 9, 26),
        reason="Family wedding abroad",
        actor=Actor.for_membership(officer),
        **extra,
    )
    decide_request(leave=leave, membership=head, grant=grant, note="We wish you well.", today=TODAY)
    leave.refresh_from_db()
    return leave


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_refusal_letter_names_the_pupil_the_decision_and_the_g_code(pupil, officer, head):
    leave = decided(pupil, officer, head, grant=False)
    html = decision_letter_html(leave)
    assert "Dear Jo Bloggs" in html and escape(pupil.name) in html
    assert "leave refused" in html and "code G" in html
    assert "cannot be authorised" in html and "We wish you well." in html


def test_a_grant_letter_gives_the_code_and_a_c2_letter_the_review_date(pupil, officer, head):
    html = decision_letter_html(decided(pupil, officer, head, grant=True))
    assert "leave granted" in html and "code C)" in html
    c2 = decided(
        pupil,
        officer,
        head,
        grant=True,
        kind=LeaveRequest.Kind.PART_TIME,
        review_date=dt.date(2025, 10, 6),
    )
    html = decision_letter_html(c2)
    assert "part-time timetable" in html and "6 October 2025" in html


def test_the_letter_is_a_pdf_with_the_pupil_name_and_decision(pupil, officer, head):
    leave = decided(pupil, officer, head, grant=False)
    filename, content_type, content = decision_letter_pdf(leave)
    assert content.startswith(b"%PDF")
    assert content_type == "application/pdf" and filename.endswith(".pdf")
    text = pdf_text(content)
    assert pupil.name in text
    assert "Decision: leave refused" in text
