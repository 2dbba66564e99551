"""Query parameters and request bodies, checked the portal's way: strict ISO dates within
2000–2099 (attendance_portal.dates), a clear 4xx for anything else."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions

from attendance_portal.dates import parse_date
from registers import figures

from .pagination import DEFAULT_LIMIT, MAX_LIMIT

# A year of one school's marks as CSV is ~12 MB; JSON a little more than twice that.
MAX_BODY_BYTES = 64 * 1024 * 1024

# Dates the portal takes: YYYY-MM-DD from 2000 to 2099 (attendance_portal.dates).
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": "^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"}
FROM = OpenApiParameter(
    "from", DATE_SCHEMA, description="first day (default: 1 August of the academic year)"
)
TO = OpenApiParameter(
    "to", DATE_SCHEMA, description="last day, included (default: today); from=to for one day"
)
CURSOR = OpenApiParameter(
    "cursor",
    {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
    description="the cursor of the `next` link (opaque: only the API makes them)",
)
LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    description=f"rows per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": "^[!-~]{1,255}$"},
    location=OpenApiParameter.HEADER,
    required=True,
    description="Any unique string (a UUID): sending the same request again with the same "
    "key changes nothing and returns the first answer.",
)


def _date(request, name: str) -> dt.date | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise exceptions.ValidationError({name: [str(exc)]}) from None


def date_range(request) -> tuple[dt.date, dt.date]:
    """`from`/`to`, defaulting to the academic year to date, as attendance_stats."""
    start, end = _date(request, "from"), _date(request, "to")
    year_start, today = figures.year_to_date(end or timezone.localdate())
    start, end = start or year_start, end or today
    if start > end:
        raise exceptions.ValidationError({"from": [f"{start} is after to ({end})."]})
    return start, end


def read_body(request) -> tuple[str, bytes]:
    """The body's media type and bytes (read here, not by DRF's parsers, so that a year's
    file is neither parsed twice nor capped at Django's form-size limit)."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        raise exceptions.ValidationError(
            {"body": [f"The body must be at most {MAX_BODY_BYTES // (1024 * 1024)} MB."]}
        )
    media_type = request.content_type.split(";")[0].strip().lower()
    if media_type not in ("application/json", "text/csv"):
        raise exceptions.UnsupportedMediaType(media_type or "(none)")
    return media_type, request._request.read(int(length))


def json_rows(data: bytes, key: str, columns: tuple[str, ...]) -> list[list[str]]:
    """`{"<key>": [{column: value, …}, …]}` as rows of text in `columns` order, the cells an
    import reads from a CSV (numbers as their digits, null as empty)."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise exceptions.ParseError("The body is not JSON.") from None
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise exceptions.ValidationError({key: [f'Send {{"{key}": [ … ]}}.']})
    rows = []
    known = set(columns)
    for number, item in enumerate(body[key], start=1):
        if not isinstance(item, dict):
            raise exceptions.ValidationError({f"{key}[{number}]": ["Each row is an object."]})
        unknown = sorted(set(item) - known)
        if unknown:
            raise exceptions.ValidationError(
                {f"{key}[{number}]": [f"Unknown field(s): {', '.join(unknown)}."]}
            )
        row = []
        for column in columns:
            value = item.get(column)
            if value is None:
                value = ""
            elif isinstance(value, bool) or not isinstance(value, str | int):
                raise exceptions.ValidationError(
                    {f"{key}[{number}].{column}": ["Text (or a whole number)."]}
                )
            value = str(value)
            if "\x00" in value:
                raise exceptions.ValidationError(
                    {f"{key}[{number}].{column}": ["A NUL character."]}
                )
            row.append(value)
        if not any(row):
            # A blank CSV line is skipped; a row object with nothing in it is a mistake.
            raise exceptions.ValidationError({f"{key}[{number}]": ["The row is empty."]})
        rows.append(row)
    return rows


def csv_body(data: bytes) -> bytes:
    if b"\x00" in data:
        raise exceptions.ValidationError({"body": ["A NUL character."]})
    return data
