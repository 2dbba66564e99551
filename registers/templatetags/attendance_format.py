"""{{ counts|shown_pct:school }}: an attendance figure as registers.rates.shown_pct shows it,
never on the wrong side of the band beside it (96.0% next to "below 96%")."""

from __future__ import annotations

from django import template

from registers import rates

register = template.Library()


@register.filter
def shown_pct(counts, school) -> str:
    """`counts` is a SessionCounts or a stored figure (possible, present, aea)."""
    if counts is None:
        return "–"
    if not isinstance(counts, rates.SessionCounts):
        counts = rates.SessionCounts(
            possible=counts.possible, present=counts.present, aea=counts.aea
        )
    return rates.shown_pct_for(counts, school)
