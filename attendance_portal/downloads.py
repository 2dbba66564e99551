"""The HTTP response for a generated file (PDFs, CSVs, XLSX workbooks, ZIPs, CTF XML)."""

from __future__ import annotations

from django.http import HttpResponse


def file_response(rendered: tuple[str, str, bytes], *, inline: bool = False) -> HttpResponse:
    """(filename, content type, bytes) as a download, or shown in the browser if inline."""
    name, content_type, data = rendered
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response
