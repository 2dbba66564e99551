"""The portal's pages for the API: a head's or trust lead's tokens, and the head's log of
calls that returned pupil-level data."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from attendance_portal.permissions import school_view
from registers.models import Membership, Pupil

from .forms import TRUST, TokenForm
from .models import ApiToken
from .selectors import access_log
from .services.tokens import TokenError, create_token, revoke_token

Role = Membership.Role


def _manageable(membership: Membership, school):
    """The tokens this member may revoke: a head their school's; a trust lead their trust's
    and those of its schools."""
    if membership.role == Role.TRUST:
        return ApiToken.objects.filter(trust_id=membership.trust_id) | ApiToken.objects.filter(
            school__trust_id=membership.trust_id
        )
    return ApiToken.objects.filter(school=school)


@school_view("manage_api_tokens")
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, school, membership) -> HttpResponse:
    trust_lead = membership.role == Role.TRUST
    form = TokenForm(
        request.POST or None, trust_lead=trust_lead, has_trust=school.trust_id is not None
    )
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = create_token(
                name=data["name"],
                school=None if data["scope"] == TRUST else school,
                trust=school.trust if data["scope"] == TRUST else None,
                level=data["level"],
                access=data["access"],
                days=data["days"],
                created_by=request.user,
                created_by_name=request.user.get_username(),
            )
        except TokenError as exc:
            form.add_error(None, str(exc))
        else:
            form = TokenForm(trust_lead=trust_lead, has_trust=school.trust_id is not None)
    listed = (
        ApiToken.objects.covering(school).select_related("school", "trust").order_by("-created_at")
    )
    manageable = set(_manageable(membership, school).values_list("pk", flat=True))
    # The new token's secret is on this answer only (pages are Cache-Control: no-store).
    return render(
        request,
        "api/tokens.html",
        {
            "school": school,
            "form": form,
            "created": created,
            "tokens": [(t, t.pk in manageable) for t in listed],
            "can_view_log": membership.role == Role.HEAD,
        },
    )


@school_view("manage_api_tokens")
@require_POST
def revoke(request: HttpRequest, school, membership, pk: int) -> HttpResponse:
    token = _manageable(membership, school).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token")
    revoke_token(token=token, revoked_by_name=request.user.get_username())
    messages.success(request, f"The token “{token.name}” is revoked: it no longer opens the API.")
    return redirect("api_pages:tokens", urn=school.urn)


@school_view("view_api_log")
@require_http_methods(["GET"])
def log(request: HttpRequest, school, membership) -> HttpResponse:
    entries = list(access_log(school=school))
    ids = {pk for entry in entries for pk in entry.pupil_ids}
    upns = dict(Pupil.objects.for_school(school).filter(pk__in=ids).values_list("pk", "upn"))
    rows = [
        (entry, [upns.get(pk, "(no longer held)") for pk in entry.pupil_ids]) for entry in entries
    ]
    return render(request, "api/access_log.html", {"school": school, "rows": rows})
