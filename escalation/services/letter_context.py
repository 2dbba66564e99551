"""Reads for letters: everything escalation.letters needs, built for many letters at once.

One query per question whatever the number of letters (a batch chunk of 25 or a single
preview), so a 1,500-letter batch costs a few hundred queries, not tens of thousands.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from django.db.models import Case as DbCase
from django.db.models import Count, IntegerField, Value, When
from django.utils import timezone

from attendance_portal.dates import monday_of
from escalation.letters import Addressee, ChartBar, LetterContext, default_wording
from escalation.models import (
    AttendanceContract,
    EscalationEvent,
    Letter,
    LetterTemplate,
    NoticeToImprove,
)
from registers import codes
from registers.figures import (
    COUNT_ANNOTATIONS,
    counted_marks,
    counts_by_pupil,
    fpn_window,
    remaining_sessions,
    school_age_fpn_sessions,
    year_to_date,
)
from registers.models import Contact, HalfTerm, Mark, School
from registers.rates import SessionCounts, attendance_pct, band
from registers.school_age import is_compulsory_school_age

LetterKind = Letter.Kind
Action = EscalationEvent.Action
TEAM = "The attendance team"
ABSENCE_CODES = codes.AUTHORISED_CODES | codes.UNAUTHORISED_CODES
# Case work that shows the support offered to the family, for the referral pack.
SUPPORT_ACTIONS = (Action.MEETING_HELD, Action.CONTRACT_SIGNED, Action.NOTE)


def wording(school: School, kind: str) -> tuple[str, str, bool]:
    """(heading, body, customised): the school's wording for a kind, else the default."""
    own = LetterTemplate.objects.for_school(school).filter(kind=kind).first()
    if own is not None:
        return own.heading, own.body, True
    return (*default_wording(kind), False)


def build_contexts(
    letters: Sequence[Letter],
    *,
    today: dt.date | None = None,
    drafts: dict[str, tuple[str, str]] | None = None,
) -> list[LetterContext]:
    """A context per letter, in order. The letters share a school and their `as_of` day
    (a batch, a single letter, a preview); `drafts` replaces the stored wording by kind."""
    if not letters:
        return []
    today = today or timezone.localdate()
    school = letters[0].school
    as_of = letters[0].as_of
    ids = [letter.pupil_id for letter in letters]
    start, _ = year_to_date(as_of)
    counts = counts_by_pupil(school=school, start=start, end=as_of, pupil_ids=ids)
    reasons = _reasons(school, start, as_of, ids)
    chart = _chart(school, as_of, ids)
    contacts = _contacts(school, ids)
    remaining = remaining_sessions(school=school, after=as_of)
    texts = {k: wording(school, k)[:2] for k in {letter.kind for letter in letters}}
    texts |= drafts or {}
    address = tuple(_lines(school.address))

    out = []
    for letter in letters:
        pupil = letter.pupil
        pupil_counts = counts.get(pupil.pk, SessionCounts())
        pupil_band = band(
            pupil_counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct
        )
        first = contacts.get(pupil.pk, [None])[0]
        heading, body = texts[letter.kind]
        context = LetterContext(
            kind=letter.kind,
            heading_template=heading,
            body_template=body,
            school_name=school.name,
            school_urn=school.urn,
            school_address=address,
            school_phone=school.phone,
            la_name=school.la_name,
            target_pct=school.target_pct,
            formal_meeting_pct=school.formal_meeting_pct,
            pupil_first_name=pupil.forename,
            pupil_name=pupil.name,
            upn=pupil.upn,
            date_of_birth=pupil.date_of_birth,
            form=pupil.form.name if pupil.form else "",
            year_group=pupil.year_group,
            addressee=_addressee(first, pupil.name),
            letter_date=today,
            period=letter.period,
            as_of=as_of,
            counts=pupil_counts,
            band=pupil_band.value if pupil_band else "",
            remaining_sessions=remaining,
            signatory=_signatory(letter),
            reasons=tuple(reasons.get(pupil.pk, ())),
            chart=tuple(chart.get(pupil.pk, ())),
            school_age=is_compulsory_school_age(date_of_birth=pupil.date_of_birth, day=as_of),
        )
        if letter.case_id and letter.kind in CASE_DETAILS:
            details = CASE_DETAILS[letter.kind]  # type: ignore[index]
            context = details(context, letter, contacts.get(pupil.pk, []))
        out.append(context)
    return out


