"""Parents report absences; the office accepts (recording the code) or declines them.

A report explains an absence the moment it is made: the first-day message is not sent for
its sessions (services/first_day.py), and the calling list shows it as "reported by parent".
Accepting records the code through the registers' own services, so every mark written is
audited as any other: empty sessions from today on are pre-filled (source "planned", so a
teacher's register shows them locked), an N already recorded is amended with a reason that
names the parent and the officer, and a session that holds anything else (the pupil came
in after all) is left alone and reported back (docs/domain.md §12).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from attendance_portal.errors import DomainError
from registers.actors import Actor
from registers.families.models import AbsenceReport
from registers.models import Contact, LeaveRequest, Mark, Pupil, School
from registers.services.calendar import open_sessions
from registers.services.leave import record_request
from registers.services.marks import Entry, record_mark
from registers.services.planned import Conflict, prefill_span

Reason, Status = AbsenceReport.Reason, AbsenceReport.Status

# The code each reason records when the office accepts it. A family emergency or another
# reason is the school's judgement: the officer chooses the code (docs/domain.md §12).
REASON_CODES: dict[str, str] = {Reason.ILLNESS: "I", Reason.MEDICAL: "M", Reason.RELIGIOUS: "R"}
ACCEPT_CODES = ("I", "M", "R", "C")
# Parents report today's absence or one ahead; this far ahead at most.
MAX_DAYS_AHEAD = 28
MAX_SPAN_DAYS = 14
# Only "no reason yet" is replaced when a report is accepted: anything else was recorded
# by someone who knew more (a late arrival, a present mark, a code from a call).
REPLACEABLE = frozenset({"N"})


class ReportError(DomainError):
    """A report that cannot be made or decided, with a message a user can act on."""


def parent_actor(contact: Contact) -> Actor:
    return Actor(None, contact.name, f"{contact.relationship or 'Contact'} (parents' portal)")


def _check_parent(contact: Contact, pupil: Pupil) -> None:
    # The portal only offers a parent their own children; this is the service's own check.
    if contact.pupil_id != pupil.pk or contact.school_id != pupil.school_id:
        raise ReportError("You are not a contact for that pupil.")
    if not contact.parental_responsibility:
        raise ReportError("Only a contact with parental responsibility can report an absence.")


@transaction.atomic
def report_absence(
    *,
    contact: Contact,
    pupil: Pupil,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    details: str,
    today: dt.date,
    start_session: str = "AM",
    end_session: str = "PM",
) -> AbsenceReport:
    """A parent's report of an absence today or ahead, waiting for the office."""
    _check_parent(contact, pupil)
    if reason not in Reason.values:
        raise ReportError("Choose a reason from the list.")
    if start_date < today:
        raise ReportError(
            "Report an absence for today or a day ahead; for a past day, ring the school."
        )
    if start_date > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ReportError(f"An absence can be reported up to {MAX_DAYS_AHEAD} days ahead.")
    if end_date < start_date or (
        end_date == start_date and (start_session, end_session) == ("PM", "AM")
    ):
        raise ReportError("The end must not come before the start.")
    if (end_date - start_date).days >= MAX_SPAN_DAYS:
        raise ReportError(
            f"Report at most {MAX_SPAN_DAYS} days at a time; for longer, ask for leave of absence."
        )
    if not pupil.on_roll(start_date):
        raise ReportError(f"{pupil.name} is not on roll on {start_date:%-d %B %Y}.")
    if reason == Reason.OTHER and not details.strip():
        raise ReportError("Say a little about the reason.")
    return AbsenceReport.objects.create(
        school_id=pupil.school_id,
        pupil=pupil,
        contact=contact,
        reported_by_name=contact.name,
        start_date=start_date,
        start_session=start_session,
        end_date=end_date,
        end_session=end_session,
        reason=reason,
        details=details.strip()[:500],
    )


@dataclass
class Accepted:
    report: AbsenceReport
    recorded: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.report.code} recorded for {self.recorded} session(s)"
        if self.conflicts:
            listed = ", ".join(f"{c.day:%a %-d %b} {c.session} ({c.code})" for c in self.conflicts)
            text += f"; left as recorded: {listed}"
        return text + "."


