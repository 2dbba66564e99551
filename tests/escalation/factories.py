"""factory_boy factories for escalation: cases and letters (marks: tests/registers/factories.py)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from escalation.models import Case, Letter
from registers.models import School, SchoolDay
from tests.registers.factories import PupilFactory


class CaseFactory(factory.django.DjangoModelFactory):
    """A pupil's case, open at the monitoring stage unless told (closed=True closes it).

    The database keeps one open case per pupil and a closed case's closing time; the
    timeline's events are written by escalation.services, not here.
    """

    class Meta:
        model = Case

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    reason = Case.Reason.BAND
    opened_on = factory.LazyFunction(timezone.localdate)

    class Params:
        closed = factory.Trait(
            status=Case.Status.CLOSED, closed_at=factory.LazyFunction(timezone.now)
        )


class LetterFactory(factory.django.DjangoModelFactory):
    """A termly letter for Autumn 1 2025, waiting to be generated (escalation.services
    generate the PDF; a generated letter needs its file).

    LetterFactory.build(...) gives an unsaved letter for the renderer's tests.
    """

    class Meta:
        model = Letter

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    kind = Letter.Kind.TERMLY
    period = "2025/26 Autumn 1"
    as_of = dt.date(2025, 10, 24)


def school_days(school: School, start: dt.date | None = None, end: dt.date | None = None):
    """The school's days in [start, end], in order (for MarkFactory.days)."""
    days = SchoolDay.objects.for_school(school).order_by("date")
    if start:
        days = days.filter(date__gte=start)
    if end:
        days = days.filter(date__lte=end)
    return list(days.values_list("date", flat=True))
