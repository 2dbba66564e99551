"""CSV for spreadsheet users (`Accept: text/csv`): the same cells as the commands' CSV
(attendance_portal.cli: Y/N, ISO dates, text neutralised against formulas)."""

from __future__ import annotations

import csv
import io

from rest_framework import renderers

from attendance_portal.cli import csv_cell


class CsvRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")  # as the commands write it
        columns: list[str] = list(rows[0]) if rows and isinstance(rows[0], dict) else []
        # The view names its columns, so that an empty page still has its header.
        response = (renderer_context or {}).get("response")
        columns = list(getattr(response, "csv_columns", None) or columns)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(_flat(row.get(c))) for c in columns])
        return buffer.getvalue().encode()


def _flat(value):
    if isinstance(value, dict | list):
        return str(value)
    return value
