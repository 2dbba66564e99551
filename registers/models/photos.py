"""Pupils' photos (issue 17): an optional import that helps cover and supply staff know who
is who on the register. A photo is special-category-adjacent personal data: it is stored
under MEDIA_ROOT with a random name nobody can guess, never under a public URL, and served
only through registers.views.photos to staff who may see the pupil (or cover their form
today). It is re-encoded on import (no EXIF: no camera, place or time) and kept small.
"""

from __future__ import annotations

import secrets

from django.db import models

from .base import SchoolScopedQuerySet, TimeStamped


def photo_path(_instance: PupilPhoto, _filename: str) -> str:
    """A name with 144 random bits: not the UPN, not guessable, never reused."""
    return f"photos/{secrets.token_urlsafe(18)}.jpg"


class PupilPhoto(TimeStamped):
    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.OneToOneField("registers.Pupil", on_delete=models.CASCADE, related_name="photo")
    image = models.FileField(upload_to=photo_path, max_length=255)
    # SHA-256 of the stored JPEG: importing the same photo again changes nothing.
    digest = models.CharField(max_length=64)

    objects = SchoolScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"photo of {self.pupil_id}"
