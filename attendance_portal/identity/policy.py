"""Who must pass the second step, and whether this session has passed it.

A user must pass it when
- they hold a pupil-level role (officer, teacher, head) at a school whose policy requires
  it, or lead a trust one of whose schools does (School.require_mfa); governors see
  aggregates only and are never forced;
- or they have enrolled an authenticator of their own accord: a device that is never
  asked for would protect nothing.
A session has passed it after a code from the user's authenticator or a recovery code
(django-otp's verified device), or after single sign-on when OIDC_SATISFIES_MFA says the
identity provider enforces its own MFA.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from attendance_portal import permissions
from registers.models import Membership, School

Role = Membership.Role

MFA_ROLES = frozenset({Role.OFFICER, Role.TEACHER, Role.HEAD, Role.TRUST})

# Session keys. Whether the user had an authenticator when they signed in is kept in the
# session so that the middleware needs no query on every request.
ENROLLED_KEY = "identity_enrolled"
SSO_KEY = "identity_sso"


def required_by_policy(user) -> bool:
    """A membership with pupil-level access at a school (or trust) that requires MFA."""
    found = permissions.memberships(user)  # cached on the user for the request
    if any(m.role in MFA_ROLES and m.school is not None and m.school.require_mfa for m in found):
        return True
    trusts = {m.trust_id for m in found if m.role == Role.TRUST and m.trust_id is not None}
    return bool(trusts) and School.objects.filter(trust_id__in=trusts, require_mfa=True).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verified_by_code(request: HttpRequest) -> bool:
    """The user entered a code from their own authenticator (or a recovery code)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def second_step_passed(request: HttpRequest) -> bool:
    if verified_by_code(request):
        return True
    return bool(settings.OIDC_SATISFIES_MFA and request.session.get(SSO_KEY))


def second_step_needed(request: HttpRequest) -> bool:
    """True when this signed-in user must still pass the second step in this session."""
    user = request.user
    if not user.is_authenticated or second_step_passed(request):
        return False
    return bool(request.session.get(ENROLLED_KEY)) or required_by_policy(user)


def remember_enrolment_at_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in: note whether the user has an authenticator to ask them for."""
    if request is not None and hasattr(request, "session"):
        request.session[ENROLLED_KEY] = has_authenticator(user)
