"""Like-for-like national comparisons (issue 15 part 3; docs/domain.md §6 and §10): the school's
pupils aged 5 to 15 over the year to date beside England's figures and the phase's, each
national figure labelled with its publication, period and status, kept as data."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from reporting import national
from reporting.periods import resolve_period
from reporting.report import build_report
from tests.registers.factories import MarkFactory, PupilFactory
from tests.reporting.conftest import PRESENT, WEEK

TODAY = dt.date(2025, 10, 20)


@pytest.fixture
def primary(school, form):
    """11 pupils of Year 4 (two persistently absent: 18.2%, above the primary 14.6% but
    below England's 20.0%) and 5 Reception children aged 4, absent all week."""
    for n in range(11):
        pupil = PupilFactory(school=school, form=form, upn=f"C{n:011d}1")
        MarkFactory.run(pupil, ["I", *PRESENT[1:]] if n < 2 else PRESENT, start=WEEK)
    for n in range(5):
        child = PupilFactory(
            school=school,
            form=form,
            upn=f"D{n:011d}1",
            year_group="R",
            date_of_birth=dt.date(2021, 1, 1),
        )
        MarkFactory.run(child, ["O"] * 10, start=WEEK)
    return school


def report(school, *, aggregate_only: bool):
    period = resolve_period(school=school, key="ytd", today=TODAY)
    # Staff reports are pupil-level (exact figures); governors' are aggregate and withheld.
    return build_report(
        school=school, period=period, aggregate_only=aggregate_only, pupil_level=not aggregate_only
    )


def rows(table):
    return {str(row[0]).split(" (")[0]: row for row in table.rows}


def test_the_school_column_is_its_pupils_aged_5_to_15(primary):
    built = report(primary, aggregate_only=False)
    table = built.table("national")
    assert table is not None
    by_measure = rows(table)
    assert by_measure["Attendance"][1] == Decimal("98.2")  # 108 of 110: Reception left out
    assert built.headline.attendance < Decimal("70")  # the whole roll, Reception included
    assert by_measure["Persistent absence"][1] == Decimal("18.2")
    assert "11 pupils aged 5 to 15" in table.note


def test_the_phase_rate_sits_beside_englands_for_every_measure_it_has(primary):
    table = report(primary, aggregate_only=False).table("national")
    titles = [c.title for c in table.columns]
    phase = next(i for i, t in enumerate(titles) if "primary schools" in t)
    england = next(i for i, t in enumerate(titles) if "all schools: 2023/24 census" in t)
    by_measure = rows(table)
    assert by_measure["Overall absence"][phase] == Decimal("5.5")
    assert by_measure["Authorised absence"][phase] == Decimal("3.9")
    assert by_measure["Unauthorised absence"][phase] == Decimal("1.6")
    assert by_measure["Persistent absence"][phase] == Decimal("14.6")
    assert by_measure["Persistent absence"][england] == Decimal("20.0")


def test_each_national_figure_is_cited_with_publication_period_and_status(primary):
    note = report(primary, aggregate_only=False).table("national").note
    assert "Pupil absence in schools in England: 2023/24" in note
    assert "2023/24 full year" in note and "accredited official statistics" in note
    assert "Pupil attendance in schools: week 29 2025" in note
    assert "official statistics in development" in note
    assert "https://explore-education-statistics.service.gov.uk/" in note


@pytest.fixture
def larger_primary(school, form):
    """33 pupils of Year 4, 6 persistently absent (18.2%), and 5 Reception children: enough
    pupils on each side of the age line for governors to see the figures."""
    for n in range(33):
        pupil = PupilFactory(school=school, form=form, upn=f"E{n:011d}1")
        MarkFactory.run(pupil, ["I", *PRESENT[1:]] if n < 6 else PRESENT, start=WEEK)
    for n in range(5):
        child = PupilFactory(
            school=school,
            form=form,
            upn=f"F{n:011d}1",
            year_group="R",
            date_of_birth=dt.date(2021, 1, 1),
        )
        MarkFactory.run(child, ["O"] * 10, start=WEEK)
    return school


def test_governors_are_asked_about_persistent_absence_above_the_phase_rate(larger_primary):
    table = report(larger_primary, aggregate_only=True).table("national")
    asked = " ".join(table.questions)
    assert "Persistent absence among pupils aged 5 to 15 is 18.2%, above the 14.6%" in asked
    assert "primary schools" in asked


def test_governors_see_no_small_count_in_the_comparison_nor_by_subtraction(primary):
    """2 of the 11 pupils aged 5 to 15 are persistently absent: a count of 1 to 4, withheld
    as c for governors, while staff see the exact 18.2%."""
    built = report(primary, aggregate_only=True)
    by_measure = rows(built.table("national"))
    assert by_measure["Persistent absence"][1] == "c"
    assert "withheld to protect a small group" in built.table("national").note


def test_a_roll_of_1_to_4_outside_the_age_line_withholds_the_whole_column(school, form):
    for n in range(10):
        MarkFactory.run(
            PupilFactory(school=school, form=form, upn=f"G{n:011d}1"), PRESENT, start=WEEK
        )
    child = PupilFactory(
        school=school,
        form=form,
        upn="H00000000001",
        year_group="R",
        date_of_birth=dt.date(2021, 1, 1),
    )
    MarkFactory.run(child, ["O"] * 10, start=WEEK)
    table = report(school, aggregate_only=True).table("national")
    assert {row[1] for row in table.rows} == {"x"}
    assert "10 pupils" not in table.note
    staff = rows(report(school, aggregate_only=False).table("national"))
    assert staff["Attendance"][1] == Decimal("100.0")


def test_what_the_year_to_date_headline_withholds_the_column_withholds(school, form):
    """All 12 pupils are aged 5 to 15, so the column is the whole roll: with 2 pupils
    persistently absent the headline shows no persistent figure, nor may the column."""
    for n in range(12):
        MarkFactory.run(
            PupilFactory(school=school, form=form, upn=f"K{n:011d}1"),
            ["I", *PRESENT[1:]] if n < 2 else PRESENT,
            start=WEEK,
        )
    built = report(school, aggregate_only=True)
    assert not isinstance(built.headline.persistent, Decimal)
    assert rows(built.table("national"))["Persistent absence"][1] == built.headline.persistent


def test_the_fsm_figures_are_the_autumn_2024_25_release():
    groups = national.load().groups
    fsm, other = groups[("fsm", "yes")], groups[("fsm", "no")]
    assert (fsm.values["absence"], fsm.values["persistent"]) == (Decimal("10.0"), Decimal("31.7"))
    assert (other.values["absence"], other.values["persistent"]) == (
        Decimal("5.2"),
        Decimal("14.4"),
    )
    assert fsm.origin.status == "in_development" and "2025-week-4" in fsm.origin.url


def test_the_figures_are_data_a_newer_file_replaces(settings, tmp_path):
    data = json.loads(national.DEFAULT_FILE.read_text())
    data["figures"][0]["values"]["persistent"] = "19.4"
    newer = tmp_path / "benchmarks.json"
    newer.write_text(json.dumps(data))
    settings.NATIONAL_BENCHMARKS_FILE = str(newer)
    national.load.cache_clear()
    try:
        assert national.england().values["persistent"] == Decimal("19.4")
    finally:
        national.load.cache_clear()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["figures"][0].update(source="nowhere"), "unknown source"),
        (lambda d: d["sources"]["census_2023_24"].update(status="final"), "status must be"),
        (lambda d: d["figures"][0]["values"].update(absence="7,1"), "rates like"),
        (lambda d: d["sources"]["census_2023_24"].pop("url"), "url"),
    ],
)
def test_a_malformed_file_is_refused_with_the_reason(change, message):
    data = json.loads(national.DEFAULT_FILE.read_text())
    change(data)
    with pytest.raises(national.BenchmarkFileError, match=message):
        national.parse(data)


@pytest.mark.parametrize(("persona", "name"), [("head", "dashboard"), ("governor", "governors")])
def test_the_dashboard_and_the_governors_page_show_the_comparison(
    request, login, primary, persona, name
):
    client = login(request.getfixturevalue(persona))
    html = client.get(reverse(f"reporting:{name}", args=[primary.urn]), {"period": "ytd"})
    page = html.content.decode()
    assert "Like for like with England" in page
    assert "pupils aged 5 to 15" in page and "accredited official statistics" in page
