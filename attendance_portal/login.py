"""The sign-in page, with a limit on failed attempts.

School accounts reach pupils' personal data, so password guessing is throttled: after
LOGIN_MAX_FAILURES failures for one username (from any address) or from one address
(for any username) within LOGIN_LOCKOUT_SECONDS, sign-in is refused until the window passes.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts. Wait {minutes} minutes and try again, "
    "or ask your school's attendance lead to reset your password."
)


def _keys(request: HttpRequest) -> list[str]:
    username = (request.POST.get("username") or "").strip().lower()
    address = request.META.get("REMOTE_ADDR", "")
    return [f"login-fail:user:{username}", f"login-fail:addr:{address}"]


def is_locked(request: HttpRequest) -> bool:
    return any(cache.get(key, 0) >= settings.LOGIN_MAX_FAILURES for key in _keys(request))


def record_failure(request: HttpRequest) -> None:
    for key in _keys(request):
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


@method_decorator(login_not_required, name="dispatch")
class ThrottledLoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if is_locked(request):
            form = self.get_form()
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            form.add_error(None, LOCKED_MESSAGE.format(minutes=minutes))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_failure(self.request)
        return super().form_invalid(form)
