"""axe-core on every page of every role, at desktop and phone width (issue 17).

The pages are the permission matrix's: every row a persona may GET (answer 200) in the
matrix's world, HTML only (PDFs, CSV and XML downloads are not pages). Zero serious or
critical violations of WCAG 2.2 AA are allowed.
"""

from __future__ import annotations

import pytest

from tests.accessibility import axe_source, describe, run_axe
from tests.portal import test_permission_matrix as matrix
from tests.portal.test_permission_matrix import PERSONAS, ROWS, answers, url_for
from tests.portal.world import client_for

# The permission matrix's world and personas, shared as fixtures.
frozen_now = matrix.frozen_now
world = matrix.world
personas = matrix.personas
_no_sign_in_lockout = matrix._no_sign_in_lockout

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}
ROLES = ("anonymous", "officer", "teacher", "head", "governor", "trust_lead", "la_lead")


def pages_for(persona: str, membership, world) -> list[str]:
    """The HTML pages the matrix lets this persona open (whole documents)."""
    at = PERSONAS.index(persona)
    client = client_for(membership)
    urls = []
    for row in ROWS:
        if answers(row, "get")[at] != "200":
            continue
        url = url_for(row, world)
        response = client.get(url)
        html = response["Content-Type"].startswith("text/html")
        # htmx fragments (a batch's progress bar) are parts of pages, checked inside them.
        whole = html and not response.streaming
        whole = whole and response.content.lstrip()[:9].lower() == b"<!doctype"
        if response.status_code == 200 and whole:
            urls.append(url)
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_or_critical_violation_on_any_page(
    role,
    browser,
    live_server,
    world,
    personas,
    settings,
):
    source = axe_source()
    settings.LOGIN_MAX_FAILURES = 10_000
    membership = personas[role]
    urls = pages_for(role, membership, world)
    assert urls, role
    found: list[str] = []
    for width_name, (width, height) in WIDTHS.items():
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-GB", bypass_csp=True
        )
        if membership is not None:
            client = client_for(membership)
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        for url in urls:
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            found += describe(f"{width_name} {url}", run_axe(page, source))
        context.close()
    assert not found, "\n".join(found)
