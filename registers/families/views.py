"""The office's pages for messages to families: each kind's wording with a preview, and
GOV.UK Notify's delivery receipts (a callback with a bearer token, no session)."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance_portal.permissions import school_view
from registers.actors import Actor
from registers.families import wording
from registers.families.forms import WordingForm
from registers.families.models import Message
from registers.families.services.messages import (
    record_delivery,
    reset_template,
    save_template,
    wording_for,
)
from registers.families.services.optout import set_opt_out
from registers.models import Contact, Membership, School

Kind = Message.Kind


def _kind_or_404(kind: str) -> str:
    if kind not in Kind.values:
        raise Http404("No such kind of message.")
    return kind


@school_view("send_letters")
@require_GET
def wordings(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    kinds = [(kind, *wording_for(school, kind.value)) for kind in Kind]
    return render(request, "families/wordings.html", {"school": school, "kinds": kinds})


@school_view("send_letters")
@require_http_methods(["GET", "POST"])
def wording_edit(
    request: HttpRequest, school: School, membership: Membership, kind: str
) -> HttpResponse:
    """Edit one kind's wording. Buttons: save, preview (the draft with sample values:
    nothing saved or sent), reset to the default."""
    kind = _kind_or_404(kind)
    subject, body = wording_for(school, kind)
    action = request.POST.get("action", "")
    if action == "reset":
        reset_template(school=school, kind=kind)
        messages.success(request, "Back to the default wording.")
        return redirect("families:wording", school.urn, kind)
    form = WordingForm(
        request.POST if action in ("save", "preview") else None,
        kind=kind,
        initial={"subject": subject, "body": body},
    )
    preview = None
    if action == "save" and form.is_valid():
        save_template(school=school, kind=kind, user=request.user, **form.cleaned_data)
        messages.success(request, "Wording saved. New messages of this kind will use it.")
        return redirect("families:wording", school.urn, kind)
    if action == "preview" and form.is_valid():
        values = wording.sample_values(kind) | {"school_name": school.name}
        preview = (
            wording.render(form.cleaned_data["subject"], values),
            wording.render(form.cleaned_data["body"], values),
        )
    context = {
        "school": school,
        "kind": Kind(kind),
        "form": form,
        "preview": preview,
        "placeholders": wording.KIND_PLACEHOLDERS[kind].items(),
    }
    return render(request, "families/wording.html", context)


@school_view("send_letters")
@require_POST
def contact_opt_out(
    request: HttpRequest, school: School, membership: Membership, pk: int
) -> HttpResponse:
    """The office opts a contact out of messages, or back in, on the family's word (from
    the pupil page's contacts); audited (OptOutChange: who, when)."""
    contact = Contact.objects.for_school(school).filter(pk=pk).first()
    if contact is None:
        raise Http404("No such contact.")
    choice = request.POST.get("opted_out", "")
    if choice not in ("0", "1"):
        return HttpResponse("Say whether the contact is opted out (1) or not (0).", status=400)
    opted_out = choice == "1"
    set_opt_out(contact=contact, opted_out=opted_out, actor=Actor.for_membership(membership))
    state = "opted out of" if opted_out else "opted back in to"
    messages.success(request, f"{contact.name} is {state} messages from the school.")
    return redirect("registers:pupil", school.urn, contact.pupil_id)


@login_not_required
@csrf_exempt
@require_POST
def notify_receipt(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's delivery receipt: JSON with the notification's id and status, sent
    with `Authorization: Bearer <NOTIFY_CALLBACK_TOKEN>`. Without a token configured the
    callback is off (404), and a wrong token is 403: nobody else can mark a message."""
    token = settings.NOTIFY_CALLBACK_TOKEN
    if not token:
        raise Http404("Delivery receipts are not enabled.")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse("Wrong token.", status=403)
    try:
        data = json.loads(request.body)
        provider_id, status = str(data["id"]), str(data["status"])
    except (ValueError, KeyError, TypeError):
        return HttpResponse("Expected JSON with id and status.", status=400)
    known = record_delivery(provider_id=provider_id, provider_status=status, now=timezone.now())
    return JsonResponse({"recorded": known})
