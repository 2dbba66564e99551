"""Single sign-on with OpenID Connect (Microsoft 365, Google Workspace) for existing staff.

Off unless OIDC_ENABLED. The identity provider's verified email address is matched,
case-insensitively, to exactly one active portal user who has a membership; no account is
ever created. Anything else ends on a refusal page that says why. Whether the provider's
sign-in also counts as the second step is OIDC_SATISFIES_MFA (default: it does not, and
the portal asks for its own code).
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET
from jwt import PyJWTError
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from attendance_portal.identity import policy
from attendance_portal.identity.middleware import second_step_exempt

log = logging.getLogger("identity")

REFUSAL_KEY = "identity_sso_refusal"


def refuse(request: HttpRequest, reason: str, email: str = "") -> None:
    request.session[REFUSAL_KEY] = {"reason": reason, "email": email[:254]}
    log.warning("single sign-on refused (%s) for %r", reason, email)


class StaffEmailBackend(OIDCAuthenticationBackend):
    """Maps the provider's email claim to an existing member of staff, or to nobody."""

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(email__iexact=email, is_active=True, memberships__isnull=False)
            .distinct()
        )

    def retrieve_matching_jwk(self, token):
        """The provider's signing key. A token header may leave out `kid` (RFC 7515 makes it
        optional); then the provider's key set must hold exactly one key for the algorithm."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("alg", self.OIDC_RP_SIGN_ALGO) == self.OIDC_RP_SIGN_ALGO
            and key.get("use", "sig") == "sig"
        ]
        if len(keys) != 1:
            raise SuspiciousOperation("The ID token names no key and the provider has several.")
        return jwt.PyJWK(keys[0])

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = (claims.get("email") or "").strip()
        if not email:
            refuse(self.request, "no_email")
            return None
        if claims.get("email_verified") in (False, "false"):
            refuse(self.request, "unverified", email)
            return None
        domains = [d.lower() for d in settings.OIDC_ALLOWED_EMAIL_DOMAINS]
        if domains and email.rpartition("@")[2].lower() not in domains:
            refuse(self.request, "domain", email)
            return None
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) != 1:
            refuse(self.request, "ambiguous" if users else "unknown", email)
            return None
        return users[0]

    def create_user(self, claims):  # pragma: no cover - get_or_create_user never calls it
        raise SuspiciousOperation("Single sign-on never creates accounts.")


def _sso_or_404() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404("Single sign-on is not set up on this portal.")


@method_decorator([login_not_required, second_step_exempt], name="dispatch")
class SsoStart(OIDCAuthenticationRequestView):
    """Sends the browser to the identity provider."""

    def dispatch(self, request, *args, **kwargs):
        _sso_or_404()
        return super().dispatch(request, *args, **kwargs)


@method_decorator([login_not_required, second_step_exempt], name="dispatch")
class SsoCallback(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; we sign the user in or refuse."""

    @property
    def failure_url(self) -> str:
        return reverse("identity:sso_refused")

    def dispatch(self, request, *args, **kwargs):
        _sso_or_404()
        try:
            return super().dispatch(request, *args, **kwargs)
        except (
            requests.RequestException,
            SuspiciousOperation,
            PyJWTError,
            ValueError,
            KeyError,
        ) as exc:
            log.warning("single sign-on failed: %s", exc)
            refuse(request, "provider")
            return self.login_failure()

    def get(self, request):
        if request.GET.get("error"):
            refuse(request, "provider")
        return super().get(request)

    def login_success(self):
        response = super().login_success()
        self.request.session[policy.SSO_KEY] = True
        self.request.session.pop(REFUSAL_KEY, None)
        return response

    def login_failure(self):
        if REFUSAL_KEY not in self.request.session:
            refuse(self.request, "provider")
        return super().login_failure()


MESSAGES = {
    "unknown": "No staff account on this portal has the email address {email}. Single "
    "sign-on works only for staff whose school has recorded that address on their account: "
    "ask your school's office to add it, or sign in with your username and password.",
    "ambiguous": "More than one staff account has the email address {email}, so the portal "
    "cannot tell which one is yours. Ask your school's office to correct it, or sign in with "
    "your username and password.",
    "unverified": "{provider} has not confirmed that {email} is your address, so the portal "
    "cannot use it to sign you in.",
    "domain": "Addresses like {email} cannot sign in here with {provider}. Use your school "
    "account, or sign in with your username and password.",
    "no_email": "{provider} did not tell the portal your email address, so it cannot find "
    "your account. Sign in with your username and password.",
    "provider": "Signing in with {provider} did not complete. Try again, or sign in with "
    "your username and password.",
}


@login_not_required
@second_step_exempt
@require_GET
def sso_refused(request: HttpRequest) -> HttpResponse:
    refusal = request.session.pop(REFUSAL_KEY, None)
    message = None
    if refusal:
        template = MESSAGES.get(refusal.get("reason"), MESSAGES["provider"])
        message = template.format(
            email=refusal.get("email") or "that address", provider=settings.OIDC_PROVIDER_NAME
        )
    return render(
        request,
        "identity/sso_refused.html",
        {"message": message},
        status=403 if message else 200,
    )
