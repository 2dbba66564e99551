"""The one PDF renderer: HTML in, A4 PDF bytes out, with WeasyPrint.

Every printable document (leave decision letters, attendance contracts, letters to
families, the governors' report and the dashboard) is a Django template rendered to HTML
by its own module and handed here. Side-effect free: nothing is read from or written to
the database or storage; callers store or send the bytes (pretix's exporters).

WeasyPrint is imported on first use (it loads fonts and is slow to import). A stylesheet
passed by path is parsed once per process with one font configuration and reused for
every document (parsing CSS and fonts is most of a small letter's cost); documents that
link their stylesheet in the HTML resolve it against BASE_DIR.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

PDF_TYPE = "application/pdf"


@cache
def _weasyprint() -> Any:
    import weasyprint

    return weasyprint


@cache
def _stylesheet(path: str) -> tuple[Any, Any]:
    """A parsed stylesheet and the font configuration its @font-face rules were read with."""
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return _weasyprint().CSS(filename=path, font_config=fonts), fonts


def render_pdf(html: str, *, stylesheet: Path | None = None) -> bytes:
    """The HTML document as PDF bytes; with `stylesheet`, that print stylesheet applied
    (parsed once per process)."""
    document = _weasyprint().HTML(string=html, base_url=str(settings.BASE_DIR))
    if stylesheet is None:
        return document.write_pdf()
    css, fonts = _stylesheet(str(stylesheet))
    return document.write_pdf(stylesheets=[css], font_config=fonts)
