"""The bulk writes: marks and pupils, through the command-line imports' own services.

A request is a CSV body (`Content-Type: text/csv`, exactly the file `import_marks` or
`import_pupils` reads) or JSON (`{"marks": [{…}, …]}`, turned into that file): the same
checks, all or nothing, the same row numbers (1 is the first row) and, for marks, the same
audited amendments (changed by the token's name, role "MIS import"). An
`Idempotency-Key` makes a retry change nothing: the first answer is kept and returned.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiExample
from rest_framework import exceptions
from rest_framework.response import Response

from registers.services.imports import contacts as contacts_import
from registers.services.imports import marks as marks_import
from registers.services.imports import pupils as pupils_import
from registers.services.imports.csvfile import CsvFile, ImportFailed

from .. import params
from ..access import school_in_scope, token_of
from ..models import ApiToken, IdempotentRequest
from ..problems import Conflict, RowsRefused
from ..serializers import (
    ContactsIn,
    ContactsResultOut,
    MarksIn,
    MarksPage,
    MarksResultOut,
    PupilsIn,
    PupilsResultOut,
)
from .common import endpoint
from .reads import MARKS_PARAMETERS, URN, read_marks

WRITE_ERRORS = (400, 401, 403, 404, 409, 415, 422, 429)
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces


@endpoint(
    GET={"ok": MarksPage, "parameters": MARKS_PARAMETERS, "operation_id": "marks"},
    POST={
        "ok": MarksResultOut,
        "csv": False,
        "errors": WRITE_ERRORS,
        "request": {"application/json": MarksIn, "text/csv": str},
        "parameters": [URN, params.IDEMPOTENCY_KEY],
        "operation_id": "post_marks",
        "examples": [
            OpenApiExample(
                "One mark",
                value={
                    "marks": [
                        {
                            "upn": "A123456789012",
                            "date": "2025-09-08",
                            "session": "AM",
                            "code": "/",
                            "minutes_late": "",
                            "comment": "",
                        }
                    ]
                },
                request_only=True,
            )
        ],
    },
)
def marks(request, urn: str):
    """GET: the marks of a range (from=to for one day), by date, session and pupil.
    POST: marks in bulk, as `import_marks` (read-write pupil-level tokens)."""
    if request.method == "GET":
        return read_marks(request, urn)
    school = school_in_scope(request, urn, pupil_level=True, write=True)
    token = token_of(request)

    def run(data: bytes) -> dict[str, Any]:
        result = marks_import.import_marks(
            school=school,
            file=CsvFile(_file_name(token), data),
            changed_by_name=f"API token {token.name}"[:150],
            changed_by_id=token.created_by_id,
        )
        return asdict(result)

    return _idempotent(request, token, "marks", marks_import.COLUMNS, run)


@endpoint(
    POST={
        "ok": PupilsResultOut,
        "csv": False,
        "errors": WRITE_ERRORS,
        "request": {"application/json": PupilsIn, "text/csv": str},
        "parameters": [URN, params.IDEMPOTENCY_KEY],
        "operation_id": "post_pupils",
    }
)
def pupils(request, urn: str):
    """Pupils in bulk, as `import_pupils`: new UPNs are admitted, known ones updated; all
    or nothing (read-write pupil-level tokens)."""
    school = school_in_scope(request, urn, pupil_level=True, write=True)
    token = token_of(request)
    columns = (*pupils_import.COLUMNS, *pupils_import.OPTIONAL_COLUMNS)

    def run(data: bytes) -> dict[str, Any]:
        result = pupils_import.import_pupils(school=school, file=CsvFile(_file_name(token), data))
        return asdict(result)

    return _idempotent(request, token, "pupils", columns, run)


@endpoint(
    POST={
        "ok": ContactsResultOut,
        "csv": False,
        "errors": WRITE_ERRORS,
        "request": {"application/json": ContactsIn, "text/csv": str},
        "parameters": [URN, params.IDEMPOTENCY_KEY],
        "operation_id": "post_contacts",
    }
)
def contacts(request, urn: str):
    """Contacts in bulk, as `import_contacts`: each pupil named gets exactly the contacts
    sent, in calling order; all or nothing (read-write pupil-level tokens)."""
    school = school_in_scope(request, urn, pupil_level=True, write=True)
    token = token_of(request)

    def run(data: bytes) -> dict[str, Any]:
        file = CsvFile(_file_name(token), data)
        return asdict(contacts_import.import_contacts(school=school, file=file))

    return _idempotent(request, token, "contacts", contacts_import.COLUMNS, run)


def _file_name(token: ApiToken) -> str:
    # The amendments' reason reads "imported from <this>": which token wrote the marks.
    return f"API token {token.prefix}".replace("/", "_")


def _as_csv(columns: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _idempotent(
    request,
    token: ApiToken,
    key_name: str,
    columns: tuple[str, ...],
    run: Callable[[bytes], dict[str, Any]],
) -> Response:
    key = request.headers.get("Idempotency-Key", "")
    if not KEY_PATTERN.fullmatch(key):
        raise exceptions.ValidationError(
            {"Idempotency-Key": ["Send a unique key (1 to 255 printable characters) per request."]}
        )
    media_type, data = params.read_body(request)
    fingerprint = hashlib.sha256(
        b"\n".join([request.path.encode(), media_type.encode(), data])
    ).hexdigest()
    kept = _replay(token, key, fingerprint)
    if kept is not None:
        return kept
    if media_type == "text/csv":
        file = params.csv_body(data)
    else:
        file = _as_csv(columns, params.json_rows(data, key_name, columns))
    try:
        with transaction.atomic():
            # The key first: a retry racing this request waits here until it commits,
            # then finds its answer (below).
            kept_row = IdempotentRequest.objects.create(
                token=token, key=key, fingerprint=fingerprint, status=200, body={}
            )
            body = run(file)
            kept_row.body = body
            kept_row.save(update_fields=["body"])
    except ImportFailed as exc:
        raise RowsRefused(exc.errors) from None
    except IntegrityError:
        kept = _replay(token, key, fingerprint)
        if kept is None:
            raise
        return kept
    return Response(body)


def _replay(token: ApiToken, key: str, fingerprint: str) -> Response | None:
    kept = IdempotentRequest.objects.filter(token=token, key=key).first()
    if kept is None:
        return None
    if kept.fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was used for another request.")
    response = Response(kept.body, status=kept.status)
    response["Idempotent-Replayed"] = "true"
    return response
