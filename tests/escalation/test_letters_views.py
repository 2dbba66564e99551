"""Letters pages: who may open them, the log and its filters, starting a batch, the
progress fragment, downloads, and the wording editor's validation and preview."""

from __future__ import annotations

import datetime as dt
import io
from html import escape

import pytest
from django.urls import reverse
from pypdf import PdfWriter

from escalation.models import Letter, LetterBatch, LetterTemplate
from escalation.services import letter_generation as generation
from escalation.services import letters as service
from registers.actors import Actor
from registers.models import HalfTerm
from tests.escalation.factories import LetterFactory

URN = "123456"


def blank_pdf(context=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595.28, 841.89)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def batch(school, pupils, officer, monkeypatch, django_capture_on_commit_callbacks):
    """A finished termly batch of the five pupils (blank PDFs: fast)."""
    monkeypatch.setattr(generation, "render_letter_pdf", blank_pdf)
    term = HalfTerm.objects.get(school=school, name="Autumn 1")
    with django_capture_on_commit_callbacks(execute=True):
        found = service.start_termly_batch(
            school=school, period=term, actor=Actor.for_membership(officer)
        )
    found.refresh_from_db()
    return found


def get_urls(batch) -> list[str]:
    letter = Letter.objects.filter(batch=batch).first()
    return [
        reverse("escalation:letters", args=[URN]),
        reverse("escalation:letter_batch", args=[URN, batch.pk]),
        reverse("escalation:letter_batch_progress", args=[URN, batch.pk]),
        reverse("escalation:letter_batch_pdf", args=[URN, batch.pk]),
        reverse("escalation:letter_pdf", args=[URN, letter.pk]),
        reverse("escalation:letter_templates", args=[URN]),
        reverse("escalation:letter_template", args=[URN, "termly"]),
    ]


def test_state_changes_need_post(login, officer):
    client = login(officer)
    assert client.get(reverse("escalation:letters_start", args=[URN])).status_code == 405


def test_the_log_lists_letters_with_who_and_when_and_filters_them(login, officer, batch, pupils):
    client = login(officer)
    response = client.get(reverse("escalation:letters", args=[URN]))
    content = response.content.decode()
    assert "Generate termly letters" in content and "Recent batches" in content
    for pupil in pupils:
        assert escape(pupil.name) in content
    assert escape(officer.user.get_full_name()) in content
    assert content.count("Download") >= 5
    only_failed = client.get(reverse("escalation:letters", args=[URN]), {"status": "failed"})
    assert "No letters match these filters" in only_failed.content.decode()
    mine = client.get(reverse("escalation:letters", args=[URN]), {"pupil": pupils[0].pk})
    assert f"Letters for {pupils[0].name}" in mine.content.decode()
    assert pupils[1].name not in mine.content.decode()


def test_the_log_is_paginated(login, officer, batch, monkeypatch):
    monkeypatch.setattr("escalation.views.letters.PER_PAGE", 2)
    content = login(officer).get(reverse("escalation:letters", args=[URN])).content.decode()
    assert "Page 1 of 3" in content


