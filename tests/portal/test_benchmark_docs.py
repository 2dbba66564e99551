"""make bench rewrites its own section of docs/benchmarks.md and leaves the others."""

from __future__ import annotations

from benchmarks import write_section

DOC = "# Benchmarks\n\n## Dashboard\n\nold dashboard\n\n## Trust scale\n\nold trust\n"


def test_a_section_is_replaced_and_the_next_keeps_its_blank_line(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(DOC)
    write_section("## Dashboard\n\nnew dashboard\n", "## Dashboard", path)
    assert path.read_text() == (
        "# Benchmarks\n\n## Dashboard\n\nnew dashboard\n\n## Trust scale\n\nold trust\n"
    )


def test_the_last_section_is_replaced_and_a_new_one_appended(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(DOC)
    write_section("## Trust scale\n\nnew trust\n\n", "## Trust scale", path)
    write_section("## Letters\n\nletters\n", "## Letters", path)
    assert path.read_text() == (
        "# Benchmarks\n\n## Dashboard\n\nold dashboard\n\n## Trust scale\n\nnew trust\n\n"
        "## Letters\n\nletters\n"
    )
