"""Printable documents of the registers app: the leave-of-absence decision letter.

Side-effect free: render the template, then attendance_portal.pdf; the view only sends
the bytes (pretix's exporters).
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from attendance_portal.pdf import PDF_TYPE, render_pdf
from registers.models import LeaveRequest


def decision_letter_html(leave: LeaveRequest) -> str:
    context = {
        "leave": leave,
        "pupil": leave.pupil,
        "school": leave.school,
        "granted": leave.status == LeaveRequest.Status.GRANTED,
        "decided_on": timezone.localtime(leave.decided_at).date() if leave.decided_at else None,
    }
    return render_to_string("registers/leave_decision_pdf.html", context)


def render_decision_letter_pdf(leave: LeaveRequest) -> bytes:
    return render_pdf(decision_letter_html(leave))


def decision_letter_pdf(leave: LeaveRequest) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) for a download."""
    filename = f"leave-decision-{leave.pupil.upn}-{leave.start_date}.pdf"
    return filename, PDF_TYPE, render_decision_letter_pdf(leave)
