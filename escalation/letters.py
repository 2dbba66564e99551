"""The letters engine: wording with named placeholders, and rendering to HTML and PDF.

Pure: no ORM, no files written. The services build a LetterContext from the database and
store the bytes render_letter_pdf returns (docs/style.md rules 15 and 17).

Schools edit the wording of each kind as plain text with {{ named_placeholders }}. It is
filled in here by a single regular-expression pass and then HTML-escaped: it never goes
near Django's template engine, so no template code a user types can run, and a value can
never smuggle in another placeholder.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape

from attendance_portal.pdf import render_pdf
from registers import bands
from registers.rates import (
    SessionCounts,
    band_lines,
    projected_pct,
    sessions_to_reach,
    shown_pct,
)

__all__ = [
    "KIND_PLACEHOLDERS",
    "PLACEHOLDERS",
    "Addressee",
    "ChartBar",
    "LetterContext",
    "adapted_reason",
    "default_wording",
    "fill",
    "render_letter_html",
    "render_letter_pdf",
    "validate_wording",
]

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
# Anything that looks like template syntax: {{ … }}, {% … %}, {# … #} and their halves.
TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
STYLESHEET = Path(settings.BASE_DIR) / "static" / "letters" / "letter.css"
WORDING = Path(settings.BASE_DIR) / "templates" / "letters" / "wording"


# --- The context: everything a letter shows, read by the services ----------------------


@dataclass(frozen=True)
class Addressee:
    name: str  # the address block's first line
    address_lines: tuple[str, ...] = ()
    salutation: str = ""  # "Dear …"; the name when empty


@dataclass(frozen=True)
class ChartBar:
    label: str  # "Autumn 1"
    pct: Decimal | None  # attendance within that half-term
    band: str = ""  # registers.rates.Band value


@dataclass(frozen=True)
class LetterContext:
    kind: str
    heading_template: str
    body_template: str
    school_name: str
    school_urn: str
    school_address: tuple[str, ...]
    school_phone: str
    la_name: str
    target_pct: Decimal
    formal_meeting_pct: Decimal
    pupil_first_name: str
    pupil_name: str
    upn: str
    date_of_birth: dt.date
    form: str
    year_group: str
    addressee: Addressee
    letter_date: dt.date
    period: str
    as_of: dt.date
    counts: SessionCounts
    band: str  # registers.rates.Band value, "" without possible sessions
    remaining_sessions: int  # open sessions left this academic year, for the calculator
    signatory: str
    reasons: tuple[tuple[str, str, int], ...] = ()  # (code, meaning, sessions), most first
    chart: tuple[ChartBar, ...] = ()
    # Kind-specific details, as {placeholder name: text} and rows for the pack's tables.
    extra: dict[str, str] = field(default_factory=dict)
    marks: tuple[tuple[dt.date, tuple[tuple[str, str], ...]], ...] = ()  # Monday, 10 (code, css)
    timeline: tuple[tuple[dt.date, str, str, str], ...] = ()  # day, action, summary, actor
    contacts: tuple[tuple[str, str, str, str], ...] = ()  # name, relationship, phone, address
    support: tuple[tuple[dt.date, str], ...] = ()  # day, what was offered or agreed
    # Of compulsory school age on the day the figures run to: only then does a letter speak
    # of the parent's legal duty (s7 Education Act 1996); otherwise, the school's
    # expectations (docs/domain.md §10).
    school_age: bool = True


# --- Placeholders -------------------------------------------------------------------------

PLACEHOLDERS: dict[str, str] = {
    "parent_name": "Who the letter is addressed to (the first contact)",
    "pupil_first_name": "The pupil's first name",
    "pupil_name": "The pupil's full name",
    "form": "The pupil's form",
    "school_name": "The school's name",
    "school_phone": "The school's phone number",
    "signatory": "Who signs the letter, with their role",
    "date": "The date of the letter",
    "period": "The period, e.g. 2025/26 Autumn 1",
    "as_of_date": "The day the figures run to",
    "attendance_pct": "Attendance this school year, e.g. 94.7%",
    "half_term_pct": "Attendance in the latest half-term",
    "target_pct": "The school's attendance target, e.g. 96%",
    "formal_meeting_pct": "The line below which the school meets the family, e.g. 92%",
    "possible_sessions": "Sessions so far this year (two a day)",
    "sessions_missed": "Sessions missed this year",
    "days_missed": "Days missed this year",
    "authorised_sessions": "Sessions of authorised absence",
    "unauthorised_sessions": "Sessions of unauthorised absence",
    "band_colour": "The colour band, e.g. Amber",
    "band_meaning": "What the colour band means",
    "sessions_to_target": "Sessions of full attendance to get back to the target",
    "days_to_target": "School days of full attendance to get back to the target",
    "sessions_to_96": "Sessions of full attendance to get back to 96%",
    "days_to_96": "School days of full attendance to get back to 96%",
    "attendance_duty": (
        "The parent's legal duty (s7 Education Act 1996) for a pupil of compulsory school "
        "age; the school's expectations for a pupil who is not"
    ),
}
CONTRACT_PLACEHOLDERS: dict[str, str] = {
    "contract_agreed_on": "The day the contract was agreed",
    "contract_target_pct": "The contract's attendance target",
    "contract_review_on": "The day the contract will be reviewed",
    "barriers": "Barriers to attendance found together",
    "school_support": "The support the school will give",
    "family_commitments": "What the family agreed to do",
}
WINDOW_PLACEHOLDERS: dict[str, str] = {
    "window_unauthorised_sessions": (
        "Sessions of unauthorised absence (G, N, O, U, of compulsory school age) in the "
        "last 10 school weeks: the penalty-notice threshold's count"
    ),
    "window_start": "The first school day of the 10-week window",
    "window_end": "The last school day of the 10-week window",
}
NOTICE_PLACEHOLDERS: dict[str, str] = {
    "notice_issued_on": "The day the notice starts",
    "improvement_school_days": "Length of the improvement period in school days",
    "improvement_ends_on": "The last day of the improvement period",
    "support_given": "The support given so far, as typed on the notice",
    "further_support": "The further support on offer",
    "sufficient_improvement": "What sufficient improvement looks like",
    "la_name": "The local authority",
    **WINDOW_PLACEHOLDERS,
}
PACK_PLACEHOLDERS: dict[str, str] = {
    "la_name": "The local authority",
    "upn": "The pupil's UPN",
    "date_of_birth": "The pupil's date of birth",
    **WINDOW_PLACEHOLDERS,
}
KINDS = (
    "termly",
    "termly_adapted",
    "first_concern",
    "meeting_invitation",
    "contract",
    "notice_to_improve",
    "penalty_referral_pack",
    "improvement",
)
KIND_PLACEHOLDERS: dict[str, dict[str, str]] = {kind: PLACEHOLDERS for kind in KINDS} | {
    "contract": PLACEHOLDERS | CONTRACT_PLACEHOLDERS,
    "notice_to_improve": PLACEHOLDERS | NOTICE_PLACEHOLDERS,
    "penalty_referral_pack": PLACEHOLDERS | PACK_PLACEHOLDERS,
}


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{value.normalize():f}%"


def _days(sessions: int | None) -> str:
    if sessions is None:
        return "–"
    whole, half = divmod(sessions, 2)
    return f"{whole}½" if half else str(whole)


def _date(day: dt.date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "–"


def attendance_duty(c: LetterContext) -> str:
    """The law only for families of pupils of compulsory school age; the school's
    expectations for nursery, Reception before it and sixth-form pupils."""
    if c.school_age:
        return (
            f"{c.pupil_first_name} is of compulsory school age, so by law (section 7 of the "
            "Education Act 1996) parents must make sure that they receive a suitable "
            "full-time education, which for a pupil registered at a school means attending "
            "regularly: children must attend every day that the school is open unless there "
            "is a good reason."
        )
    return (
        f"{c.pupil_first_name} is not of compulsory school age, but as a pupil on our roll "
        "we expect them to attend every day that the school is open, on time, unless there "
        "is a good reason: regular attendance matters for their learning and friendships."
    )


def placeholder_values(c: LetterContext) -> dict[str, str]:
    """Every placeholder's text for this letter (never empty, so no sentence reads oddly)."""
    target, formal = _pct(c.target_pct), _pct(c.formal_meeting_pct)
    # What the colour band means to a family (the school's policy lines come from School).
    band = bands.words(c.band)
    to_target = sessions_to_reach(c.counts, line_pct=c.target_pct)
    to_96 = sessions_to_reach(c.counts, line_pct=Decimal(96))
    latest = next((b.pct for b in reversed(c.chart) if b.pct is not None), None)
    return {
        "parent_name": c.addressee.salutation or c.addressee.name,
        "pupil_first_name": c.pupil_first_name,
        "pupil_name": c.pupil_name,
        "form": c.form or "–",
        "school_name": c.school_name,
        "school_phone": c.school_phone or "the school office number",
        "signatory": c.signatory,
        "date": _date(c.letter_date),
        "period": c.period,
        "as_of_date": _date(c.as_of),
        "attendance_pct": shown_pct(
            c.counts.attended,
            c.counts.possible,
            lines=band_lines(target_pct=c.target_pct, formal_pct=c.formal_meeting_pct),
        ),
        "half_term_pct": _pct(latest),
        "target_pct": target,
        "formal_meeting_pct": formal,
        "possible_sessions": str(c.counts.possible),
        "sessions_missed": str(c.counts.absent),
        "days_missed": _days(c.counts.absent),
        "authorised_sessions": str(c.counts.authorised),
        "unauthorised_sessions": str(c.counts.unauthorised),
        "band_colour": band.family_colour,
        "band_meaning": band.family_meaning.format(target=target, formal=formal),
        "sessions_to_target": "–" if to_target is None else str(to_target),
        "days_to_target": _days(None if to_target is None else to_target + to_target % 2),
        "sessions_to_96": "–" if to_96 is None else str(to_96),
        "days_to_96": _days(None if to_96 is None else to_96 + to_96 % 2),
        "la_name": c.la_name or "the local authority",
        "upn": c.upn,
        "date_of_birth": _date(c.date_of_birth),
        "attendance_duty": attendance_duty(c),
        **{k: v or "–" for k, v in c.extra.items()},
    }


