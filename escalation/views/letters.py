"""Letters pages (officer and head): the letters log with the batches and the forms that
start them, a batch's progress, downloads, and the wording editor with its preview.

Teachers, governors and trust leads get 403; another school's staff 404 (school_view).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance_portal.downloads import file_response
from attendance_portal.permissions import get_pupil_for_user, school_view
from escalation import selectors
from escalation.forms import (
    LetterFilterForm,
    LetterTemplateForm,
    PreviewForm,
    SingleLetterForm,
    StartBatchForm,
)
from escalation.letters import render_letter_html, render_letter_pdf
from escalation.models import Letter, LetterBatch
from escalation.services import letters as service
from escalation.services import recovery
from escalation.services.letter_context import wording
from escalation.views.lists import case_url
from registers.actors import Actor
from registers.models import Membership, School

PER_PAGE = 50


def _kind_or_404(kind: str) -> str:
    if kind not in Letter.Kind.values:
        raise Http404("No such letter")
    return kind


@school_view("send_letters")
@require_GET
def letters(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    filters = LetterFilterForm(request.GET or None)
    kind = status = ""
    pupil = None
    if filters.is_valid():
        data = filters.cleaned_data
        kind, status = data["kind"], data["status"]
        if data["pupil"]:
            pupil = get_pupil_for_user(membership, school, data["pupil"])
    rows = selectors.letter_log(school=school, kind=kind, status=status, pupil=pupil)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for letter in page:  # the case page shows the letter on the timeline
        letter.case_url = case_url(school, letter.case_id) if letter.case_id else ""
    context = {
        "school": school,
        "filters": filters,
        "page": page,
        "pupil": pupil,
        "batches": selectors.recent_batches(school=school),
        "start_form": StartBatchForm(school=school),
        "single_form": SingleLetterForm(school=school, initial={"pupil": pupil}),
    }
    return render(request, "escalation/letters.html", context)


@school_view("send_letters")
@require_POST
def start_batch(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    form = StartBatchForm(request.POST, school=school)
    if not form.is_valid():
        messages.error(request, "Choose a half-term for the termly letters.")
        return redirect("escalation:letters", school.urn)
    try:
        batch = service.start_termly_batch(
            school=school,
            period=form.cleaned_data["half_term"],
            actor=Actor.for_membership(membership),
        )
    except service.LetterError as exc:
        messages.error(request, str(exc))
        return redirect("escalation:letters", school.urn)
    return redirect("escalation:letter_batch", school.urn, batch.pk)


@school_view("send_letters")
@require_POST
def queue_letter(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    form = SingleLetterForm(request.POST, school=school)
    if not form.is_valid():
        messages.error(request, "Choose a pupil and a letter.")
        return redirect("escalation:letters", school.urn)
    pupil, kind = form.cleaned_data["pupil"], form.cleaned_data["kind"]
    letter = service.queue_escalation_letter(
        pupil=pupil,
        kind=kind,
        period=f"{timezone.localdate():%Y-%m-%d}",
        case=selectors.open_case_of(school=school, pupil=pupil),
        actor=Actor.for_membership(membership),
    )
    label = f"{letter.get_kind_display()} for {pupil.name}"
    if letter.is_generated:
        messages.success(request, f"{label}: generated.")
    elif letter.status == Letter.Status.PENDING:
        messages.info(request, f"{label}: queued, will start shortly.")
    else:
        messages.info(request, f"{label}: {letter.get_status_display().lower()}.")
    return redirect(f"{reverse('escalation:letters', args=[school.urn])}?pupil={pupil.pk}")


def _batch_context(school: School, batch: LetterBatch) -> dict:
    # An active batch not touched for a while has lost its worker (or was never queued):
    # beat resumes it within a minute (escalation.services.recovery); the page offers it too.
    return {"school": school, "batch": batch, "stalled": recovery.is_stalled(batch)}


@school_view("send_letters")
@require_GET
def batch(request: HttpRequest, school: School, membership: Membership, pk: int) -> HttpResponse:
    found = selectors.find_batch(school=school, pk=pk)
    return render(request, "escalation/letter_batch.html", _batch_context(school, found))


@school_view("send_letters")
@require_GET
def batch_progress(
    request: HttpRequest, school: School, membership: Membership, pk: int
) -> HttpResponse:
    """The progress fragment the batch page polls every 2 seconds (static/js/letters.js)."""
    found = selectors.find_batch(school=school, pk=pk)
    response = render(
        request, "escalation/_letter_batch_progress.html", _batch_context(school, found)
    )
    response["Cache-Control"] = "no-store"
    return response


@school_view("send_letters")
@require_POST
def resume_batch(
    request: HttpRequest, school: School, membership: Membership, pk: int
) -> HttpResponse:
    found = selectors.find_batch(school=school, pk=pk)
    if found.is_active:
        service.resume_batch(batch=found)
        messages.info(request, "Resumed: queued, will start shortly.")
    return redirect("escalation:letter_batch", school.urn, found.pk)


@school_view("send_letters")
@require_GET
def batch_pdf(request: HttpRequest, school: School, membership: Membership, pk: int):
    found = selectors.find_batch(school=school, pk=pk)
    if not found.merged_file:
        raise Http404("No merged file")
    name = f"letters-{found.kind}-{found.period}.pdf".replace("/", "-").replace(" ", "-")
    return FileResponse(found.merged_file.open("rb"), as_attachment=True, filename=name)


@school_view("send_letters")
@require_GET
def letter_pdf(request: HttpRequest, school: School, membership: Membership, pk: int):
    letter = selectors.find_letter(school=school, pk=pk)
    if not letter.is_generated:
        raise Http404("Not generated yet")
    name = f"{letter.kind}-{letter.pupil.surname}-{letter.pupil.forename}.pdf"
    return FileResponse(letter.file.open("rb"), as_attachment=True, filename=name)


# --- Wording ----------------------------------------------------------------------------


@school_view("send_letters")
@require_GET
def templates(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    kinds = [(kind, wording(school, kind.value)) for kind in Letter.Kind]
    return render(request, "escalation/letter_templates.html", {"school": school, "kinds": kinds})


@school_view("send_letters")
@require_http_methods(["GET", "POST"])
def template(
    request: HttpRequest, school: School, membership: Membership, kind: str
) -> HttpResponse:
    """Edit a kind's wording. Buttons: save, preview (the draft, for a chosen pupil, in an
    iframe: nothing saved or generated), reset to the default."""
    kind = _kind_or_404(kind)
    heading, body, customised = wording(school, kind)
    actor = Actor.for_membership(membership)
    action = request.POST.get("action", "")
    form = LetterTemplateForm(
        request.POST if action in ("save", "preview") else None,
        kind=kind,
        initial={"heading": heading, "body": body},
    )
    picker = PreviewForm(request.POST or request.GET or None, school=school)
    preview = ""
    if action == "reset":
        service.reset_letter_template(school=school, kind=kind)
        messages.success(request, "Back to the default wording.")
        return redirect("escalation:letter_template", school.urn, kind)
    if action == "save" and form.is_valid():
        service.save_letter_template(school=school, kind=kind, actor=actor, **form.cleaned_data)
        messages.success(request, "Wording saved. New letters of this kind will use it.")
        return redirect("escalation:letter_template", school.urn, kind)
    if action == "preview" and form.is_valid() and picker.is_valid():
        draft = (form.cleaned_data["heading"], form.cleaned_data["body"])
        context = service.preview_context(
            school=school, pupil=picker.cleaned_data["pupil"], kind=kind, actor=actor, draft=draft
        )
        preview = render_letter_html(context, stylesheet_url=static("letters/letter.css"))
    context = {
        "school": school,
        "kind": Letter.Kind(kind),
        "form": form,
        "picker": picker,
        "customised": customised,
        "preview": preview,
    }
    return render(request, "escalation/letter_template.html", context)


@school_view("send_letters")
@require_GET
def preview_pdf(
    request: HttpRequest, school: School, membership: Membership, kind: str
) -> HttpResponse:
    """The saved wording for a chosen pupil as an inline PDF: what the printer will get."""
    kind = _kind_or_404(kind)
    picker = PreviewForm(request.GET, school=school)
    if not picker.is_valid():
        raise Http404("Choose a pupil")
    context = service.preview_context(
        school=school,
        pupil=picker.cleaned_data["pupil"],
        kind=kind,
        actor=Actor.for_membership(membership),
    )
    rendered = (f"preview-{kind}.pdf", "application/pdf", render_letter_pdf(context))
    return file_response(rendered, inline=True)
