"""Performance benchmarks: one module per screen or job, each with a main().

Run one with `python -m benchmarks.<module>` or all of them with `make bench`
(`python -m benchmarks.run`). Results go into docs/benchmarks.md, one section each.
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(section: str, heading: str, path: Path = DOCS) -> None:
    """Replace the section under `heading` of docs/benchmarks.md (or append it), leaving
    the other benchmarks' sections alone."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    start = text.find(heading + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    path.write_text(text.rstrip("\n") + "\n")
