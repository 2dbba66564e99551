"""reporting.disclosure applied: trust leads get it as governors do, a cell hidden only to
protect another says so truthfully, and a headline percentage of 1–4 pupils is withheld."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.registers.factories import MarkFactory, PupilFactory
from tests.reporting.conftest import PRESENT, WEEK

SMALL, PROTECTED = "c", "x"  # reporting.disclosure's symbols, as printed
SEVERE = ["O"] * 6 + PRESENT[6:]  # 60% missed
PERSISTENT = ["O", *PRESENT[1:]]  # 10% missed


def _rows(response) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {r[0]: r[1:] for r in rows[1:]}


@pytest.fixture
def looked_after_two(school, form):
    """122 pupils: 4 looked after, 2 of them persistently absent, and 118 who are not;
    one pupil (not looked after) is severely absent."""
    for n in range(122):
        cla = n < 4
        codes = PERSISTENT if n in (0, 1) else (SEVERE if n == 60 else PRESENT)
        if n in range(10, 20):
            codes = PERSISTENT  # enough persistent absence for the headline to show it
        MarkFactory.run(PupilFactory(school=school, form=form, cla=cla), codes, start=WEEK)


def test_a_large_group_hidden_only_to_protect_a_small_one_never_says_fewer_than_5(
    client, school, looked_after_two, governor
):
    client.force_login(governor.user)
    url = reverse("reporting:governors", args=[school.urn])
    report = client.get(url).context["report"]
    cla = {row[0]: row for row in report.table("cla").rows}
    assert cla["Looked after"][1] == SMALL
    assert cla["Not looked after"][1] == PROTECTED  # 118 pupils
    assert getattr(cla["Not looked after"][1], "reason", "") == "not shown to protect a small group"
    html = client.get(url).content.decode()
    assert '<th scope="row">Not looked after</th><td class="num suppressed">x</td>' in html
    assert "x: not shown to protect a small group" in html
    exported = _rows(client.get(url, {"format": "csv", "table": "cla"}))
    assert exported["Not looked after"][0] == "x"
    assert not any("fewer" in cell for cell in exported["Not looked after"])


def test_a_headline_percentage_of_1_to_4_pupils_is_withheld_everywhere(
    client, school, looked_after_two, governor
):
    client.force_login(governor.user)
    url = reverse("reporting:governors", args=[school.urn])
    report = client.get(url).context["report"]
    headline = {row[0]: row[1] for row in report.table("headline").rows}
    # 1 severe of 122 pupils would be "0.8%": × 122 = 1 pupil. It shows c instead.
    assert headline["Severe absence (50% or more missed)"] == SMALL
    assert headline["Persistent absence (10% or more missed)"] == Decimal("10.7")  # 13 of 122
    assert report.headline.severe == SMALL
    html = client.get(url).content.decode()
    row = '<th scope="row">Severe absence (50% or more missed)</th><td class="num suppressed">c'
    assert row in html
    assert '<abbr class="withheld" title="fewer than 5 pupils, not shown">c</abbr>' in html
    exported = _rows(client.get(url, {"format": "csv", "table": "headline"}))
    assert exported["Severe absence (50% or more missed)"][0] == "c"
    # The band table agrees, and its persistent band (12) is hidden too: 13 − 12 = 1.
    bands = {row[0]: row[1] for row in report.table("bands").rows}
    assert bands["Severe absence (50% or more missed)"] == SMALL
    assert bands["Persistent absence (10% or more missed)"] == PROTECTED
    pdf = client.get(reverse("reporting:governors_pdf", args=[school.urn]))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Severe absence (50% or more missed) c" in " ".join(text.split())
    assert "c: fewer than 5 pupils, not shown" in text


def test_five_or_more_pupils_are_shown_exactly():
    from reporting import disclosure

    p = disclosure.plan(
        120, 20, 5, {"expected": 90, "monitor": 5, "concern": 5, "persistent": 15, "severe": 5}
    )
    assert p.headline == {} and p.bands == {}


def test_trust_leads_get_the_same_protection_on_the_dashboard_and_every_export(
    client, school, looked_after_two, trust_lead
):
    """The issue's "Looked after: 2 pupils, 50% persistent", as a trust lead saw it."""
    client.force_login(trust_lead.user)
    url = reverse("reporting:dashboard", args=[school.urn])
    response = client.get(url)
    report = response.context["report"]
    cla = {row[0]: row[1:] for row in report.table("cla").rows}
    assert cla["Looked after"][0] == SMALL and all(c in ("c", "x") for c in cla["Looked after"])
    assert report.withheld
    assert "How these figures protect pupils" in response.content.decode()
    assert report.table("matrix") is None  # the band-to-band counts are staff only
    exported = _rows(client.get(url, {"format": "csv", "table": "cla"}))
    assert exported["Looked after"][:6] == ["c"] * 6
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    sheet = {r[0]: r[1:] for r in book["By looked after"].iter_rows(values_only=True)}
    assert sheet["Looked after"][:6] == ("c",) * 6
    pdf = client.get(url, {"format": "pdf"})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Looked after c c c c c c" in text
    # The trust view: the school's 1 severely absent pupil is withheld there too.
    trust = client.get(reverse("reporting:trust", args=[school.urn]))
    (row,) = trust.context["rows"]
    assert row.severe == SMALL and row.persistent == Decimal("10.7")
    trust_csv = _rows(client.get(reverse("reporting:trust", args=[school.urn]), {"format": "csv"}))
    assert trust_csv["Oakfield Primary"][7] == "c"


def test_staff_keep_exact_figures(client, school, looked_after_two, head):
    client.force_login(head.user)
    report = client.get(reverse("reporting:dashboard", args=[school.urn])).context["report"]
    assert not report.withheld
    assert report.headline.severe == Decimal("0.8")
    cla = {row[0]: row for row in report.table("cla").rows}
    assert cla["Looked after"][1] == 4 and cla["Looked after"][5] == Decimal("50.0")


def test_a_school_of_fewer_than_5_pupils_shows_nothing_about_them(
    client, school, form, governor, trust_lead
):
    for codes in (SEVERE, PRESENT, ["I", *PRESENT[1:]]):
        MarkFactory.run(PupilFactory(school=school, form=form), codes, start=WEEK)
    client.force_login(governor.user)
    report = client.get(reverse("reporting:governors", args=[school.urn])).context["report"]
    # Not even the sessions by reason or by weekday: with 3 pupils they are theirs.
    assert [t.name for t in report.tables] == ["headline"]
    assert {row[1] for row in report.tables[0].rows} == {SMALL}
    client.force_login(trust_lead.user)
    trust = client.get(reverse("reporting:trust", args=[school.urn]))
    (row,) = trust.context["rows"]
    assert {row.pupils, row.attendance, row.persistent, row.severe, row.pp_gap} == {SMALL}
