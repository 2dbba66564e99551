"""The browser suite's CSP watch (tests/browser.py): a page that breaks the policy is
caught, so any browser test on such a page fails at teardown."""

from __future__ import annotations

import pytest

from tests.browser import watch_csp

pytestmark = pytest.mark.browser

POLICY = "default-src 'self'; script-src 'self'; style-src 'self'"
URL = "http://csp.test/"


def _visit(browser, body: str) -> list[str]:
    context = browser.new_context()
    violations = watch_csp(context)
    context.route(
        "http://csp.test/**",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": POLICY},
            body=body,
        ),
    )
    page = context.new_page()
    page.goto(URL)
    page.wait_for_timeout(200)  # the event is dispatched asynchronously
    context.close()
    return violations


def test_an_inline_script_and_style_are_reported(browser):
    violations = _visit(
        browser, "<html><head><style>p{color:red}</style></head><body><script>1</script></body>"
    )
    assert any("script-src" in v for v in violations), violations
    assert any("style-src" in v for v in violations), violations


def test_a_page_within_the_policy_reports_nothing(browser):
    assert _visit(browser, "<html><body><p>Nothing inline.</p></body></html>") == []
