"""Printable documents of a case: the attendance contract, signed on paper by both parties.

Side-effect free: render the template, then attendance_portal.pdf; callers store or send
the bytes (pretix's exporters).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from attendance_portal.pdf import PDF_TYPE, render_pdf
from escalation.models import AttendanceContract


def contract_html(contract: AttendanceContract) -> str:
    case = contract.case
    context = {
        "contract": contract,
        "pupil": case.pupil,
        "school": case.school,
    }
    return render_to_string("escalation/contract_pdf.html", context)


def render_contract_pdf(contract: AttendanceContract) -> bytes:
    return render_pdf(contract_html(contract))


def contract_pdf(contract: AttendanceContract) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) for a download."""
    filename = f"attendance-contract-{contract.case.pupil.upn}-{contract.agreed_on}.pdf"
    return filename, PDF_TYPE, render_contract_pdf(contract)
