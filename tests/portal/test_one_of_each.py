"""The project's shared vocabularies, defined once (issue 20, "One of each"): the Monday of
a week, the bands, the pupils' flags, the PDF renderer."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from attendance_portal.dates import monday_of


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (dt.date(2025, 9, 1), dt.date(2025, 9, 1)),  # a Monday is its own
        (dt.date(2025, 9, 5), dt.date(2025, 9, 1)),
        (dt.date(2025, 9, 7), dt.date(2025, 9, 1)),  # Sunday ends the week
        (dt.date(2026, 1, 1), dt.date(2025, 12, 29)),  # across a year
    ],
)
def test_monday_of(day, monday):
    assert monday_of(day) == monday


def _sources() -> list[tuple[str, str]]:
    """(path, text) of the project's Python modules, tests and migrations left out."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for app in ("attendance_portal", "registers", "escalation", "reporting"):
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.parts:
                found.append((str(path.relative_to(root)), path.read_text()))
    return found


def test_one_monday_of_the_week():
    """Nobody works out a week's Monday by hand: attendance_portal.dates.monday_of."""
    by_hand = re.compile(r"timedelta\(days=\s*\w+(\.\w+)*\.weekday\(\)\s*\)")
    found = [path for path, text in _sources() if by_hand.search(text)]
    assert found == ["attendance_portal/dates.py"]


def test_one_pdf_renderer():
    """WeasyPrint is called in one place, attendance_portal.pdf."""
    found = [
        path for path, text in _sources() if re.search(r"^\s*(from|import) weasyprint", text, re.M)
    ]
    assert found == ["attendance_portal/pdf.py"]


def test_one_list_of_pupil_flags():
    """The flags' field list is spelt out once, in registers.flags (reporting's questions
    are keyed by breakdown, flags among them, with a prompt each)."""
    found = [
        path
        for path, text in _sources()
        if re.search(r'"fsm"', text) and re.search(r'"cla"', text) and re.search(r'"cin"', text)
    ]
    assert found == ["registers/flags.py", "reporting/questions.py"]


def test_the_flags_everywhere_are_the_same():
    from registers import flags
    from registers.models import Pupil
    from registers.services.imports import pupils as pupil_import
    from reporting import breakdowns, questions, selectors

    assert {c.value: c.label for c in Pupil.SEN} == flags.SEN_LABELS
    for name in flags.FIELDS:
        Pupil._meta.get_field(name)  # a Pupil field
        assert name in pupil_import.COLUMNS
        assert name in pupil_import.FIELDS
        assert name in selectors.GROUP_FIELDS
        assert name in breakdowns.DIMENSIONS
        assert name in questions.GROUP_PROMPTS
    every = Pupil(**dict.fromkeys(flags.YES_NO_FIELDS, True), sen=Pupil.SEN.EHCP)
    assert every.flags == [
        "PP", "FSM", "EHC plan", "EAL", "Social worker", "Looked after", "Young carer"
    ]  # fmt: skip
    assert Pupil(sen=Pupil.SEN.SUPPORT).flags == ["SEN support"]
    assert Pupil().flags == []
    assert breakdowns.DIMENSIONS["eal"].section_title == "By English as an additional language"
    assert breakdowns.DIMENSIONS["cin"].label_of("yes") == "Has a social worker"
    assert breakdowns.DIMENSIONS["sen"].section_title == "By SEND"


def test_one_band_vocabulary():
    """No band's label, family wording, colour or class is spelt out outside
    registers/bands.py (the pages' and the letters' colours come from {% band_styles %})."""
    from registers import bands

    root = Path(__file__).resolve().parents[2]
    spelt = {f".band-{b.value} {{" for b in bands.Band} | {f'"band-{b.value}"' for b in bands.Band}
    spelt |= {f"band band-{b.value}" for b in bands.Band}
    for w in bands.WORDS.values():
        spelt |= {w.label, w.family_meaning}
    texts = [*_sources()]
    for pattern in ("templates/**/*.html", "static/css/*.css", "static/letters/*.css"):
        texts += [(str(p.relative_to(root)), p.read_text()) for p in root.glob(pattern)]
    found = {
        (path, word)
        for path, text in texts
        for word in spelt
        if word in text and path != "registers/bands.py"
    }
    assert found == set()


def test_the_bands_everywhere_are_the_same():
    from escalation import rules
    from escalation.models import PupilFigure
    from registers import bands, rates
    from reporting import disclosure

    assert rates.Band is bands.Band
    assert PupilFigure.Band.values == ["", *(b.value for b in bands.Band)]
    assert PupilFigure.Band("persistent").label == "Persistent absence"
    assert {bands.Band.MONITOR, bands.Band.CONCERN, *bands.NATIONAL} == rules.BELOW_TARGET_BANDS
    assert disclosure.NOT_PERSISTENT_BANDS == ("expected", "monitor", "concern")
    assert [bands.worst_first(b) for b in (bands.Band.SEVERE, bands.Band.EXPECTED, None)] == [
        0,
        4,
        5,
    ]
    assert ".band-monitor { background: #fff8e1; color: #6d4c00; border: 1px solid #f9a825; }" in (
        bands.page_css()
    )
    assert ".band-none { background: #9e9e9e; }" in bands.letter_css()
    line = bands.key_line(
        bands.Band.CONCERN, target_pct=Decimal("96.00"), formal_pct=Decimal("92.50")
    )
    assert (line[0].short, line[1]) == ("Formal meeting", "under 92.5%")
