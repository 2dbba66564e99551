"""The first-day absence message (docs/domain.md §12).

At a time each school sets after its register closes (default 30 minutes), every pupil on
roll with an N (no reason yet) for the session, or with no mark where their form's register
was taken, gets one message to the contacts who receive messages, in priority order, by
the school's channels. Not messaged: a pupil whose parent already reported the absence
(a standing report covers the session), a pupil whose form's register was not taken at
all (that is a missing register, for the teacher, not an absence), and in the afternoon a
pupil already messaged that morning. Contacts who opted out never are.

Whoever runs it (beat, a second worker, a retry, the command line) queues each message once:
services/messages.py keys every row and claims every send.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from registers.families.models import AbsenceReport, FamilyPolicy, Message
from registers.families.services.messages import (
    Draft,
    base_values,
    messageable,
    policy_for,
    queue_messages,
)
from registers.models import Contact, Mark, Pupil, Register, School, SchoolDay

Kind = Message.Kind


def due_at(*, school: School, policy: FamilyPolicy, day: dt.date, session: str) -> dt.datetime:
    """When the session's first-day messages go: its register closes register_open_minutes
    after the session starts, then the school's first_day_minutes."""
    minutes = school.register_open_minutes + policy.first_day_minutes
    return school.session_starts(day, session) + dt.timedelta(minutes=minutes)


def absentees(*, school: School, day: dt.date, session: str) -> list[Pupil]:
    """Pupils to message about `session` of `day`, with their messageable contacts
    prefetched in priority order. One query for the pupils, one for the contacts."""
    marks = Mark.objects.filter(pupil=OuterRef("pk"), date=day, session=session)
    taken = Register.objects.filter(
        form=OuterRef("form_id"), date=day, session=session, taken_at__isnull=False
    )
    reported = AbsenceReport.objects.standing().filter(
        pupil=OuterRef("pk"), start_date__lte=day, end_date__gte=day
    )
    pupils = (
        Pupil.objects.for_school(school)
        .on_roll(day)
        .filter(
            Exists(marks.filter(code_id="N"))
            | (~Exists(marks) & Q(form__isnull=False) & Exists(taken))
        )
        .annotate(reported=Exists(reported))
        .prefetch_related(
            Prefetch(
                "contacts",
                queryset=Contact.objects.messageable().order_by("priority"),
                to_attr="messageable",
            )
        )
        .order_by("pk")
    )
    if session == "PM":
        messaged = Message.objects.filter(
            pupil=OuterRef("pk"), kind=Kind.FIRST_DAY, date=day, session="AM"
        )
        pupils = pupils.exclude(Exists(messaged))
    found = []
    for pupil in pupils:
        # A report's span is by session: the AM of its first day or the PM of its last
        # may be outside it, so check the sessions of the few reported pupils one by one.
        if pupil.reported and any(
            r.covers(day, session)
            for r in AbsenceReport.objects.standing().filter(pupil=pupil).covering(day)
        ):
            continue
        found.append(pupil)
    return found


@dataclass
class FirstDayResult:
    pupils: int = 0
    queued: int = 0
    over_cap: int = 0
    skipped: str = ""

    def as_dict(self) -> dict:
        return {
            "pupils": self.pupils,
            "queued": self.queued,
            "over_cap": self.over_cap,
            "skipped": self.skipped,
        }


def queue_first_day_messages(
    *,
    school: School,
    day: dt.date,
    session: str,
    now: dt.datetime | None = None,
    before_due: bool = False,
) -> FirstDayResult:
    """Queue the session's first-day messages, if their time has come (or at once, with
    `before_due`: the office's command). Safe to run any number of times: a message
    already queued is not queued again."""
    now = now or timezone.now()
    policy = policy_for(school)
    school_day = SchoolDay.objects.for_school(school).filter(date=day).first()
    if school_day is None or not school_day.is_open(session):
        return FirstDayResult(skipped="not an open session")
    if policy.channels == FamilyPolicy.Channels.NONE:
        return FirstDayResult(skipped="the school sends no messages")
    if not before_due and now < due_at(school=school, policy=policy, day=day, session=session):
        return FirstDayResult(skipped="not yet due")
    if timezone.localdate(now) != day:
        # Yesterday's absences are the calling list's now, not a text's.
        return FirstDayResult(skipped="the day is over")
    pupils = absentees(school=school, day=day, session=session)
    drafts = []
    for pupil in pupils:
        contacts = messageable(pupil) if policy.first_day_all_contacts else messageable(pupil)[:1]
        for contact in contacts:
            drafts.append(
                Draft(
                    pupil=pupil,
                    contact=contact,
                    kind=Kind.FIRST_DAY,
                    day=day,
                    session=session,
                    values=base_values(school=school, pupil=pupil, contact=contact, day=day),
                )
            )
    if policy.late_messages:
        drafts += _late_drafts(school=school, day=day, session=session)
    queued = queue_messages(school=school, drafts=drafts, now=now)
    return FirstDayResult(pupils=len(pupils), queued=len(queued.created), over_cap=queued.over_cap)


def _late_drafts(*, school: School, day: dt.date, session: str) -> list[Draft]:
    """The optional late-arrival message: a pupil marked L or U in the session, to their
    first contact who receives messages. Sent with the first-day messages, once the
    register has closed, so a late mark corrected meanwhile is not messaged."""
    drafts = []
    marks = (
        Mark.objects.for_school(school)
        .filter(date=day, session=session, code_id__in=("L", "U"))
        .select_related("pupil")
        .prefetch_related(
            Prefetch(
                "pupil__contacts",
                queryset=Contact.objects.messageable().order_by("priority"),
                to_attr="messageable",
            )
        )
    )
    for mark in marks:
        pupil = mark.pupil
        for contact in messageable(pupil)[:1]:
            values = base_values(school=school, pupil=pupil, contact=contact, day=day)
            values["minutes_late"] = str(mark.minutes_late or 0)
            drafts.append(
                Draft(
                    pupil=pupil,
                    contact=contact,
                    kind=Kind.LATE,
                    day=day,
                    session=session,
                    values=values,
                )
            )
    return drafts


def schools_due(*, now: dt.datetime) -> list[tuple[int, str]]:
    """(school id, session) pairs whose first-day messages are due today and not yet queued
    by anyone: beat calls this every few minutes and fans out one task per pair."""
    today = timezone.localdate(now)
    due = []
    days = SchoolDay.objects.filter(date=today).select_related("school")
    policies = {p.school_id: p for p in FamilyPolicy.objects.all()}
    for school_day in days:
        school = school_day.school
        policy = policies.get(school.pk) or FamilyPolicy(school=school)
        if policy.channels == FamilyPolicy.Channels.NONE:
            continue
        for session in ("AM", "PM"):
            if not school_day.is_open(session):
                continue
            at = due_at(school=school, policy=policy, day=today, session=session)
            # A two-hour window: a beat that was down a while still catches up the same
            # morning, but never texts about the morning in the evening.
            if at <= now < at + dt.timedelta(hours=2):
                due.append((school.pk, session))
    return due
