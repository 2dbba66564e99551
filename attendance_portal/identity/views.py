"""The second step of sign-in: verify, enrol, recovery codes, and a head's reset."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from attendance_portal.identity import policy, services
from attendance_portal.identity.forms import CodeForm, EnrolForm
from attendance_portal.identity.middleware import second_step_exempt
from attendance_portal.identity.qr import qr_svg
from attendance_portal.permissions import has_capability, memberships, school_view
from registers.models import Membership

NEW_CODES_KEY = "identity_new_recovery_codes"
WRONG_CODE = (
    "That code is not right. Enter the code your app shows now (they change every 30 "
    "seconds), or one of your recovery codes."
)


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _throttled(device) -> str | None:
    """django-otp's throttle: after n wrong codes a device waits 2^(n-1) seconds."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    seconds = math.ceil((until - timezone.now()).total_seconds()) if until else 1
    return f"Too many wrong codes. Wait {max(1, seconds)} seconds, then try again."


def _signed_in_with(request: HttpRequest, device) -> None:
    django_otp.login(request, device)
    request.session[policy.ENROLLED_KEY] = True
    request.session.cycle_key()


@never_cache
@second_step_exempt
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    device = policy.confirmed_device(request.user)
    if device is None:
        if not policy.required_by_policy(request.user):
            # Their authenticator was reset and their school does not require one.
            request.session[policy.ENROLLED_KEY] = False
            return redirect(next_url)
        return redirect(_with_next("identity:enrol", next_url))
    if policy.verified_by_code(request):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if not (code.isdigit() and len(code) == 6):
            device = StaticDevice.objects.filter(user=request.user, confirmed=True).first()
        throttled = _throttled(device) if device is not None else None
        if throttled:
            form.add_error(None, throttled)
            status = 429
        else:
            verified = device and django_otp.verify_token(request.user, device.persistent_id, code)
            if verified:
                _signed_in_with(request, verified)
                if isinstance(verified, StaticDevice):
                    left = services.recovery_codes_left(request.user)
                    messages.warning(
                        request,
                        f"You signed in with a recovery code, which now no longer works. "
                        f"{left} left: make new ones from your sign-in security page.",
                    )
                return redirect(next_url)
            form.add_error("code", WRONG_CODE)
    return render(request, "identity/verify.html", {"form": form, "next": next_url}, status=status)


@never_cache  # the secret key: never kept by a shared office computer's browser
@second_step_exempt
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if policy.has_authenticator(request.user) and not policy.verified_by_code(request):
        # Replacing an authenticator takes a code from the current one (or a recovery
        # code) first; otherwise a stolen password would be enough to enrol a new phone.
        return redirect(_with_next("identity:verify", _with_next("identity:enrol", next_url)))
    device = services.pending_device(request.user)
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        throttled = _throttled(device)
        if throttled:
            form.add_error(None, throttled)
            status = 429
        else:
            code = form.cleaned_data["code"]
            verified = django_otp.verify_token(request.user, device.persistent_id, code)
            if verified:
                codes = services.confirm_enrolment(user=request.user, device=verified)
                verified.refresh_from_db()
                _signed_in_with(request, verified)
                request.session[NEW_CODES_KEY] = codes
                return redirect(_with_next("identity:account", next_url))
            form.add_error(
                "code",
                "That code is not right. Check that the app shows the account you have just "
                "added and enter the code it shows now.",
            )
    context = {
        "form": form,
        "next": next_url,
        "qr": qr_svg(device.config_url),
        "secret": services.secret_text(device),
        "replacing": policy.has_authenticator(request.user),
        "required": policy.required_by_policy(request.user),
    }
    return render(request, "identity/enrol.html", context, status=status)


@never_cache  # recovery codes are shown here once
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The user's own sign-in security: authenticator, recovery codes (new ones shown once)."""
    device = policy.confirmed_device(request.user)
    headships = [
        m
        for m in memberships(request.user)
        if m.school and has_capability(m, "manage_staff_sign_in")
    ]
    context = {
        "device": device,
        "codes_left": services.recovery_codes_left(request.user),
        "new_codes": request.session.pop(NEW_CODES_KEY, None),
        "required": policy.required_by_policy(request.user),
        "verified": policy.verified_by_code(request),
        "sso": bool(request.session.get(policy.SSO_KEY)),
        "headships": headships,
        "next": _next_url(request),
    }
    return render(request, "identity/account.html", context)


@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if policy.confirmed_device(request.user) is None:
        messages.error(request, "Set up an authenticator app first.")
        return redirect("identity:account")
    if not policy.verified_by_code(request):
        messages.error(request, "Enter a code from your authenticator app first.")
        return redirect(_with_next("identity:verify", reverse("identity:account")))
    request.session[NEW_CODES_KEY] = services.new_recovery_codes(user=request.user)
    messages.success(request, "New recovery codes made: the old ones no longer work.")
    return redirect("identity:account")


# -- the head's page: their school's staff ------------------------------------------------


@school_view("manage_staff_sign_in", methods=["GET"])
def staff(request: HttpRequest, school, membership) -> HttpResponse:
    members = list(
        Membership.objects.filter(school=school).select_related("user").order_by("user__username")
    )
    user_ids = [m.user_id for m in members]
    devices = {
        d.user_id: d for d in TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True)
    }
    codes: dict[int, int] = {}
    for user_id in StaticToken.objects.filter(device__user_id__in=user_ids).values_list(
        "device__user_id", flat=True
    ):
        codes[user_id] = codes.get(user_id, 0) + 1
    rows = [
        {
            "membership": m,
            "device": devices.get(m.user_id),
            "codes_left": codes.get(m.user_id, 0),
            "forced": school.require_mfa and m.role in policy.MFA_ROLES,
        }
        for m in members
    ]
    return render(request, "identity/staff.html", {"school": school, "rows": rows})


@school_view("manage_staff_sign_in")
@require_POST
def staff_reset(request: HttpRequest, school, membership, user_id: int) -> HttpResponse:
    target = get_object_or_404(
        Membership.objects.select_related("user"), school=school, user_id=user_id
    )
    if target.user.is_superuser:
        raise PermissionDenied("An administrator's sign-in is reset in the admin.")
    services.reset_second_step(user=target.user, by=request.user)
    messages.success(
        request,
        f"Two-step sign-in reset for {target.user.get_full_name() or target.user.username}: "
        "they set up an authenticator app again at their next sign-in.",
    )
    return redirect("identity:staff", urn=school.urn)
