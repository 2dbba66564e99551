"""The span the patterns and counts cover (the pastoral view, a pupil's lessons): this
half-term (the default), this term or the year to date, from the school's half-terms as the
reporting periods read them (reporting/periods.py: the current half-term is the last one
begun; a term is the half-terms of one season, "Autumn 1" and "Autumn 2"). registers may not
import reporting (the layers), so the few lines are here; spans end today at the latest."""

from __future__ import annotations

import datetime as dt

from registers.models import HalfTerm, School

HALF_TERM, TERM, YEAR = "half_term", "term", "ytd"
SPAN_CHOICES = [(HALF_TERM, "This half-term"), (TERM, "This term"), (YEAR, "Year to date")]
FALLBACK_DAYS = 28  # a school without half-terms: the last four weeks


def _season(term: HalfTerm) -> str:
    words = term.name.split()
    return words[0].lower() if words else ""


def span_dates(*, school: School, span: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of `span` (one of SPAN_CHOICES; anything else: this
    half-term) as of `today`."""
    terms = list(HalfTerm.objects.for_school(school).order_by("start_date"))
    started = [t for t in terms if t.start_date <= today]
    if not started:
        return today - dt.timedelta(days=FALLBACK_DAYS), today
    anchor = started[-1]
    year = [t for t in started if t.academic_year_id == anchor.academic_year_id]
    if span == YEAR:
        chosen = year
    elif span == TERM:
        same = [t for t in year if _season(t) == _season(anchor)]
        if len(same) < 2 and len(year) > 1:
            # Names that do not follow "Season n": pair half-terms in order (1–2, 3–4, 5–6).
            index = year.index(anchor)
            same = year[index - index % 2 : index + 1]
        chosen = same
    else:
        chosen = [anchor]
    return chosen[0].start_date, min(today, anchor.end_date)
