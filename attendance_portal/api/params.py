"""Query parameters and request bodies, checked the portal's way: strict ISO dates within
2000–2099 (attendance_portal.dates), a clear 4xx for anything else."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions

from attendance_portal.dates import parse_date
from registers import figures

# A year of one school's marks as CSV is ~12 MB; JSON a little more than twice that.
MAX_BODY_BYTES = 64 * 1024 * 1024

FROM = OpenApiParameter(
    "from", OpenApiTypes.DATE, description="first day (default: 1 August of the academic year)"
)
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="last day, included (default: today)")
DATE = OpenApiParameter("date", OpenApiTypes.DATE, description="one day (instead of from/to)")
CURSOR = OpenApiParameter("cursor", OpenApiTypes.STR, description="the `next` link's cursor")
LIMIT = OpenApiParameter(
    "limit", OpenApiTypes.INT, description="rows per page, 1 to 5000 (default 1000)"
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description="Any unique string (a UUID): sending the same request again with the same "
    "key changes nothing and returns the first answer.",
)


def _date(request, name: str) -> dt.date | None:
    text = request.query_params.get(name)
    if text is None or text == "":
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise exceptions.ValidationError({name: [str(exc)]}) from None


def date_range(request, *, allow_day: bool = False) -> tuple[dt.date, dt.date]:
    """`from`/`to` (or `date`), defaulting to the academic year to date, as attendance_stats."""
    day = _date(request, "date") if allow_day else None
    start, end = _date(request, "from"), _date(request, "to")
    if day is not None:
        if start or end:
            raise exceptions.ValidationError({"date": ["Give date, or from and to, not both."]})
        return day, day
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
        rows.append(row)
    return rows


def csv_body(data: bytes) -> bytes:
    if b"\x00" in data:
        raise exceptions.ValidationError({"body": ["A NUL character."]})
    return data
