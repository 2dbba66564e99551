"""A small but complete school for the permission and isolation tests.

Every kind of object a URL can point at exists (pupils with marks and contacts, a case with
its contract, notice and referral, a call, a letter and its batch), so each URL of the
portal can be built with real ids. Pupils have names and UPNs that cannot occur by chance
in a page, so a test can search every response for them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from attendance_portal.api.services.tokens import create_token
from escalation.models import Case, Letter, LetterBatch
from escalation.services import cases as case_services
from escalation.services import interventions
from registers.actors import Actor
from registers.families.models import AbsenceReport
from registers.models import (
    CallAttempt,
    Contact,
    Form,
    LeaveRequest,
    Membership,
    Pupil,
    PupilPhoto,
    School,
)
from tests.escalation.factories import school_days
from tests.lessons.builders import lesson_world
from tests.registers.factories import FormFactory, MarkFactory, PupilFactory

# A Monday inside Autumn 1 2025 (the root conftest's half-term): registers can be taken.
TODAY = dt.date(2025, 10, 20)
NOW = dt.datetime(2025, 10, 20, 10, 30)
# A past school day with marks recorded, for the office's amendment page.
PAST_DAY = dt.date(2025, 10, 17)
MARKS_FROM = dt.date(2025, 9, 8)


def tiny_jpeg() -> bytes:
    """A real 8×8 JPEG, for the photo the world's pupil has."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def blank_pdf() -> bytes:
    """A real (one blank page) PDF, so that pages serving stored files can be read back."""
    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


# URL arguments that are not rows of a school: the same for every school.
CONSTANTS: dict[str, object] = {
    "today": TODAY,
    "past_day": PAST_DAY,
    "am": "AM",
    "termly": "termly",
    "first_day": "first_day",
    # A password reset link that is not valid (signin's account URLs).
    "uidb64": "MA",
    "token": "not-a-token",
    "yes": "1",
}


@dataclass
class World:
    """One school's objects; `ids` names the rows URL arguments point at."""

    school: School
    form: Form
    pupils: list[Pupil]
    other_form_pupil: Pupil
    case: Case
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return self.school.urn

    @property
    def pupil(self) -> Pupil:
        """The pupil with the open case, in the teacher's form."""
        return self.pupils[0]

    def value(self, name: str) -> object:
        """A URL argument by the name the permission matrix uses for it."""
        return self.ids[name] if name in self.ids else CONSTANTS[name]

    def names(self) -> list[str]:
        """Every pupil name and UPN of this school, as they could appear on a page."""
        found = []
        for p in [*self.pupils, self.other_form_pupil]:
            found += [p.forename, p.surname, p.upn]
        return found