def test_starting_a_batch_redirects_to_its_progress(
    login, officer, school, pupils, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(generation, "render_letter_pdf", blank_pdf)
    term = HalfTerm.objects.get(school=school, name="Autumn 1")
    client = login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("escalation:letters_start", args=[URN]), {"half_term": term.pk}
        )
    batch = LetterBatch.objects.get()
    assert response["Location"] == reverse("escalation:letter_batch", args=[URN, batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Download merged PDF" in page and "100%" in page
    assert 'src="/static/js/letters.js"' in page


def test_a_half_term_of_another_school_is_refused(login, officer, other_school):
    other = HalfTerm.objects.get(school=other_school)
    client = login(officer)
    response = client.post(
        reverse("escalation:letters_start", args=[URN]), {"half_term": other.pk}, follow=True
    )
    assert "Choose a half-term" in response.content.decode()
    assert not LetterBatch.objects.exists()


def test_the_progress_fragment_tells_the_poller_when_to_stop(login, officer, batch):
    LetterBatch.objects.filter(pk=batch.pk).update(status="running", done=2)
    client = login(officer)
    url = reverse("escalation:letter_batch_progress", args=[URN, batch.pk])
    running = client.get(url)
    assert running["Cache-Control"] == "no-store"
    assert 'data-finished="false"' in running.content.decode()
    assert "40%" in running.content.decode()
    LetterBatch.objects.filter(pk=batch.pk).update(status="finished", done=5)
    assert 'data-finished="true"' in client.get(url).content.decode()


def test_downloads_serve_the_pdfs(login, officer, batch):
    client = login(officer)
    merged = client.get(reverse("escalation:letter_batch_pdf", args=[URN, batch.pk]))
    assert merged["Content-Type"] == "application/pdf"
    assert b"".join(merged.streaming_content).startswith(b"%PDF")
    letter = Letter.objects.filter(batch=batch).first()
    single = client.get(reverse("escalation:letter_pdf", args=[URN, letter.pk]))
    assert "attachment" in single["Content-Disposition"]


def test_a_pending_letter_cannot_be_downloaded(login, officer, school, pupil):
    letter = LetterFactory(
        school=school, pupil=pupil, kind="termly", period="x", as_of=dt.date(2025, 10, 24)
    )
    client = login(officer)
    assert client.get(reverse("escalation:letter_pdf", args=[URN, letter.pk])).status_code == 404


def test_queueing_one_letter_for_a_pupil(
    login, officer, pupil, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(generation, "render_letter_pdf", blank_pdf)
    client = login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("escalation:letters_queue", args=[URN]),
            {"pupil": pupil.pk, "kind": "first_concern"},
        )
    assert response["Location"].endswith(f"?pupil={pupil.pk}")
    letter = Letter.objects.get()
    assert letter.kind == "first_concern" and letter.is_generated


class TestWordingEditor:
    def url(self, kind: str = "termly") -> str:
        return reverse("escalation:letter_template", args=[URN, kind])

    def test_it_lists_the_placeholders_and_every_kind(self, login, officer):
        client = login(officer)
        listing = client.get(reverse("escalation:letter_templates", args=[URN])).content.decode()
        assert "Penalty-notice referral pack" in listing and "Default" in listing
        page = client.get(self.url("notice_to_improve")).content.decode()
        assert "{{ improvement_ends_on }}" in page and "{{ pupil_first_name }}" in page

    def test_an_unknown_kind_is_404(self, login, officer):
        assert login(officer).get(self.url("ransom_note")).status_code == 404

    @pytest.mark.parametrize(
        "body", ["{% load static %}", "{{ settings.SECRET_KEY }}", "Dear {{ parent }}"]
    )
    def test_it_refuses_template_code_and_unknown_placeholders(self, login, officer, body):
        response = login(officer).post(
            self.url(), {"action": "save", "heading": "Hello", "body": body}
        )
        assert response.status_code == 200
        assert "is-invalid" in response.content.decode()
        assert not LetterTemplate.objects.exists()

    def test_it_saves_and_resets_the_wording(self, login, officer):
        client = login(officer)
        body = "Dear {{ parent_name }},\n\nWe miss {{ pupil_first_name }}."
        response = client.post(self.url(), {"action": "save", "heading": "Hi", "body": body})
        assert response.status_code == 302
        assert LetterTemplate.objects.get().body.startswith("Dear {{ parent_name }}")
        assert "Your wording" in client.get(self.url()).content.decode()
        client.post(self.url(), {"action": "reset"})
        assert not LetterTemplate.objects.exists()

    def test_the_preview_shows_the_draft_for_a_pupil_and_saves_nothing(self, login, officer, pupil):
        response = login(officer).post(
            self.url(),
            {
                "action": "preview",
                "heading": "A draft for {{ pupil_first_name }}",
                "body": "Dear {{ parent_name }}",
                "pupil": pupil.pk,
            },
        )
        content = response.content.decode()
        # The letter is a whole document inside the attribute: escaped, so it cannot end it.
        assert 'srcdoc="&lt;!doctype html&gt;' in content
        assert f"A draft for {pupil.forename}" in content
        assert not LetterTemplate.objects.exists() and not Letter.objects.exists()

    def test_the_pdf_preview_is_a_real_a4_letter(self, login, officer, pupil):
        response = login(officer).get(
            reverse("escalation:letter_preview_pdf", args=[URN, "first_concern"]),
            {"pupil": pupil.pk},
        )
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert not Letter.objects.exists()


def test_another_schools_letter_is_404_even_through_its_own_address(login, outsider, batch):
    letter = Letter.objects.filter(batch=batch).first()
    client = login(outsider)
    for url in (
        reverse("escalation:letter_pdf", args=["654321", letter.pk]),
        reverse("escalation:letter_batch", args=["654321", batch.pk]),
        reverse("escalation:letter_batch_pdf", args=["654321", batch.pk]),
    ):
        assert client.get(url).status_code == 404, url
