from __future__ import annotations

from django.db import models


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SchoolScopedQuerySet(models.QuerySet):
    """Every domain row carries its school; screens always start from for_school()."""

    def for_school(self, school):
        return self.filter(school=school)


class Session(models.TextChoices):
    AM = "AM", "Morning"
    PM = "PM", "Afternoon"
