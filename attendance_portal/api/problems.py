"""Every error the API answers is an RFC 9457 problem details body
(`application/problem+json`): type, title, status, detail, and for refused rows `errors`
with each row's number and message (as the command-line imports print them)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from registers.services.imports.csvfile import RowError

PROBLEM_JSON = "application/problem+json"


class RowsRefused(exceptions.APIException):
    """Nothing was written: every problem of the request, each with its row number."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "Nothing was written: the request has problems."
    default_code = "rows_refused"

    def __init__(self, errors: Sequence[RowError]):
        super().__init__(f"Nothing was written: {len(errors)} problem(s) found.")
        self.errors = [{"row": e.row, "message": e.message} for e in errors]


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def problem(status_code: int, detail: str, *, code: str = "", **extra: Any) -> HttpResponse:
    phrase = HTTPStatus(status_code).phrase
    # "about:blank": the status says what went wrong (RFC 9457 §4.2.1); `code` names the
    # refusal for a program (rows_refused, not_authenticated, throttled …).
    body = {
        "type": "about:blank",
        "title": phrase,
        "status": status_code,
        "detail": detail,
        "code": code or phrase.lower().replace(" ", "_"),
        **extra,
    }
    return HttpResponse(json.dumps(body), status=status_code, content_type=PROBLEM_JSON)


def _field_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            found += _field_errors(value, f"{path}.{key}" if path else str(key))
        return found
    if isinstance(detail, list):
        if all(isinstance(d, str) for d in detail):
            return [{"field": path or "body", "message": str(d)} for d in detail]
        found = []
        for i, value in enumerate(detail):
            found += _field_errors(value, f"{path}[{i}]")
        return found
    return [{"field": path or "body", "message": str(detail)}]


def exception_handler(exc, context) -> HttpResponse | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a real fault, left to Django (and the logs)
    extra: dict[str, Any] = {}
    code = getattr(exc, "default_code", "")
    if isinstance(exc, RowsRefused):
        detail, extra["errors"] = str(exc.detail), exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        detail = "The request is not valid."
        extra["errors"] = _field_errors(exc.detail)
    else:
        detail = str(getattr(exc, "detail", "") or HTTPStatus(response.status_code).phrase)
    result = problem(response.status_code, detail, code=code, **extra)
    for header in ("Retry-After", "WWW-Authenticate", "Allow"):
        if header in response:
            result[header] = response[header]
    return result
