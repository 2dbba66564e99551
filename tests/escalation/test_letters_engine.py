"""The letters engine without a database: placeholders, validation, escaping, the rules
behind adapted letters, the calculator and the chart geometry."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from escalation import letters
from escalation.letters import (
    KIND_PLACEHOLDERS,
    Addressee,
    ChartBar,
    LetterContext,
    adapted_reason,
    default_wording,
    fill,
    placeholder_values,
    render_letter_html,
    text_to_html,
    validate_wording,
)
from escalation.models import LetterKind
from registers.rates import SessionCounts


def make_context(kind: str = "termly", **changes) -> LetterContext:
    heading, body = default_wording(kind)
    context = LetterContext(
        kind=kind,
        heading_template=heading,
        body_template=body,
        school_name="Oakfield Primary",
        school_urn="123456",
        school_address=("1 Oak Lane", "Oakfield"),
        school_phone="01632 960000",
        la_name="Oakshire Council",
        target_pct=Decimal("96.00"),
        formal_meeting_pct=Decimal("92.00"),
        pupil_first_name="Amelia",
        pupil_name="Amelia Jones",
        upn="A12345678901B",
        date_of_birth=dt.date(2016, 5, 1),
        form="4A",
        year_group="4",
        addressee=Addressee("Grace Jones", ("12 Elm Road", "Oakfield"), "Grace Jones"),
        letter_date=dt.date(2025, 10, 24),
        period="2025/26 Autumn 1",
        as_of=dt.date(2025, 10, 24),
        counts=SessionCounts(possible=76, present=69, authorised=5, unauthorised=2),
        band="concern",
        remaining_sessions=300,
        signatory="Olivia Officer, Attendance officer",
        reasons=(("I", "Illness (not medical or dental appointment)", 5),),
        chart=(ChartBar("Autumn 1", Decimal("90.8"), "concern"),),
    )
    return replace(context, **changes)


class TestValidation:
    def test_it_accepts_every_default_wording(self):
        for kind in LetterKind.values:
            heading, body = default_wording(kind)
            assert validate_wording(heading, kind=kind) == []
            assert validate_wording(body, kind=kind) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Dear {{ pupil_nickname }}",
            "{{ settings.SECRET_KEY }}",
            "{{ pupil_first_name|upper }}",
            "{{pupil.upn}}",
        ],
    )
    def test_it_rejects_unknown_placeholders(self, text):
        errors = validate_wording(text, kind="termly")
        assert errors

    @pytest.mark.parametrize(
        "text",
        [
            "{% load static %}",
            "{% debug %}",
            "{# hidden #}",
            "{{ pupil_first_name }} {{",
            "}} attendance",
            "{%",
        ],
    )
    def test_it_rejects_any_template_code(self, text):
        assert validate_wording(text, kind="termly")

    def test_kind_specific_placeholders_only_where_they_mean_something(self):
        assert validate_wording("{{ improvement_ends_on }}", kind="notice_to_improve") == []
        assert validate_wording("{{ improvement_ends_on }}", kind="termly")
        assert "school_support" in KIND_PLACEHOLDERS["contract"]

    def test_spacing_inside_braces_does_not_matter(self):
        assert validate_wording("{{pupil_first_name}} {{  school_name  }}", kind="termly") == []


class TestFilling:
    def test_it_fills_placeholders_once_and_leaves_values_literal(self):
        values = {"pupil_first_name": "{{ school_name }}", "school_name": "Oakfield"}
        assert fill("Hi {{ pupil_first_name }}", values) == "Hi {{ school_name }}"

    def test_unknown_names_stay_as_typed(self):
        assert fill("{{ nope }}", {}) == "{{ nope }}"

    def test_text_becomes_escaped_paragraphs_and_lists(self):
        html = text_to_html("Hello <b>you</b>\nsecond line\n\n- one\n- two & three")
        assert html == (
            "<p>Hello &lt;b&gt;you&lt;/b&gt;<br>second line</p>\n"
            "<ul><li>one</li><li>two &amp; three</li></ul>"
        )

    def test_injected_template_code_is_printed_never_run(self):
        context = make_context(
            body_template="Dear {{ parent_name }}, {{ settings.SECRET_KEY }} {% load x %}",
            pupil_first_name="<script>alert(1)</script>",
            heading_template="{{ pupil_first_name }}",
        )
        html = render_letter_html(context)
        assert "{{ settings.SECRET_KEY }} {% load x %}" in html
        assert "dev-only-insecure-key" not in html
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestValues:
    def test_figures_days_and_the_calculator(self):
        values = placeholder_values(make_context())
        assert values["attendance_pct"] == "90.8%"
        assert values["target_pct"] == "96%"
        assert values["sessions_missed"] == "7"
        assert values["days_missed"] == "3½"
        # (69 + k) / (76 + k) >= 96% from k = 99 sessions: 50 school days.
        assert values["sessions_to_96"] == "99"
        assert values["days_to_96"] == "50"
        assert values["band_colour"] == "Amber"
        assert values["parent_name"] == "Grace Jones"

    def test_no_contact_reads_parent_or_carer(self):
        context = make_context(addressee=Addressee("The parent or carer of Amelia", (), ""))
        assert placeholder_values(context)["parent_name"] == "The parent or carer of Amelia"

    def test_a_missing_school_phone_still_reads_well(self):
        assert placeholder_values(make_context(school_phone=""))["school_phone"] == (
            "the school office number"
        )


@pytest.mark.parametrize(
    ("contract", "c2", "illness", "ehc", "reason"),
    [
        (False, 0, 0, False, ""),
        (True, 0, 0, False, "Attendance contract in place"),
        (False, 4, 0, False, "Part-time timetable (C2)"),
        (False, 0, 30, False, "Long-term illness"),
        (False, 0, 29, False, ""),
        (False, 0, 0, True, "EHC plan"),
    ],
)
def test_adapted_letters_go_to_families_already_working_with_the_school(
    contract, c2, illness, ehc, reason
):
    assert (
        adapted_reason(
            has_contract=contract,
            part_time_sessions=c2,
            illness_sessions=illness,
            ehc_plan=ehc,
        )
        == reason
    )


def test_the_adapted_letter_has_no_band_and_no_threats():
    html = render_letter_html(make_context("termly_adapted", band="persistent"))
    assert "90.8%" in html
    for word in ("Red", "persistent", "penalty", "legal", "What it takes"):
        assert word not in html


def test_the_standard_termly_letter_shows_the_band_and_what_it_takes():
    html = render_letter_html(make_context())
    assert "Amber" in html and "What it takes" in html
    assert "after 50 school days" in html


def test_the_chart_scales_to_show_the_lines_that_matter():
    bars = (ChartBar("Autumn 1", Decimal("96"), "expected"), ChartBar("Autumn 2", None))
    shapes = letters.chart_shapes(bars, target=Decimal("96"))
    first, second = shapes["bars"]
    assert (first.value, second.value) == ("96%", "–")
    assert first.colour == "#2e7d32"  # green: registers.bands
    assert shapes["target_y"] == first.y  # the bar reaches the target line exactly
    assert shapes["floor"] == "50%"
    low = letters.chart_shapes(
        (ChartBar("Autumn 1", Decimal("31.5"), "severe"),), target=Decimal("96")
    )
    assert low["floor"] == "30%"  # the scale goes down far enough for a severe figure


def test_the_adapted_letter_chart_has_no_warning_colours():
    bars = (ChartBar("Autumn 1", Decimal("60"), "severe"),)
    (bar,) = letters.chart_shapes(bars, target=Decimal("96"), neutral=True)["bars"]
    assert bar.colour == letters.NEUTRAL
