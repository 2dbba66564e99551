"""A governor follows every link they can reach, from the governors' page and the school's
home page, and never sees a pupil's name or UPN (docs/domain.md §9: summaries, not pupils)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.registers.factories import MarkFactory, PupilFactory
from tests.reporting.conftest import PRESENT, WEEK

SKIP = ("/static/", "/admin/", "/accounts/logout/")
MAX_PAGES = 200


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "link": "href", "form": "action", "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.found.append(value)


def _text(response) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))  # zipped: read its cells
        cells = (c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
        return "\n".join(str(c) for c in cells if c is not None)
    return response.content.decode("utf-8", errors="replace")


def crawl(client, starts: list[str]) -> dict[str, tuple[int, str]]:
    seen: dict[str, tuple[int, str]] = {}
    queue = list(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        body = _text(response) if response.status_code == 200 else ""
        seen[url] = (response.status_code, body)
        if response.status_code in (301, 302):
            queue.append(urljoin(url, response["Location"]))
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(body)
        for href in parser.found:
            target = urldefrag(urljoin(url, href)).url
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
                continue  # same site only
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if not path.startswith(SKIP) and path not in seen:
                queue.append(path)
    return seen


def test_a_governor_never_meets_a_pupil(client, school, form, ten_pupils, governor):
    # Pupils spread over groups so that the governors' page has figures to show.
    extra = [
        PupilFactory(
            school=school,
            form=form,
            forename=f"Ysolde{n}",
            surname=f"Wraxhall{n}",
            upn=f"C{n:011d}9",
            fsm=n % 2 == 0,
            gender="FM"[n % 2],
        )
        for n in range(12)
    ]
    for pupil in extra:
        MarkFactory.run(pupil, PRESENT, start=WEEK)
    client.force_login(governor.user)
    governors = reverse("reporting:governors", args=[school.urn])
    # The period picker is a form: start from each of its choices too.
    starts = [governors, f"{governors}?period=term", f"{governors}?period=ytd"]
    starts.append(reverse("registers:school_home", args=[school.urn]))
    pages = crawl(client, starts)

    reached = {url for url, (status, _) in pages.items() if status == 200}
    pdf = reverse("reporting:governors_pdf", args=[school.urn])
    assert any(url.startswith(pdf) for url in reached)
    # The page's CSV and Excel downloads were followed and read too.
    assert any("format=csv" in url for url in reached)
    assert any("format=xlsx" in url for url in reached)
    assert reverse("home") in pages  # the brand link (it redirects to the school)
    assert len(reached) >= 6
    forbidden = [(p.forename, p.surname, p.upn) for p in [*ten_pupils, *extra]]
    for url, (_, body) in pages.items():
        for forename, surname, upn in forbidden:
            for needle in (surname, upn, forename):
                assert not re.search(re.escape(needle), body), f"{needle} appears on {url}"
