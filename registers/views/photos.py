"""A pupil's photo, to staff who may see the pupil (or cover their form today) only: never a
public URL, never cached (registers.models.photos)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.views.decorators.http import require_GET

from attendance_portal.permissions import can_see_photo, school_view
from registers.models import Membership, Pupil, PupilPhoto, School


@school_view("view_pupil_photo")
@require_GET
def pupil_photo(request: HttpRequest, school: School, membership: Membership, pk: int):
    pupil = Pupil.objects.for_school(school).filter(pk=pk).first()
    if pupil is None:
        raise Http404("No such pupil")
    if not can_see_photo(membership, pupil, timezone.localdate()):
        raise PermissionDenied("You cannot see this pupil.")
    photo = PupilPhoto.objects.for_school(school).filter(pupil=pupil).first()
    if photo is None:
        raise Http404("No photo")
    try:
        stored = photo.image.open("rb")
    except OSError:
        raise Http404("No photo") from None
    response = FileResponse(stored, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response