def _reasons(school, start, end, ids) -> dict[int, list[tuple[str, str, int]]]:
    rows = (
        counted_marks(school=school, start=start, end=end, pupil_ids=ids)
        .filter(code_id__in=ABSENCE_CODES)
        .values("pupil_id", "code_id")
        .annotate(n=Count("pk"))
        .order_by("pupil_id", "-n", "code_id")
    )
    out: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for row in rows:
        code = row["code_id"]
        out[row["pupil_id"]].append((code, _reason_label(code), row["n"]))
    return out


def _reason_label(code: str) -> str:
    meaning = codes.BY_CODE[code].meaning
    # Family-friendly: "Leave of absence for a medical or dental appointment" reads as
    # "Medical or dental appointment".
    for prefix in ("Leave of absence for ", "Leave of absence to "):
        if meaning.startswith(prefix):
            meaning = meaning[len(prefix) :]
    return meaning[0].upper() + meaning[1:]


def _chart(school, as_of, ids) -> dict[int, list[ChartBar]]:
    """Attendance within each half-term of the year so far: one query, bucketed by term."""
    start, _ = year_to_date(as_of)
    terms = list(
        HalfTerm.objects.for_school(school).filter(start_date__gte=start, start_date__lte=as_of)
    )
    if not terms:
        return {}
    bucket = DbCase(
        *[When(date__range=(t.start_date, t.end_date), then=Value(n)) for n, t in enumerate(terms)],
        default=Value(-1),
        output_field=IntegerField(),
    )
    rows = (
        counted_marks(school=school, start=start, end=as_of, pupil_ids=ids)
        .annotate(term=bucket)
        .values("pupil_id", "term")
        .annotate(**COUNT_ANNOTATIONS)
        .order_by()
    )
    by_pupil: dict[int, dict[int, SessionCounts]] = defaultdict(dict)
    for row in rows:
        pupil_id, term = row.pop("pupil_id"), row.pop("term")
        by_pupil[pupil_id][term] = SessionCounts(**row)
    out = {}
    for pupil_id, per_term in by_pupil.items():
        bars = []
        for n, term in enumerate(terms):
            c = per_term.get(n, SessionCounts())
            b = band(c, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct)
            bars.append(ChartBar(term.name, attendance_pct(c), b.value if b else ""))
        out[pupil_id] = bars
    return out


def _contacts(school, ids) -> dict[int, list[Contact]]:
    out: dict[int, list[Contact]] = defaultdict(list)
    for contact in (
        Contact.objects.for_school(school).filter(pupil_id__in=ids).order_by("pupil_id", "priority")
    ):
        out[contact.pupil_id].append(contact)
    return out


def _lines(text: str) -> list[str]:
    """An address typed over several lines or with commas, as lines."""
    parts = [p.strip() for line in text.splitlines() for p in line.split(",")]
    return [p for p in parts if p]


def _addressee(contact: Contact | None, pupil_name: str) -> Addressee:
    if contact is None:
        return Addressee(f"The parent or carer of {pupil_name}", (), "Parent or carer")
    return Addressee(contact.name, tuple(_lines(contact.address)), contact.name)


def _signatory(letter: Letter) -> str:
    if not letter.generated_by_id or not letter.generated_by_name:
        return TEAM
    role = f", {letter.generated_by_role}" if letter.generated_by_role else ""
    return letter.generated_by_name + role


# --- Details of escalation letters, read from the pupil's case ---------------------------


