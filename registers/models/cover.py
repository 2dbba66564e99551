"""A cover teacher given one form's registers for one day (issue 17): the office grants it;
it opens that form's registers to the teacher on that date only."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .base import SchoolScopedQuerySet, TimeStamped


class CoverGrant(TimeStamped):
    school = models.ForeignKey("registers.School", on_delete=models.CASCADE)
    membership = models.ForeignKey(
        "registers.Membership", on_delete=models.CASCADE, related_name="cover_grants"
    )
    form = models.ForeignKey("registers.Form", on_delete=models.CASCADE)
    date = models.DateField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "form__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "form", "date"], name="registers_cover_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership.user} covers {self.form} on {self.date}"
