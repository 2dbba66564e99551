"""The subject access export: everything held on one pupil, for the office to send.

Officers and the head only (teachers 403, another school 404). The page explains what the
file contains; the download is a POST, so a link, a prefetch or a crawler never makes one.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from attendance_portal.downloads import file_response
from attendance_portal.permissions import get_pupil_for_user, school_view
from registers.models import Membership, School
from registers.services.privacy import export_pupil_data

logger = logging.getLogger(__name__)


@school_view("export_pupil_data")
@require_http_methods(["GET", "POST"])
def pupil_export(request: HttpRequest, school: School, membership: Membership, pk: int):
    pupil = get_pupil_for_user(membership, school, pk)
    if request.method == "GET":
        return render(request, "registers/pupil_export.html", {"school": school, "pupil": pupil})
    content = export_pupil_data(pupil=pupil)
    # Who exported whose data is worth a line in the log: the file holds a whole record.
    logger.info(
        "pupil data exported: school %s, pupil %s, by user %s",
        school.urn,
        pupil.pk,
        request.user.pk,
    )
    filename = f"pupil-{pupil.pk}-data-{timezone.localdate():%Y-%m-%d}.zip"
    response = file_response((filename, "application/zip", content))
    response["Cache-Control"] = "no-store"
    return response