def _date(day: dt.date | None) -> str:
    return f"{day:%-d %B %Y}" if day else ""


def _contract(context: LetterContext, letter: Letter, contacts) -> LetterContext:
    contract = (
        AttendanceContract.objects.filter(case_id=letter.case_id).order_by("-agreed_on").first()  # type: ignore[misc]
    )
    if contract is None:
        return context
    target = f"{contract.target_pct.normalize():f}%" if contract.target_pct is not None else ""
    extra = {
        "contract_agreed_on": _date(contract.agreed_on),
        "contract_target_pct": target,
        "contract_review_on": _date(contract.review_on),
        "barriers": contract.barriers,
        "school_support": contract.school_support,
        "family_commitments": contract.family_commitments,
    }
    return replace(context, extra=extra)


def _notice(context: LetterContext, letter: Letter, contacts) -> LetterContext:
    notice = NoticeToImprove.objects.filter(case_id=letter.case_id).order_by("-issued_on").first()  # type: ignore[misc]
    if notice is None:
        return context
    extra = {
        "notice_issued_on": _date(notice.issued_on),
        "improvement_school_days": str(notice.period_school_days),
        "improvement_ends_on": _date(notice.improvement_ends_on),
        "support_given": notice.support_given,
        "further_support": notice.further_support,
        "sufficient_improvement": notice.sufficient_improvement,
        **_window(letter),
    }
    return replace(context, extra=extra)


def _window(letter: Letter) -> dict[str, str]:
    """The penalty-notice window as of the letter's day and the pupil's count in it: the
    legal basis a notice and a referral quote, not the year's total."""
    window = fpn_window(school=letter.school, as_of=letter.as_of)
    if window is None:
        return {}
    found = school_age_fpn_sessions(
        school=letter.school, window=window, pupil_ids=[letter.pupil_id]
    )
    return {
        "window_unauthorised_sessions": str(found.get(letter.pupil_id, 0)),
        "window_start": _date(window.start),
        "window_end": _date(window.end),
    }


def _pack(context: LetterContext, letter: Letter, contacts) -> LetterContext:
    """The referral pack: marks of the year, the case timeline, contacts, support."""
    events = list(EscalationEvent.objects.filter(case_id=letter.case_id).order_by(*ORDER))  # type: ignore[misc]
    timeline = tuple(
        (e.occurred_on, e.get_action_display(), e.summary, e.actor_name) for e in events
    )
    support = tuple((e.occurred_on, e.summary) for e in events if e.action in SUPPORT_ACTIONS)
    people = tuple((c.name, c.relationship, c.phone, c.address) for c in contacts)
    return replace(
        context,
        timeline=timeline,
        support=support,
        contacts=people,
        marks=_marks(letter),
        extra=_window(letter),
    )


ORDER = ("occurred_on", "created_at", "id")
CASE_DETAILS = {
    LetterKind.CONTRACT: _contract,
    LetterKind.NOTICE_TO_IMPROVE: _notice,
    LetterKind.PENALTY_REFERRAL_PACK: _pack,
}


def _marks(letter: Letter) -> tuple:
    """The year's marks as weeks of ten cells (Monday AM … Friday PM), code and category."""
    start, _ = year_to_date(letter.as_of)
    weeks: dict[dt.date, list[tuple[str, str]]] = {}
    rows = (
        Mark.objects.for_school(letter.school)
        .between(start, letter.as_of)
        .filter(pupil_id=letter.pupil_id)
        .values_list("date", "session", "code_id")
        .order_by("date", "session")
    )
    for day, session, code in rows:
        if day.weekday() > 4:
            continue
        monday = monday_of(day)
        cells = weeks.setdefault(monday, [("", "")] * 10)
        category = codes.BY_CODE[code].category.value if code in codes.BY_CODE else ""
        cells[day.weekday() * 2 + (session == "PM")] = (code, f"cat-{category}")
    return tuple((monday, tuple(cells)) for monday, cells in sorted(weeks.items()))