def _locked_open(report: AbsenceReport) -> AbsenceReport:
    locked = (
        AbsenceReport.objects.select_for_update(of=("self",))
        .select_related("pupil__school", "contact")
        .get(pk=report.pk)
    )
    if locked.status != Status.REPORTED:
        raise ReportError(f"This report is already {locked.get_status_display().lower()}.")
    return locked


def _decide(report: AbsenceReport, actor: Actor, status: str, note: str, code: str = "") -> None:
    report.status = status
    report.decided_by = actor.user
    report.decided_by_name = actor.name
    report.decided_at = timezone.now()
    report.decision_note = note.strip()[:300]
    report.code = code
    report.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_note",
            "code",
            "updated_at",
        ]
    )


@transaction.atomic
def accept_absence_report(
    *, report: AbsenceReport, actor: Actor, today: dt.date, code: str = "", note: str = ""
) -> Accepted:
    """Accept a parent's report: record its code on every open session it covers."""
    report = _locked_open(report)
    code = code or REASON_CODES.get(report.reason, "")
    if not code:
        raise ReportError(
            f"Choose the code to record for “{report.get_reason_display()}”: "
            f"{', '.join(ACCEPT_CODES)}."
        )
    if code not in ACCEPT_CODES:
        raise ReportError(f"Accepting a report records one of {', '.join(ACCEPT_CODES)}.")
    pupil = report.pupil
    why = (
        f"Reported by {report.reported_by_name} on the parents' portal "
        f"({report.get_reason_display()}{': ' + report.details if report.details else ''}); "
        f"accepted by {actor.name}"
    )
    result = Accepted(report)
    # From today on: fill the empty sessions (locked on the teachers' registers).
    prefill = prefill_span(
        pupil=pupil,
        span=report,
        code=code,
        source=Mark.Source.PLANNED,
        comment=why,
        actor=actor,
        today=today,
    )
    result.recorded += prefill.filled + prefill.unchanged
    held = [(c.day, c.session) for c in prefill.conflicts]
    # Before today (a report accepted late), every session is settled one by one.
    held += [
        (day, session)
        for day, session in open_sessions(school=pupil.school, start=report.start_date, end=today)
        if day < today and report.covers(day, session) and pupil.on_roll(day)
    ]
    marks = {
        (m.date, m.session): m
        for m in Mark.objects.filter(
            pupil=pupil, date__gte=report.start_date, date__lte=report.end_date
        )
    }
    for day, session in held:
        mark = marks.get((day, session))
        if mark is not None and mark.code_id not in REPLACEABLE:
            if mark.code_id != code:
                result.conflicts.append(Conflict(day, session, mark.code_id))
            continue
        record_mark(
            pupil=pupil,
            day=day,
            session=session,
            entry=Entry(pupil.pk, code, comment=why[:500]),
            actor=actor,
            reason=why,
        )
        result.recorded += 1
    _decide(report, actor, Status.ACCEPTED, note, code)
    return result


@transaction.atomic
def decline_absence_report(*, report: AbsenceReport, actor: Actor, note: str) -> AbsenceReport:
    """The school does not accept the reason; the register keeps what it has (N: the
    office follows it up as any unexplained absence)."""
    if not note.strip():
        raise ReportError("Say why the report is declined: the family will be told.")
    report = _locked_open(report)
    _decide(report, actor, Status.DECLINED, note)
    return report


def request_leave(
    *,
    contact: Contact,
    pupil: Pupil,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    today: dt.date,
    start_session: str = "AM",
    end_session: str = "PM",
) -> LeaveRequest:
    """A parent's application for leave of absence, from the parents' portal: it joins the
    headteacher's queue as any other request (registers/services/leave.py); the decision
    goes back to the family as a message (services/messages.py, `send_leave_decision`)."""
    _check_parent(contact, pupil)
    if start_date <= today:
        raise ReportError("Leave must be asked for in advance: choose a day after today.")
    if kind == LeaveRequest.Kind.PART_TIME:
        raise ReportError("A part-time timetable is agreed with the school, not asked for here.")
    school: School = pupil.school
    return record_request(
        school=school,
        pupil=pupil,
        kind=kind,
        requested_by_name=contact.name,
        requested_by_relationship=contact.relationship,
        requested_on=today,
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        actor=parent_actor(contact),
        start_session=start_session,
        end_session=end_session,
    )
