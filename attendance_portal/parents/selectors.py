"""Reads for the parent portal: who a parent is, their children, and each child's figures.

A parent is derived from the school's contact rows on every request, never stored: a
contact with parental responsibility whose email or mobile number is the one the parent
signed in with (docs/domain.md §13). A child is a pupil on roll with such a contact, at any
school; every other query is scoped to that pupil's school. The figures come from the
selectors the staff pages use (registers.selectors.pupil_year, registers.figures,
escalation.rules.recovery), so a parent sees the figures the school judges them by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from attendance_portal.parents.rules import Channel, ContactKey
from escalation import rules as escalation_rules
from escalation.models import Letter
from registers import figures, rates
from registers import selectors as registers_selectors
from registers.families import selectors as families_selectors
from registers.families.models import AbsenceReport, Message
from registers.models import Contact, HalfTerm, LeaveRequest, Pupil

# The penalty-notice referral pack goes to the local authority, not to the family.
NOT_TO_FAMILIES = (Letter.Kind.PENALTY_REFERRAL_PACK,)


def parent_contacts(key: ContactKey) -> QuerySet[Contact]:
    """The contact rows that make this email or number a parent: parental responsibility
    only. (A childminder or an aunt who is a contact for calls is not a parent here.)"""
    rows = Contact.objects.filter(parental_responsibility=True)
    if key.channel == Channel.EMAIL:
        return rows.filter(email__iexact=key.value)
    return rows.filter(phone=key.value)


def _on_roll(today: dt.date) -> Q:
    return Q(leaving_date__isnull=True) | Q(leaving_date__gte=today)


def children(key: ContactKey, *, today: dt.date) -> list[Pupil]:
    """The pupils on roll this parent has parental responsibility for, at any school."""
    ids = parent_contacts(key).values("pupil_id")
    return list(
        Pupil.objects.filter(pk__in=ids)
        .filter(_on_roll(today))
        .select_related("school", "form")
        .order_by("forename", "surname", "pk")
    )


def first_parent_contact(key: ContactKey, *, today: dt.date) -> Contact | None:
    """One contact row that makes this a parent of a pupil on roll (the code is sent to
    its email or mobile, naming its school), or None."""
    return (
        parent_contacts(key)
        .filter(pupil__in=Pupil.objects.filter(_on_roll(today)))
        .select_related("school")
        .order_by("pk")
        .first()
    )


def contact_for(key: ContactKey, *, pupil: Pupil) -> Contact:
    """The parent's own contact row for this child: a report or a request is made as it."""
    found = parent_contacts(key).filter(pupil=pupil).order_by("priority", "pk").first()
    if found is None:
        raise Http404("No such child")
    return found


def child(key: ContactKey, *, pk: int, today: dt.date) -> Pupil:
    """One of this parent's children; 404 for any other pupil (a pupil they are a contact
    for without parental responsibility too), so a guessed id tells nothing."""
    ids = parent_contacts(key).values("pupil_id")
    found = (
        Pupil.objects.filter(pk__in=ids)
        .filter(_on_roll(today))
        .select_related("school", "form")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such child")
    return found


@dataclass(frozen=True)
class FamilyRecord:
    """What the family itself has sent and been sent about the child."""

    reports: list[AbsenceReport]  # absences reported by any parent of the child
    leave: list[LeaveRequest]
    messages: list[Message]  # to this parent only
    opted_out: bool  # this parent has opted out of messages about the child


def family_record(key: ContactKey, *, pupil: Pupil) -> FamilyRecord:
    """Reports and leave requests of the child (either parent may make them: both are
    shown, without who made them), and the messages sent to this parent."""
    school = pupil.school
    mine = set(own_contacts(key, pupil=pupil).values_list("pk", flat=True))
    messages = families_selectors.messages_for_pupil(school=school, pupil=pupil)
    return FamilyRecord(
        reports=families_selectors.reports_for_pupil(school=school, pupil=pupil),
        leave=list(
            LeaveRequest.objects.for_school(school).filter(pupil=pupil).order_by("-start_date")
        ),
        messages=[m for m in messages if m.contact_id in mine],
        opted_out=own_contacts(key, pupil=pupil).filter(opted_out_at__isnull=False).exists(),
    )


def own_contacts(key: ContactKey, *, pupil: Pupil) -> QuerySet[Contact]:
    """This parent's own contact rows for the child (never another contact's): what their
    opting out of messages changes."""
    return parent_contacts(key).filter(pupil=pupil, school=pupil.school)


@dataclass(frozen=True)
class TermFigure:
    name: str
    start: dt.date
    end: dt.date
    counts: rates.SessionCounts
    started: bool


@dataclass(frozen=True)
class ChildOverview:
    year: registers_selectors.PupilYear
    counts: rates.SessionCounts  # this academic year to today
    band: rates.Band | None
    terms: list[TermFigure]
    recovery: list[escalation_rules.Recovery]
    remaining: int
    target_pct: Decimal
    letters: list[Letter]


def overview(*, pupil: Pupil, today: dt.date) -> ChildOverview:
    """The child's page: the year, each half-term, the target and the calculator."""
    school = pupil.school
    year = registers_selectors.pupil_year(
        school=school, pupil=pupil, requested_year=None, today=today
    )
    terms = list(
        HalfTerm.objects.for_school(school).filter(academic_year__start_year=year.start_year)
    )
    started = [t for t in terms if t.start_date <= today]
    ranges = [(t.start_date, min(t.end_date, today)) for t in started]
    per_range = figures.counts_by_pupil_over(school=school, ranges=ranges, pupil_ids=[pupil.pk])
    by_term = {t.pk: found.get(pupil.pk) for t, found in zip(started, per_range, strict=True)}
    term_figures = [
        TermFigure(
            t.name,
            t.start_date,
            t.end_date,
            by_term.get(t.pk) or rates.SessionCounts(),
            started=t.pk in by_term,
        )
        for t in terms
    ]
    counts = year.counts
    return ChildOverview(
        year=year,
        counts=counts,
        band=rates.band(counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct),
        terms=term_figures,
        recovery=escalation_rules.recovery(counts, lines=[school.target_pct]),
        remaining=figures.remaining_sessions(school=school, after=today),
        target_pct=school.target_pct,
        letters=list(
            Letter.objects.for_school(school)
            .filter(pupil=pupil, status=Letter.Status.GENERATED)
            .exclude(kind__in=NOT_TO_FAMILIES)
            .order_by("-generated_at", "-pk")
        ),
    )


def year_counts(*, pupil: Pupil, today: dt.date) -> rates.SessionCounts:
    """This academic year to today, as the pupil page counts it."""
    start, _ = figures.year_to_date(today)
    found = figures.counts_by_pupil(
        school=pupil.school, start=start, end=today, pupil_ids=[pupil.pk]
    )
    return found.get(pupil.pk, rates.SessionCounts())
