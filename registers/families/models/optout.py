"""Who opted a contact out of messages, or back in, and when: the audit of
`Contact.opted_out_at` (services/optout.py writes both)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from registers.models.base import SchoolScopedQuerySet


class OptOutChange(models.Model):
    """One change of a contact's opt-out: by the parent in the parent portal, or by the
    office on the family's word. Deleted with the contact."""

    class Source(models.TextChoices):
        PARENT = "parent", "The parent, in the parent portal"
        OFFICE = "office", "The office"

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        "registers.Contact", on_delete=models.CASCADE, related_name="opt_out_changes"
    )
    opted_out = models.BooleanField()
    source = models.CharField(max_length=8, choices=Source.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_name = models.CharField(max_length=200)  # kept if the user is deleted
    changed_at = models.DateTimeField()

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["contact", "-changed_at"], name="families_optout_contact_idx")
        ]

    def __str__(self) -> str:
        verb = "opted out" if self.opted_out else "opted back in"
        return f"{verb} by {self.changed_by_name} at {self.changed_at:%Y-%m-%d %H:%M}"
