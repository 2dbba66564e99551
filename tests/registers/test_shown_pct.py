"""A 96.0% beside a "below 96%" band (issue 15 §5): every page and letter shows the figure
through registers.rates.shown_pct, one more decimal where the rounded one would mislead."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from escalation.letters import placeholder_values
from registers import rates
from registers.rates import SessionCounts
from tests.escalation.test_letters_engine import make_context
from tests.registers.factories import MarkFactory, make_half_term

LINES = rates.band_lines(target_pct=Decimal("96"), formal_pct=Decimal("92"))


@pytest.mark.parametrize(
    ("attended", "possible", "shown"),
    [
        (95, 99, "95.96%"),  # 95.9596…: "96.0%" would say it met the 96% target
        (96, 100, "96.0%"),  # exactly on the line: one decimal, as ever
        (24, 25, "96.0%"),
        (947, 1000, "94.7%"),  # nowhere near a line
        (9004, 10000, "90.04%"),  # "90.0%" would read as persistent absence
        (9, 10, "90.0%"),  # exactly 10% missed: persistent, and it says so
        (5001, 10000, "50.01%"),  # not severe
        (11499, 12000, "95.8%"),  # 95.825: below the line and shown below it
        (959999, 1000000, "just below 96%"),  # even 96.00% would mislead
        (91999, 100000, "just below 92%"),
        (0, 0, "–"),
    ],
)
def test_shown_pct(attended, possible, shown):
    assert rates.shown_pct(attended, possible, lines=LINES) == shown


def test_a_letter_never_says_96_percent_below_the_96_percent_target():
    counts = SessionCounts(possible=99, present=95, unauthorised=4)
    values = placeholder_values(make_context(counts=counts, band="monitor"))
    assert values["attendance_pct"] == "95.96%"


def test_the_pupil_page_shows_the_extra_decimal(login, officer, school, pupil):
    make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    MarkFactory.run(pupil, ["/"] * 95 + ["N"] * 4, start=dt.date(2025, 9, 3))
    client = login(officer)
    url = reverse("registers:pupil", args=[school.urn, pupil.pk])
    page = client.get(url, {"year": 2025}).content.decode()
    assert "95.96%" in page
    assert "96.0%" not in page


def test_the_sweeps_case_timeline_reads_the_figure_the_same_way(school):
    from escalation.services.sweep_steps import figure

    night = figure(school, 1, SessionCounts(possible=99, present=95, unauthorised=4))
    assert night.band == "monitor" and night.attendance == Decimal("96.0")  # stored, as ever
    assert night.shown == "95.96%"  # what the "Letter queued" entry says
