"""Headers and request checks on every response and request.

- A Content-Security-Policy header. Django 5.2 has no built-in CSP. Everything the portal
  serves is its own (vendored Bootstrap, Chart.js and htmx; no CDN, no inline script), so
  the policy is strict.
- `Cache-Control: no-store` on every page and download the portal renders (pupil pages,
  their PDFs, exports): staff share office computers, and a browser's cache or back button
  must not show the next person a pupil's record.
- No NUL character reaches the database: PostgreSQL refuses one in any text, so a NUL in
  the path (/s/<urn>/...), the query string, a header (cookies included) or a form value
  was a server error. Such a request is answered 400 before any view runs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class NoStoreMiddleware:
    """Never cached by the browser or a proxy. Static files are served by whitenoise
    further out, so they keep their long cache lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response


class NulCharacterInRequest(SuspiciousOperation):
    """Django answers a SuspiciousOperation with 400 and logs it to django.security."""


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class RejectNulMiddleware:
    """400 for a NUL character in the path, query string, headers (cookies, user agent …)
    or form data (keys, values and uploaded file names)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path_info
            or _has_nul(request.GET)
            or any(
                "\x00" in value
                for key, value in request.META.items()
                if key.startswith("HTTP_") and isinstance(value, str)
            )
            # Cookies as Django reads them: a quoted "\000" in the header becomes a NUL.
            or any("\x00" in k or "\x00" in v for k, v in request.COOKIES.items())
            or (request.method == "POST" and self._post_has_nul(request))
        ):
            raise NulCharacterInRequest("A NUL character in the request.")
        return self.get_response(request)

    @staticmethod
    def _post_has_nul(request: HttpRequest) -> bool:
        if _has_nul(request.POST):
            return True
        return any("\x00" in (f.name or "") for f in request.FILES.values())
