"""The bands: one vocabulary for every rule, page, report, export and letter.

A pupil's band is decided by registers.rates.band (the national lines first, then the
school's target and formal-meeting line); this module says what each band is called for
each audience, in which order bands come, and which colour each has on a page and in a
letter to a family. Nothing else spells a band's words or colours: the pages' and the
letters' `.band-*` styles are generated from it (registers.templatetags.bands).

Pure: no ORM, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Band(StrEnum):
    """Best to worst: the members' order is the bands' order everywhere."""

    EXPECTED = "expected"
    MONITOR = "monitor"
    CONCERN = "concern"
    PERSISTENT = "persistent"
    SEVERE = "severe"


@dataclass(frozen=True)
class BandWords:
    """One band for every audience. `key` is the Band value ("" for no possible sessions)."""

    key: str
    label: str  # staff: reports, exports, titles
    short: str  # staff: table cells and the pill on a page
    record: str  # the stored nightly figure's choice label (escalation's PupilFigure.band)
    key_text: str  # the lists' key beside the pill; {target} / {formal} are the school's %
    family_colour: str  # letters: the colour named to a family
    family_meaning: str  # letters: what it means; {target} / {formal} as "96%"
    letter_colour: str  # letters: the pill and the chart's bar (white text on it)
    page_background: str  # pages: the pill (dark text on a light tint, for contrast)
    page_text: str
    page_border: str  # "" for none

    @property
    def band(self) -> Band | None:
        return Band(self.key) if self.key else None

    @property
    def css(self) -> str:
        return f"band-{self.key or 'none'}"


NO_SESSIONS = BandWords(
    key="",
    label="No sessions yet",
    short="No sessions",
    record="No possible sessions",
    key_text="no possible sessions yet",
    family_colour="Grey",
    family_meaning="No attendance recorded yet this year.",
    letter_colour="#9e9e9e",
    page_background="#eee",
    page_text="#444",
    page_border="",
)

WORDS: dict[Band, BandWords] = {
    Band.EXPECTED: BandWords(
        key=Band.EXPECTED,
        label="At or above the school's target",
        short="At target",
        record="Expected",
        key_text="at or above {target}%",
        family_colour="Green",
        family_meaning="At or above our target of {target}. Thank you!",
        letter_colour="#2e7d32",
        page_background="#e8f5e9",
        page_text="#1b5e20",
        page_border="",
    ),
    Band.MONITOR: BandWords(
        key=Band.MONITOR,
        label="Below target: monitored",
        short="Below target",
        record="Monitor",
        key_text="under {target}%",
        family_colour="Yellow",
        family_meaning="Below our target of {target}: we keep an eye on it and can help.",
        letter_colour="#b08600",
        page_background="#fff8e1",
        page_text="#6d4c00",
        page_border="#f9a825",
    ),
    Band.CONCERN: BandWords(
        key=Band.CONCERN,
        label="Below the formal-meeting line",
        short="Formal meeting",
        record="Concern",
        key_text="under {formal}%",
        family_colour="Amber",
        family_meaning="Below {formal}: we meet every family to agree how we can help.",
        letter_colour="#e65100",
        page_background="#fff3e0",
        page_text="#8a3a00",
        page_border="#ef6c00",
    ),
    Band.PERSISTENT: BandWords(
        key=Band.PERSISTENT,
        label="Persistent absence (10% or more missed)",
        short="Persistent",
        record="Persistent absence",
        key_text="10% or more missed",
        family_colour="Red",
        family_meaning="Persistent absence: 10% or more of school missed.",
        letter_colour="#c62828",
        page_background="#ffebee",
        page_text="#8e0000",
        page_border="#c62828",
    ),
    Band.SEVERE: BandWords(
        key=Band.SEVERE,
        label="Severe absence (50% or more missed)",
        short="Severe",
        record="Severe absence",
        key_text="50% or more missed",
        family_colour="Dark red",
        family_meaning="Severe absence: half or more of school missed.",
        letter_colour="#7f0000",
        page_background="#8e0000",
        page_text="#fff",
        page_border="",
    ),
}

BAND_LABELS: dict[Band, str] = {b: w.label for b, w in WORDS.items()}
# 0 for the best band, one more for each worse one (the enum's order).
SEVERITY: dict[Band, int] = {b: n for n, b in enumerate(Band)}
WORST_FIRST: tuple[Band, ...] = tuple(reversed(Band))
BELOW_TARGET: frozenset[Band] = frozenset(b for b in Band if SEVERITY[b] > 0)
# The national bands (DfE's lines); the school's own three add up to the rest of the roll.
NATIONAL: tuple[Band, ...] = (Band.PERSISTENT, Band.SEVERE)
SCHOOL: tuple[Band, ...] = tuple(b for b in Band if b not in NATIONAL)


def worst_first(band: Band | None) -> int:
    """A sort key: the worst band first, no band (no possible sessions) last."""
    return len(WORST_FIRST) if band is None else WORST_FIRST.index(band)


def words(band: Band | str | None) -> BandWords:
    """The words and colours of a band, given as a Band, its value, or ''/None for none."""
    if not band:
        return NO_SESSIONS
    return WORDS[Band(band)]


def _pct(value: Decimal) -> str:
    """96.00 as "96", 95.50 as "95.5" (as the template filter floatformat:"-1")."""
    return f"{Decimal(value).quantize(Decimal('0.1')).normalize():f}"


def key_line(band: Band, *, target_pct: Decimal, formal_pct: Decimal) -> tuple[BandWords, str]:
    """A line of a list's key: the band, and what it means at this school."""
    w = WORDS[band]
    return w, w.key_text.format(target=_pct(target_pct), formal=_pct(formal_pct))


def label(key: str) -> str:
    """The staff label of a band value; anything else is returned as it is."""
    return WORDS[Band(key)].label if key in Band._value2member_map_ else key


def _rule(selector: str, declarations: dict[str, str]) -> str:
    body = " ".join(f"{k}: {v};" for k, v in declarations.items() if v)
    return f"{selector} {{ {body} }}"


def page_css() -> str:
    """The pages' `.band-*` colours (the pill's shape is in static/css/lists.css)."""
    return "\n".join(
        _rule(
            f".{w.css}",
            {
                "background": w.page_background,
                "color": w.page_text,
                "border": f"1px solid {w.page_border}" if w.page_border else "",
            },
        )
        for w in (*WORDS.values(), NO_SESSIONS)
    )


def letter_css() -> str:
    """The letters' `.band-*` colours (the pill's shape is in static/letters/letter.css)."""
    return "\n".join(
        _rule(f".{w.css}", {"background": w.letter_colour}) for w in (*WORDS.values(), NO_SESSIONS)
    )
