"""Cursor pagination: `?cursor=` is an opaque token for "after this row", so pages stay
right when rows are added between calls (an offset would skip or repeat them)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from rest_framework import exceptions

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000


def encode(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode(cursor: str | None) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        key = None
    if not isinstance(key, list) or not key or not all(isinstance(k, str | int) for k in key):
        raise exceptions.ValidationError({"cursor": ["Not a cursor this API gave out."]})
    return key


def limit_of(request) -> int:
    raw = request.query_params.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise exceptions.ValidationError({"limit": [f"A whole number from 1 to {MAX_LIMIT}."]})
    return int(raw)


def next_link(request, key: Sequence[Any] | None) -> str | None:
    if key is None:
        return None
    query = request.query_params.copy()
    query["cursor"] = encode(key)
    return request.build_absolute_uri(request.path) + "?" + urlencode(query, doseq=True)


def page_of_list(
    request, rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], list[Any]]
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of rows already sorted by `key` (for records built in memory)."""
    after, limit = decode(request.query_params.get("cursor")), limit_of(request)
    if after is not None:
        try:
            rows = [r for r in rows if key(r) > after]
        except TypeError:  # a cursor of another endpoint
            raise exceptions.ValidationError({"cursor": ["Not a cursor of this list."]}) from None
    page = rows[:limit]
    return page, next_link(request, key(page[-1]) if len(rows) > limit else None)
