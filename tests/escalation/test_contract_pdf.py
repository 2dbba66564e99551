"""The attendance contract as a PDF: real WeasyPrint bytes, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from escalation.pdf import contract_html, contract_pdf, render_contract_pdf
from escalation.services import cases as services
from escalation.services import interventions as steps
from registers.actors import Actor


@pytest.fixture
def contract(pupil, officer):
    pupil.forename, pupil.surname = "Aoife", "O'Brien"
    pupil.save(update_fields=["forename", "surname"])
    actor = Actor.for_membership(officer)
    case = services.open_case(pupil=pupil, actor=actor, summary="x", on=dt.date(2025, 10, 1))
    return steps.record_contract(
        case=case,
        actor=actor,
        terms=steps.ContractTerms(
            agreed_on=dt.date(2025, 10, 1),
            barriers="Worry about friendships at break time",
            school_support="A daily check-in with Mr Khan",
            family_commitments="Aoife arrives by 8.45 every day",
            parent_name="Siobhan O'Brien",
            school_signatory="Mrs Head",
            target_pct=Decimal("95.0"),
            target_by=dt.date(2025, 12, 19),
        ),
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_contract_renders_to_a_real_pdf_with_the_pupils_name(contract):
    content = render_contract_pdf(contract)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Attendance contract" in text
    assert "Aoife O'Brien" in text
    assert "A daily check-in with Mr Khan" in text
    assert "95.0%" in text


def test_the_contract_html_carries_every_term(contract):
    html = contract_html(contract)
    for text in ("Siobhan O&#x27;Brien", "Mrs Head", "19 December 2025", "Worry about friendships"):
        assert text in html


def test_the_download_is_named_after_the_pupil(contract):
    filename, content_type, _ = contract_pdf(contract)
    assert filename == f"attendance-contract-{contract.case.pupil.upn}-2025-10-01.pdf"
    assert content_type == "application/pdf"


def test_officers_download_the_pdf(client, login, officer, contract, school):
    url = reverse("escalation:contract_pdf", args=[school.urn, contract.case_id, contract.pk])
    response = login(officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "Aoife O'Brien" in pdf_text(response.content)


def test_another_cases_contract_is_404(client, login, officer, contract, school, pupils):
    other = services.open_case(
        pupil=pupils[1], actor=Actor.for_membership(officer), summary="x", on=dt.date(2025, 10, 1)
    )
    url = reverse("escalation:contract_pdf", args=[school.urn, other.pk, contract.pk])
    assert login(officer).get(url).status_code == 404