def build_world(
    *, school: School, form: Form, other_form: Form | None, office: Membership, tag: str
) -> World:
    """`tag` makes names unique per school (e.g. "Qx" → "Ilsabet0Qx Quarrendon0Qx")."""
    # The DfE number a Common Transfer File names the school by (else the export is refused).
    school.la_number, school.establishment_number = "873", "2001"
    school.save(update_fields=["la_number", "establishment_number"])
    other_form = other_form or FormFactory(school=school, name="Other")
    pupils = [
        PupilFactory(
            school=school,
            form=form,
            forename=f"Ilsabet{n}{tag}",
            surname=f"Quarrendon{n}{tag}",
            upn=f"{tag[0].upper()}{n:011d}7",
            pupil_premium=n % 2 == 0,
            gender="FM"[n % 2],
        )
        for n in range(6)
    ]
    outside = PupilFactory(
        school=school,
        form=other_form,
        forename=f"Marigold{tag}",
        surname=f"Thistlewaite{tag}",
        upn=f"{tag[0].upper()}{99:011d}8",
    )
    # Pupil 0 was away for a week (a case's worth); everybody else was present.
    absent = {dt.date(2025, 9, 15) + dt.timedelta(days=d) for d in range(5)}
    days = school_days(school, MARKS_FROM, PAST_DAY)
    for n, pupil in enumerate([*pupils, outside]):
        MarkFactory.days(pupil, days, absent_on=dict.fromkeys(absent, "O") if n == 0 else None)
    # This morning pupil 0 is missing without a reason: the calling list has a row.
    MarkFactory(pupil=pupils[0], date=TODAY, session="AM", code_id="N")
    contact = Contact.objects.create(
        school=school,
        pupil=pupils[0],
        name=f"Peregrine Oakhurst{tag}",
        relationship="Father",
        phone="01632 960000",
    )
    actor = Actor.for_membership(office)
    CallAttempt.objects.create(
        school=school,
        pupil=pupils[0],
        date=TODAY,
        contact=contact,
        outcome=CallAttempt.Outcome.NO_ANSWER,
        called_by=office.user,
    )

    case = case_services.open_case(
        pupil=pupils[0], actor=actor, summary="A week away", on=dt.date(2025, 9, 22)
    )
    contract = interventions.record_contract(
        case=case,
        actor=actor,
        terms=interventions.ContractTerms(
            agreed_on=dt.date(2025, 9, 29),
            barriers="Mornings",
            school_support="Breakfast club",
            family_commitments="Up by seven",
            parent_name=contact.name,
            school_signatory="Head",
        ),
    )
    notice = interventions.issue_notice_to_improve(
        case=case, actor=actor, issued_on=dt.date(2025, 10, 6), summary="Still absent"
    )
    referral = interventions.refer_for_penalty_notice(
        case=case,
        actor=actor,
        parent_name=contact.name,
        referred_on=dt.date(2025, 10, 13),
        evidence="Ten unauthorised sessions",
    )
    # A finished batch with its merged file and one generated letter: the download pages
    # answer 200 to those who may have them.
    batch = LetterBatch(
        school=school,
        kind=LetterBatch.Kind.TERMLY,
        period="2025/26 Autumn 1",
        as_of=PAST_DAY,
        status=LetterBatch.Status.FINISHED,
        total=1,
        done=1,
        finished_at=timezone.now(),
    )
    batch.merged_file.save(f"batch-{tag}.pdf", ContentFile(blank_pdf()), save=False)
    batch.save()
    letter = Letter(
        school=school,
        pupil=pupils[0],
        kind=Letter.Kind.TERMLY,
        period="2025/26 Autumn 1",
        as_of=PAST_DAY,
        batch=batch,
        case=case,
        status=Letter.Status.GENERATED,
        generated_at=timezone.now(),
    )
    letter.file.save(f"letter-{tag}.pdf", ContentFile(blank_pdf()), save=False)
    letter.save()
    # A granted request: its decision letter can be downloaded.
    leave = LeaveRequest.objects.create(
        school=school,
        pupil=pupils[1],
        start_date=dt.date(2025, 11, 3),
        end_date=dt.date(2025, 11, 4),
        requested_by_name=contact.name,
        requested_by_relationship="Father",
        requested_on=dt.date(2025, 10, 1),
        kind=LeaveRequest.Kind.EXCEPTIONAL,
        reason="A family funeral abroad",
        status=LeaveRequest.Status.GRANTED,
        decided_by_name="Head",
        decided_at=timezone.now(),
    )
    # A parent's report of today's absence, waiting on the calling list.
    report = AbsenceReport.objects.create(
        school=school,
        pupil=pupils[0],
        contact=contact,
        reported_by_name=contact.name,
        start_date=TODAY,
        end_date=TODAY,
        reason=AbsenceReport.Reason.ILLNESS,
    )
    # A photo of the pupil (import_photos), served to staff who may see the pupil.
    photo = PupilPhoto(school=school, pupil=pupils[0], digest="0" * 64)
    photo.image.save("photo.jpg", ContentFile(tiny_jpeg()), save=False)
    photo.save()
    case.refresh_from_db()
    # Lesson registers: the form's teacher (else the office) teaches a lesson this morning.
    teacher = Membership.objects.filter(school=school, role="teacher", forms=form).first()
    lessons = lesson_world(school=school, pupils=pupils, teacher=teacher or office, day=TODAY)
    api_token = create_token(
        name="Power BI", school=school, level="aggregate", created_by_name="world"
    ).token
    ids = {
        **lessons,
        "report": report.pk,
        "pupil": pupils[0].pk,
        "contact": contact.pk,
        "form": form.pk,
        "case": case.pk,
        "contract": contract.pk,
        "notice": notice.pk,
        "referral": referral.pk,
        "letter": letter.pk,
        "batch": batch.pk,
        "leave": leave.pk,
        "staff_user": office.user_id,  # a member of staff, for the head's reset page
        "api_token": api_token.pk,
    }
    return World(
        school=school,
        form=form,
        pupils=pupils,
        other_form_pupil=outside,
        case=case,
        ids=ids,
    )


# -- walking the site -------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "form": "action", "iframe": "src", "link": "href"}.get(tag)
        self.found += [v for k, v in attrs if k == wanted and v]


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(content))
        return "\n".join(page.extract_text() for page in reader.pages)
    return content.decode("utf-8", errors="replace")


def crawl(
    client: Client, starts: list[str], *, per_path: int = 2, limit: int = 200
) -> dict[str, tuple[int, str]]:
    """Same-site pages reachable from `starts` by links and redirects (GET only).

    Sort, filter and period links differ only in their query string, and one pupil's page
    is much like another's: `per_path` visits of each kind of page (ids and dates
    ignored) are enough to see what a page can show, and keep the crawl to seconds.
    """
    seen: dict[str, tuple[int, str]] = {}
    visits: Counter[str] = Counter()
    queue = list(starts)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        kind = re.sub(r"[0-9]+", "#", urlsplit(url).path)
        if url in seen or (visits[kind] >= per_path and url not in starts):
            continue
        visits[kind] += 1
        response = client.get(url)
        body = text_of(response) if response.status_code == 200 else ""
        seen[url] = (response.status_code, body)
        hrefs = [response["Location"]] if response.status_code in (301, 302) else []
        if "text/html" in response.get("Content-Type", ""):
            parser = Links()
            parser.feed(body)
            hrefs += parser.found
        for href in hrefs:
            parts = urlsplit(urldefrag(urljoin(url, href)).url)
            if parts.netloc not in ("", "testserver"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not target.startswith(("/static/", "/admin/", "/accounts/logout/")):
                queue.append(target)
    return seen


def client_for(membership: Membership | None) -> Client:
    """A fresh client signed in as the persona (None: anonymous)."""
    client = Client()
    if membership is not None:
        client.force_login(membership.user)
    return client


def leaks(pages: dict[str, tuple[int, str]], names: list[str]) -> list[str]:
    return [
        f"{name} on {url}" for url, (_, body) in pages.items() for name in names if name in body
    ]
