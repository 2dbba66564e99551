"""Letter services: queueing, generating once, batches that survive a dead worker, the
case timeline, the sweep's letters and the school's wording. PDFs are faked here (a blank
A4 page) to keep the suite fast; test_letters_pdf.py renders real ones."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import IntegrityError, OperationalError, transaction
from pypdf import PdfReader, PdfWriter

from escalation.models import EscalationEvent, Letter, LetterBatch, LetterTemplate
from escalation.services import letter_generation as generation
from escalation.services import letters as service
from escalation.services.cases import open_case
from escalation.services.letter_context import build_contexts
from escalation.tasks import run_letter_batch_task
from registers.actors import Actor
from registers.models import Contact, HalfTerm, Pupil
from tests.escalation.factories import LetterFactory, school_days
from tests.registers.factories import MarkFactory

Kind = Letter.Kind


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595.28, 841.89)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def rendered(monkeypatch) -> list:
    """Fake the renderer; the list records every context rendered."""
    calls: list = []

    def render(context):
        calls.append(context)
        return blank_pdf()

    monkeypatch.setattr(generation, "render_letter_pdf", render)
    return calls


@pytest.fixture
def autumn1(school) -> HalfTerm:
    return HalfTerm.objects.get(school=school, name="Autumn 1")


@pytest.fixture
def actor(officer) -> Actor:
    return Actor.for_membership(officer)


@pytest.fixture
def start(school, autumn1, actor, django_capture_on_commit_callbacks):
    """Start the termly batch; run the queued tasks unless run=False (a worker that never came)."""

    def _start(run: bool = True) -> LetterBatch:
        with django_capture_on_commit_callbacks(execute=run):
            batch = service.start_termly_batch(school=school, period=autumn1, actor=actor)
        batch.refresh_from_db()
        return batch

    return _start


def test_it_queues_one_pending_letter_per_pupil_on_roll(school, pupils, start, rendered):
    Pupil.objects.filter(pk=pupils[4].pk).update(leaving_date=dt.date(2025, 9, 30))
    batch = start(run=False)
    assert batch.status == LetterBatch.Status.QUEUED
    assert (batch.total, batch.skipped, batch.done) == (4, 0, 0)
    letters = Letter.objects.filter(batch=batch)
    assert letters.count() == 4 and set(letters.values_list("status", flat=True)) == {"pending"}
    assert set(letters.values_list("period", flat=True)) == {"2025/26 Autumn 1"}
    assert set(letters.values_list("as_of", flat=True)) == {dt.date(2025, 10, 24)}
    assert rendered == []


def test_the_batch_generates_every_letter_and_merges_them_for_printing(
    school, pupils, start, rendered
):
    batch = start()
    assert batch.status == LetterBatch.Status.FINISHED
    assert (batch.total, batch.done, batch.skipped, batch.failed) == (5, 5, 0, 0)
    assert batch.percent == 100
    assert len(PdfReader(batch.merged_file.open("rb")).pages) == 5
    letter = Letter.objects.get(pupil=pupils[0])
    assert letter.is_generated and letter.generated_at is not None
    assert letter.file.name == f"letters/123456/202526-autumn-1/termly-{pupils[0].upn}.pdf"
    assert letter.generated_by_name and letter.generated_by_role == "Attendance officer"


def test_a_rerun_generates_nothing_and_reports_what_it_skipped(school, pupils, start, rendered):
    first = start()
    second = start()
    assert second.pk != first.pk
    assert second.status == LetterBatch.Status.FINISHED
    assert (second.total, second.done, second.skipped) == (5, 0, 5)
    assert not second.merged_file  # nothing new to print
    assert Letter.objects.count() == 5 and len(rendered) == 5


def test_a_pupil_admitted_later_gets_only_their_letter_on_a_rerun(
    school, form, pupils, start, rendered
):
    start()
    newcomer = Pupil.objects.create(
        school=school,
        upn="Z00000000001A",
        surname="Newby",
        forename="Nia",
        date_of_birth=dt.date(2016, 1, 1),
        year_group="4",
        form=form,
        admission_date=dt.date(2025, 10, 1),
    )
    batch = start()
    assert (batch.total, batch.done, batch.skipped) == (6, 1, 5)
    assert list(Letter.objects.filter(batch=batch).values_list("pupil", flat=True)) == [newcomer.pk]


def test_a_worker_that_dies_midway_loses_nothing_and_a_rerun_completes_the_rest(
    school, pupils, start, monkeypatch
):
    batch = start(run=False)
    done: list[int] = []

    def dies_on_the_third(context):
        if len(done) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        done.append(1)
        return blank_pdf()

    monkeypatch.setattr(generation, "render_letter_pdf", dies_on_the_third)
    (chunk,) = generation.claim_batch(batch_id=batch.pk)
    with pytest.raises(OperationalError):
        generation.generate_batch_chunk(batch_id=batch.pk, letter_ids=chunk)
    statuses = sorted(Letter.objects.filter(batch=batch).values_list("status", flat=True))
    assert statuses == ["generated", "generated", "pending", "pending", "pending"]
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.RUNNING

    monkeypatch.setattr(generation, "render_letter_pdf", lambda context: blank_pdf())
    rerun = start()  # joins the unfinished batch rather than starting another
    assert rerun.pk == batch.pk
    assert rerun.status == LetterBatch.Status.FINISHED
    assert (rerun.done, rerun.skipped, rerun.failed) == (5, 0, 0)
    assert len(PdfReader(rerun.merged_file.open("rb")).pages) == 5


def test_running_the_batch_task_twice_generates_each_letter_once(school, pupils, start, rendered):
    batch = start(run=False)
    run_letter_batch_task(batch.pk)
    run_letter_batch_task(batch.pk)
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.FINISHED and batch.done == 5
    assert len(rendered) == 5


def test_two_workers_claim_each_letter_once(school, pupils, start, rendered):
    batch = start(run=False)
    ids = list(Letter.objects.filter(batch=batch).values_list("pk", flat=True))
    first = generation.generate_letters(letter_ids=ids)
    second = generation.generate_letters(letter_ids=ids)
    assert set(first.values()) == {"generated"}
    assert second == {}  # nothing pending is left to claim
    assert generation.generate_letter(letter_id=ids[0]) == "skipped"
    assert len(rendered) == 5


def test_the_database_refuses_a_second_letter_for_the_same_period(school, pupil):
    fields = {"school": school, "pupil": pupil, "period": "2025/26 Autumn 1"}
    LetterFactory(kind=Kind.TERMLY, as_of=dt.date(2025, 10, 24), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterFactory(kind=Kind.TERMLY, as_of=dt.date(2025, 10, 24), **fields)
    # The adapted letter is the same letter for the family: not both.
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterFactory(kind=Kind.TERMLY_ADAPTED, as_of=dt.date(2025, 10, 24), **fields)


def test_families_already_working_with_the_school_get_the_adapted_letter(
    school, pupils, start, rendered
):
    days = school_days(school)
    MarkFactory.days(pupils[0], days, absent_sessions=6, code="C2")
    MarkFactory.days(pupils[1], days, absent_sessions=30, code="I")
    Pupil.objects.filter(pk=pupils[2].pk).update(sen=Pupil.SEN.EHCP)
    MarkFactory.days(pupils[3], days, absent_sessions=8, code="O")
    start()
    letters = {x.pupil_id: x for x in Letter.objects.all()}
    assert letters[pupils[0].pk].kind == Kind.TERMLY_ADAPTED
    assert letters[pupils[0].pk].note == "Part-time timetable (C2)"
    assert letters[pupils[1].pk].note == "Long-term illness"
    assert letters[pupils[2].pk].note == "EHC plan"
    assert letters[pupils[3].pk].kind == Kind.TERMLY
    assert letters[pupils[4].pk].kind == Kind.TERMLY


def test_a_letter_goes_on_the_pupils_open_case_timeline_once(
    school, pupils, start, rendered, actor
):
    case = open_case(pupil=pupils[0], actor=actor, summary="Worried", on=dt.date(2025, 10, 1))
    start()
    start()
    letter = Letter.objects.get(pupil=pupils[0])
    assert letter.case == case
    events = EscalationEvent.objects.filter(case=case, key=f"letter:{letter.pk}")
    assert events.count() == 1
    event = events.get()
    assert event.summary == "Letter generated: Termly attendance letter (2025/26 Autumn 1)."
    assert event.actor == actor.user and event.data["letter"] == letter.pk
    # Pupils without a case have no timeline to write to.
    assert EscalationEvent.objects.filter(key__startswith="letter:").count() == 1


def test_a_letter_that_cannot_be_rendered_fails_alone_and_is_retried(
    school, pupils, start, monkeypatch
):
    broken = pupils[2].forename

    def render(context):
        if context.pupil_first_name == broken:
            raise ValueError("bad font")
        return blank_pdf()

    monkeypatch.setattr(generation, "render_letter_pdf", render)
    batch = start()
    assert (batch.status, batch.done, batch.failed) == ("finished", 4, 1)
    failed = Letter.objects.get(pupil=pupils[2])
    assert failed.status == Letter.Status.FAILED and "bad font" in failed.error

    monkeypatch.setattr(generation, "render_letter_pdf", lambda context: blank_pdf())
    retry = start()
    assert (retry.done, retry.skipped, retry.failed) == (1, 4, 0)
    failed.refresh_from_db()
    assert failed.is_generated and failed.batch == retry


def test_the_context_reads_figures_reasons_chart_and_the_first_contact(school, pupil, officer):
    days = school_days(school)
    MarkFactory.days(pupil, days, absent_sessions=4, code="I")
    Contact.objects.create(school=school, pupil=pupil, name="Second Carer", priority=2)
    Contact.objects.create(
        school=school, pupil=pupil, name="Grace Jones", address="12 Elm Road\nOakfield, OK1 2AB"
    )
    letter = LetterFactory.build(
        school=school,
        pupil=pupil,
        kind=Kind.TERMLY,
        period="2025/26 Autumn 1",
        as_of=dt.date(2025, 10, 24),
        generated_by=officer.user,
        generated_by_name="Olivia Officer",
        generated_by_role="Attendance officer",
    )
    (context,) = build_contexts([letter], today=dt.date(2025, 10, 27))
    assert context.counts.possible == 76 and context.counts.authorised == 4
    assert context.band == "monitor"  # 72/76 = 94.7%
    assert context.reasons == (("I", "Illness (not medical or dental appointment)", 4),)
    assert [(bar.label, str(bar.pct)) for bar in context.chart] == [("Autumn 1", "94.7")]
    assert context.addressee.name == "Grace Jones"
    assert context.addressee.address_lines == ("12 Elm Road", "Oakfield", "OK1 2AB")
    assert context.signatory == "Olivia Officer, Attendance officer"
    assert context.heading_template.startswith("{{ pupil_first_name }}")


def test_the_sweeps_letters_are_queued_once_per_request(
    school, cast, sweep, rendered, django_capture_on_commit_callbacks
):
    from tests.escalation.conftest import LAST_DAY, LAST_NIGHTS

    sweep(*LAST_NIGHTS)
    requests = EscalationEvent.objects.filter(
        action=EscalationEvent.Action.LETTER_QUEUED, occurred_on=LAST_DAY
    )
    assert requests.exists()
    with django_capture_on_commit_callbacks(execute=True):
        queued = service.queue_sweep_letters(school=school, as_of=LAST_DAY)
    assert len(queued) == requests.count()
    kinds = {x.pupil.surname: x.kind for x in Letter.objects.select_related("pupil")}
    assert kinds["Monitor"] == Kind.FIRST_CONCERN
    assert kinds["Concern"] == Kind.MEETING_INVITATION
    assert all(x.is_generated and x.case_id for x in Letter.objects.all())
    assert set(Letter.objects.values_list("generated_by_name", flat=True)) == {"Nightly sweep"}
    with django_capture_on_commit_callbacks(execute=True):
        assert service.queue_sweep_letters(school=school, as_of=LAST_DAY) == []
    assert Letter.objects.count() == len(queued)


def test_queueing_an_escalation_letter_twice_returns_the_first(
    school, pupil, actor, rendered, django_capture_on_commit_callbacks
):
    case = open_case(pupil=pupil, actor=actor, summary="Worried", on=dt.date(2025, 10, 1))
    with django_capture_on_commit_callbacks(execute=True):
        first = service.queue_escalation_letter(
            pupil=pupil, kind=Kind.MEETING_INVITATION, period="event-1", case=case, actor=actor
        )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = service.queue_escalation_letter(
            pupil=pupil, kind=Kind.MEETING_INVITATION, period="event-1", case=case, actor=actor
        )
    assert again.pk == first.pk and callbacks == []
    assert len(rendered) == 1


def test_wording_is_validated_saved_and_reset(school, actor):
    with pytest.raises(service.LetterError, match="not a placeholder"):
        service.save_letter_template(
            school=school, kind=Kind.TERMLY, heading="Hi", body="{{ secret }}", actor=actor
        )
    service.save_letter_template(
        school=school,
        kind=Kind.TERMLY,
        heading="Hello {{ pupil_first_name }}",
        body="Dear {{ parent_name }}",
        actor=actor,
    )
    assert LetterTemplate.objects.get(school=school).updated_by == actor.user
    service.reset_letter_template(school=school, kind=Kind.TERMLY)
    assert not LetterTemplate.objects.exists()


def test_the_worker_knows_the_letter_tasks_by_name():
    from attendance_portal.celery import app

    for name in (
        "escalation.generate_letter",
        "escalation.run_letter_batch",
        "escalation.generate_letter_chunk",
        "escalation.queue_sweep_letters",
    ):
        assert name in app.tasks


def test_each_family_letter_is_emailed_with_its_pdf_once_beside_the_printed_copy(
    school, pupils, start, rendered
):
    from django.core import mail

    from registers.families.models import FamilyPolicy, Message
    from tests.registers.factories import ContactFactory

    # No quiet hours: this test runs at whatever time the clock says.
    FamilyPolicy.objects.create(school=school, quiet_from=dt.time(0), quiet_until=dt.time(0))
    mum = ContactFactory(pupil=pupils[0], email="mum@example.com", name="Mum")
    dad = ContactFactory(
        pupil=pupils[0], email="dad@example.com", name="Dad", priority=2, lives_with_pupil=False
    )
    ContactFactory(
        pupil=pupils[0],
        email="nan@example.com",
        name="Nan",
        priority=3,
        parental_responsibility=False,
    )
    start()
    start()  # a rerun generates nothing and emails nothing again
    letter = Letter.objects.get(pupil=pupils[0])
    sent = [m for m in mail.outbox if m.to[0] in {mum.email, dad.email, "nan@example.com"}]
    assert sorted(m.to[0] for m in sent) == ["dad@example.com", "mum@example.com"]
    ((name, content, mimetype),) = sent[0].attachments
    assert name.endswith(".pdf")
    assert content.startswith(b"%PDF") and mimetype == "application/pdf"
    assert letter.get_kind_display() in sent[0].subject
    assert Message.objects.filter(pupil=pupils[0], kind="letter").count() == 2
