"""What every endpoint shares: the decorator that makes a function an API view (public to
the portal's sign-in middleware, tokens only, conditional GET), its documented errors, and
the page answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from ..problems import PROBLEM_JSON
from ..serializers import Problem

# ETag from the answer's bytes, and 304 to a matching If-None-Match (GET and HEAD only).
conditional_get = decorator_from_middleware(ConditionalGetMiddleware)

ERRORS = {
    400: "bad input (a date, a cursor, a body): `errors` says which",
    401: "no token, or one not valid (revoked, expired)",
    403: "the token's level or access does not allow this",
    404: "no such school for this token",
    406: "ask for application/json or text/csv",
    429: "too many calls: wait Retry-After seconds",
}


def _errors(codes: Sequence[int]) -> dict:
    return {
        (code, PROBLEM_JSON): OpenApiResponse(Problem, description=ERRORS.get(code, ""))
        for code in codes
    }


def endpoint(**methods: dict[str, Any]) -> Callable:
    """An API view answering `methods` (405 to others, with Allow), each given as
    `GET={"ok": serializer, "errors": (…), "csv": bool, **extend_schema arguments}`."""

    def decorate(view: Callable) -> Callable:
        view = api_view(list(methods))(view)
        for method, spec in methods.items():
            spec = dict(spec)
            ok, csv = spec.pop("ok"), spec.pop("csv", method == "GET")
            errors = spec.pop("errors", (400, 401, 403, 404, 406, 429))
            status = spec.pop("status", 200)
            responses = {(status, "application/json"): ok, **_errors(errors)}
            if csv:
                responses[(status, "text/csv")] = OpenApiResponse(
                    OpenApiTypes.STR, description="the rows as CSV"
                )
            if method == "GET":
                responses[304] = OpenApiResponse(description="not modified (If-None-Match)")
            view = extend_schema(methods=[method], responses=responses, **spec)(view)
        return login_not_required(conditional_get(view))

    return decorate


def page(rows: list[dict], next_url: str | None, columns: Sequence[str] | None = None) -> Response:
    response = Response({"results": rows, "next": next_url})
    response.csv_columns = columns  # type: ignore[attr-defined]
    if next_url:
        response["Link"] = f'<{next_url}>; rel="next"'
    return response
