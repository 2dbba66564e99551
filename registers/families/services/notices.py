"""The messages other parts of the portal send families: a letter's emailed copy, a leave
decision, positive news. Each is keyed by what it reports (the letter, the request, the
week or half-term), so calling twice sends once (services/messages.py).

Escalation and reporting call these (they sit above registers); registers' own pages call
the leave one after the headteacher decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from registers.families.models import Message
from registers.families.services.messages import (
    Draft,
    Queued,
    base_values,
    messageable,
    queue_messages,
)
from registers.models import Contact, LeaveRequest, Membership, Pupil, School
from registers.services.leave import Decision, decide_request

Kind, Channel = Message.Kind, Message.Channel


def _with_contacts(pupils: Iterable[Pupil]) -> list[Pupil]:
    """The pupils with `messageable`: contacts who receive messages and hold parental
    responsibility, in priority order (decisions and letters go to those with PR)."""
    return list(
        Pupil.objects.filter(pk__in=[p.pk for p in pupils]).prefetch_related(
            Prefetch(
                "contacts",
                queryset=Contact.objects.messageable()
                .filter(parental_responsibility=True)
                .order_by("priority"),
                to_attr="messageable",
            )
        )
    )


def queue_letter_copies(
    *, school: School, pupil: Pupil, letter_id: int, title: str, attachment: str
) -> Queued:
    """Email a generated letter (the stored PDF `attachment`) to each contact with parental
    responsibility who receives messages, alongside the printed copy: separated parents
    in two households both hear. Email only: a letter does not fit in a text."""
    (found,) = _with_contacts([pupil])
    day = timezone.localdate()
    drafts = []
    for contact in messageable(found):
        values = base_values(school=school, pupil=found, contact=contact, day=day)
        values["letter_title"] = title
        drafts.append(
            Draft(
                pupil=found,
                contact=contact,
                kind=Kind.LETTER,
                day=day,
                values=values,
                ref=f"letter{letter_id}",
                attachment=attachment,
            )
        )
    return queue_messages(school=school, drafts=drafts, now=timezone.now(), only=Channel.EMAIL)


def _span(leave: LeaveRequest) -> str:
    if leave.start_date == leave.end_date:
        return f"{leave.start_date:%A %-d %B}"
    return f"{leave.start_date:%A %-d %B} to {leave.end_date:%A %-d %B}"


def queue_leave_decision(*, leave: LeaveRequest) -> Queued:
    """Tell the family the headteacher's decision on a request for leave: the contact who
    asked (by name), or else the first with parental responsibility."""
    school = leave.school
    (found,) = _with_contacts([leave.pupil])
    asked = [
        c for c in messageable(found) if c.name.casefold() == leave.requested_by_name.casefold()
    ]
    contacts = asked or messageable(found)[:1]
    day = timezone.localdate()
    drafts = []
    for contact in contacts:
        values = base_values(school=school, pupil=found, contact=contact, day=day)
        values |= {
            "decision": leave.get_status_display().lower(),
            "leave_dates": _span(leave),
            "decision_note": leave.decision_note,
        }
        drafts.append(
            Draft(
                pupil=found,
                contact=contact,
                kind=Kind.LEAVE_DECISION,
                day=day,
                values=values,
                ref=f"leave{leave.pk}",
            )
        )
    return queue_messages(school=school, drafts=drafts, now=timezone.now())


def queue_positive_messages(
    *,
    school: School,
    pupils: Iterable[Pupil],
    achievement: str,
    period: str,
    sent_by: Any,
    now: dt.datetime | None = None,
) -> Queued:
    """Good news in bulk (the celebration page): one message per pupil to their first
    contact who receives messages. `period` keys it ("2025-W38", "2025/26 Autumn 1"), so a
    second click in the same period sends nothing again."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    drafts = []
    for pupil in _with_contacts(pupils):
        if pupil.school_id != school.pk:
            continue
        for contact in messageable(pupil)[:1]:
            values = base_values(school=school, pupil=pupil, contact=contact, day=day)
            values["achievement"] = achievement
            drafts.append(
                Draft(
                    pupil=pupil,
                    contact=contact,
                    kind=Kind.POSITIVE,
                    day=day,
                    values=values,
                    ref=f"positive:{period}",
                )
            )
    return queue_messages(school=school, drafts=drafts, now=now, created_by=sent_by)


@transaction.atomic
def decide_leave(
    *, leave: LeaveRequest, membership: Membership, grant: bool, note: str, today: dt.date
) -> Decision:
    """The headteacher's decision (registers/services/leave.py), and the family told by
    message in the same transaction: a decision is never recorded without its message
    queued, nor a message sent for a decision that was rolled back."""
    decision = decide_request(
        leave=leave, membership=membership, grant=grant, note=note, today=today
    )
    queue_leave_decision(leave=decision.leave)
    return decision
