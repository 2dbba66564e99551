"""Playwright fixtures driving Debian's Chromium against pytest-django's live_server.

Browser tests are marked `browser`. Without /usr/bin/chromium they skip locally, but fail
in CI (CI=true), where .ci/run installs it.

Every page a test opens is watched for Content-Security-Policy violations (the
`securitypolicyviolation` event, and Chromium's "Refused to …" console errors): a test
during which any page reported one fails at teardown, so the strict policy stays strict
as pages are added.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Screenshots go to an ignored folder so that running the suite never changes tracked files;
# `make screenshots` copies the README's pictures into docs/screenshots/ on purpose.
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run should have installed chromium")
        pytest.skip("Debian's chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (fixtures, assertions) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


# Installed in every document before its own scripts run: reports each violation to the
# test through the __cspViolation binding.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} on ${e.documentURI}` +
      (e.sourceFile ? ` (${e.sourceFile}:${e.lineNumber})` : "") +
      (e.sample ? `: ${e.sample}` : "")
  );
});
"""
# How Chromium words a CSP refusal in the console ("Refused to execute inline script
# because it violates the following Content Security Policy directive: …").
_CSP_CONSOLE = re.compile(r"Content Security Policy|Content-Security-Policy", re.IGNORECASE)


def watch_csp(context) -> list[str]:
    """Collect the CSP violations any page of the browser context reports."""
    violations: list[str] = []
    context.expose_binding("__cspViolation", lambda source, text: violations.append(text))
    context.add_init_script(_CSP_LISTENER)

    def on_console(message) -> None:
        if message.type == "error" and _CSP_CONSOLE.search(message.text):
            violations.append(f"console: {message.text}")

    context.on("console", on_console)
    return violations


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    violations = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    if violations:
        pytest.fail(
            "A page reported Content-Security-Policy violations; serve the script or style "
            "from static/ instead of inline:\n" + "\n".join(dict.fromkeys(violations))
        )


@pytest.fixture
def sign_in(page, live_server):
    """sign_in(username, password="password") through the real login form."""

    def _sign_in(username: str, password: str = "password"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        return page

    return _sign_in


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-results/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sessions_begun_just_now(school) -> None:
    """Make today's sessions of `school` begin two or three minutes ago, at whatever hour the
    suite runs: a teacher may take a register only once its session has begun, and a late
    mark (L) only while the register is open (docs/domain.md §3). With the default 08:45 a
    teacher's journey failed before breakfast and after the register closed (CI runs at
    night). Skips in the first minutes after midnight, when "minutes ago" was yesterday."""
    import datetime as dt

    from django.utils import timezone

    now = timezone.localtime()
    if now.hour == 0 and now.minute < 5:
        pytest.skip("too close to midnight for a session that began minutes ago today")
    school.am_starts = (now - dt.timedelta(minutes=3)).time().replace(microsecond=0)
    school.pm_starts = (now - dt.timedelta(minutes=2)).time().replace(microsecond=0)
    school.missing_grace_minutes = 0
    school.save(update_fields=["am_starts", "pm_starts", "missing_grace_minutes"])