@cache
def default_wording(kind: str) -> tuple[str, str]:
    """(heading, body) of the default wording: templates/letters/wording/<kind>.txt, whose
    first line is the heading and the rest, after a blank line, the body."""
    heading, _, body = (WORDING / f"{kind}.txt").read_text(encoding="utf-8").partition("\n")
    return heading.strip(), body.strip() + "\n"


# --- Wording: validation and filling ---------------------------------------------------


def validate_wording(text: str, *, kind: str) -> list[str]:
    """Problems with a school's wording: unknown placeholders and any other template code."""
    allowed = KIND_PLACEHOLDERS[kind]
    errors: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        if match.group(1) not in allowed:
            errors.append(f"{match.group(0)} is not a placeholder this letter can use.")
    leftover = PLACEHOLDER.sub("", text)
    for token in sorted(set(TEMPLATE_SYNTAX.findall(leftover))):
        errors.append(
            f"“{token}” is not allowed: use only the placeholders listed, "
            "written like {{ pupil_first_name }}."
        )
    return errors


def fill(text: str, values: dict[str, str]) -> str:
    """The wording with its placeholders replaced, as plain text (not yet escaped).

    One pass: a value containing "{{ … }}" stays literal text. An unknown name (wording
    saved before a placeholder was withdrawn) is left as typed, so nothing is lost silently.
    """
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def text_to_html(text: str) -> str:
    """Plain text to escaped HTML: blank lines separate paragraphs, "- " lines are bullets."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if lines and all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line.lstrip()[2:].strip())}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines:
            blocks.append("<p>" + "<br>".join(escape(line.strip()) for line in lines) + "</p>")
    return "\n".join(blocks)


# --- Rules --------------------------------------------------------------------------------

# Long-term illness: the local authority's sickness return starts at 15 school days
# (docs/domain.md §3), i.e. 30 sessions coded I this year.
ILLNESS_SESSIONS = 30


def adapted_reason(
    *, has_contract: bool, part_time_sessions: int, illness_sessions: int, ehc_plan: bool
) -> str:
    """Why a family gets the adapted termly letter ("" for the standard one).

    Families already working with the school (docs/domain.md §9): an attendance contract on an
    open case, a part-time timetable (any C2 mark this year), long-term illness, or an EHC
    plan (a medical or care plan the school already works to).
    """
    if has_contract:
        return "Attendance contract in place"
    if part_time_sessions:
        return "Part-time timetable (C2)"
    if illness_sessions >= ILLNESS_SESSIONS:
        return "Long-term illness"
    if ehc_plan:
        return "EHC plan"
    return ""


# --- Chart ------------------------------------------------------------------------------

NEUTRAL = "#4f6d8a"  # the adapted letter: no warning colours


@dataclass(frozen=True)
class BarShape:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str
    value: str


def chart_shapes(
    bars: tuple[ChartBar, ...],
    *,
    target: Decimal,
    neutral: bool = False,
    width: float = 370,
    height: float = 80,
) -> dict:
    """Geometry of the half-term bar chart (SVG user units), drawn by letters/_chart.html.

    Shapes only: the figures and half-term names sit in an HTML row under the bars, which
    WeasyPrint lays out far faster than SVG text (a fifth of a letter's rendering time).
    The scale starts at 50% (lower if a bar needs it) so that the difference between 92%
    and 97%, which is what families need to see, is visible.
    """
    floor = 50.0
    known = [float(b.pct) for b in bars if b.pct is not None]
    if known and min(known) < floor:
        floor = max(0.0, (min(known) // 10) * 10)
    top, bottom = 4.0, height - 1.0
    slot = width / max(len(bars), 1)
    bar_width = min(slot * 0.5, 60.0)

    def y_of(pct: float) -> float:
        return round(top + (bottom - top) * (100.0 - pct) / (100.0 - floor), 1)

    shapes = []
    for n, bar in enumerate(bars):
        y = y_of(float(bar.pct) if bar.pct is not None else floor)
        shapes.append(
            BarShape(
                x=round(n * slot + (slot - bar_width) / 2, 1),
                y=y,
                width=round(bar_width, 1),
                height=round(bottom - y, 1),
                colour=NEUTRAL if neutral else bands.words(bar.band).letter_colour,
                label=bar.label,
                value=_pct(bar.pct) if bar.pct is not None else "–",
            )
        )
    return {
        "width": width,
        "height": height,
        "top": y_of(100.0),
        "baseline": bottom,
        "bars": shapes,
        "target_y": y_of(float(target)),
        "target": _pct(target),
        "floor": f"{floor:.0f}%",
    }


# --- Rendering ------------------------------------------------------------------------


def calculator(c: LetterContext) -> dict:
    """The attendance calculator for the letter: what it takes to get back to the target."""
    sessions = sessions_to_reach(c.counts, line_pct=c.target_pct)
    return {
        "empty": c.counts.possible == 0,  # nothing to calculate from yet
        "reached": sessions == 0,
        "in_year": sessions is not None and 0 < sessions <= c.remaining_sessions,
        "days": _days(None if sessions is None else sessions + sessions % 2),
        "projected": _pct(projected_pct(c.counts, remaining_sessions=c.remaining_sessions)),
    }


def render_letter_html(context: LetterContext, *, stylesheet_url: str | None = None) -> str:
    """The letter as an HTML document. With stylesheet_url (the browser preview) the print
    stylesheet is linked; render_letter_pdf passes it to WeasyPrint instead."""
    values = placeholder_values(context)
    template = f"letters/{context.kind}.html"
    return render_to_string(
        template,
        {
            "c": context,
            "v": values,
            "initials": "".join(w[0] for w in context.school_name.split() if w[:1].isupper())[:3],
            "calc": calculator(context),
            "heading": fill(context.heading_template, values),
            "body_html": text_to_html(fill(context.body_template, values)),
            "chart": chart_shapes(
                context.chart, target=context.target_pct, neutral=context.kind == "termly_adapted"
            )
            if context.chart
            else None,
            "stylesheet_url": stylesheet_url,
        },
    )


def render_letter_pdf(context: LetterContext) -> bytes:
    """The letter as A4 PDF bytes. Side-effect free: nothing is read from or written to the
    database or storage here."""
    return render_pdf(render_letter_html(context), stylesheet=STYLESHEET)
