"""axe-core (Deque's accessibility engine) for the browser suite.

`make axe` (and .ci/run, through `make test`) installs the npm package into the ignored
folder .axe/; the tests inject its axe.min.js into each page with Playwright. Without it the
tests skip locally but fail in CI (CI=true), as tests/browser.py does for Chromium.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parent.parent / ".axe/node_modules/axe-core/axe.min.js"
# WCAG 2.2 AA, as UK public bodies are tested (the GDS audits run these rule sets).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = frozenset({"serious", "critical"})
# Best-practice rules (outside the WCAG tags, moderate or minor) that still fail the test:
# two landmarks with one name (two "navigation" regions a screen reader cannot tell apart),
# and a table header cell with no text (a column a screen reader announces as nothing).
ALSO_BLOCKING = ["landmark-unique", "empty-table-header"]


def axe_source() -> str:
    if not AXE_JS.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE_JS} is missing; `make axe` (run by .ci/run) installs axe-core")
        pytest.skip("axe-core is not installed (make axe)")
    return AXE_JS.read_text()


def run_axe(page, source: str) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now, and any of
    ALSO_BLOCKING whatever its impact."""
    # The tests' browser context bypasses the Content-Security-Policy for this one script.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    result = page.evaluate(
        "(tags) => axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    also = page.evaluate(
        "(rules) => axe.run(document, "
        "{runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']})",
        ALSO_BLOCKING,
    )
    return [v for v in result["violations"] if v.get("impact") in BLOCKING] + also["violations"]


def describe(url: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        targets = [", ".join(n["target"]) for n in v["nodes"][:5]]
        more = f" (+{len(v['nodes']) - 5} more)" if len(v["nodes"]) > 5 else ""
        count = len(v["nodes"])
        lines.append(f"{url}: {v['id']} [{v['impact']}] {v['help']} ×{count}: {targets}{more}")
    return lines
