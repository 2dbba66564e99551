"""The local authority's view (issue 18): every school with its LA number side by side,
whatever trust each belongs to, beside the national figures, small numbers withheld as for
trust leads; never a pupil, never another authority's school."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance_portal.navigation import nav_items
from reporting import trust as trust_figures
from tests.registers.factories import (
    FormFactory,
    MarkFactory,
    PupilFactory,
    SchoolFactory,
    TrustFactory,
    make_half_term,
)
from tests.reporting.conftest import PRESENT, WEEK


@pytest.fixture
def neighbour(la_lead):
    """A secondary school of the same local authority in another trust (80% attendance)."""
    school = SchoolFactory(
        urn="333333",
        name="Birchwood High",
        trust=TrustFactory(name="Birch Trust"),
        la_number=la_lead.la_number,
        la_name="Northshire",
        phase="secondary",
    )
    make_half_term(school, "Autumn 1", dt.date(2025, 9, 3), dt.date(2025, 10, 24))
    form = FormFactory(school=school, name="7X")
    for _ in range(6):
        MarkFactory.run(
            PupilFactory(school=school, form=form), ["O", "O", *PRESENT[2:]], start=WEEK
        )
    return school


def _page(client, member, school, **query):
    client.force_login(member.user)
    return client.get(reverse("reporting:local_authority", args=[school.urn]), query)


def test_the_schools_of_the_la_number_side_by_side_whatever_their_trust(
    client, school, ten_pupils, neighbour, other_school, la_lead, other_la
):
    response = _page(client, la_lead, school)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.school.name for r in rows] == ["Birchwood High", "Oakfield Primary"]
    assert [r.attendance for r in rows] == [Decimal("80.0"), Decimal("93.0")]
    # Oakfield's 2 persistently and 1 severely absent pupils (of 10) and its 4 pupil
    # premium pupils are withheld, as for a trust lead.
    assert [rows[1].pp_gap, rows[1].persistent, rows[1].severe] == ["c", "c", "c"]
    html = response.content.decode()
    assert other_school.name not in html
    assert "Northshire: schools side by side" in html
    for pupil in ten_pupils:
        assert pupil.surname not in html and pupil.upn not in html
    # The national figures: England, then each phase the LA's schools have.
    comparison = [row[0] for row in response.context["comparison"].rows]
    assert len(comparison) == 3
    assert "(England)" in comparison[0]
    assert "(primary)" in comparison[1] and "(secondary)" in comparison[2]
    # Any school of the authority opens it; another authority's member is an outsider.
    assert _page(client, la_lead, neighbour).context["rows"] == rows
    assert _page(client, other_la, school).status_code == 404
    assert _page(client, la_lead, other_school).status_code == 404


def test_it_downloads_as_csv_and_xlsx(client, school, ten_pupils, neighbour, la_lead):
    exported = _page(client, la_lead, school, format="csv", table="schools")
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["School", "Pupils", "Attendance (year to date)"]
    assert [r[0] for r in rows[1:]] == ["Birchwood High", "Oakfield Primary"]
    assert _page(client, la_lead, school, format="csv", table="national").status_code == 200
    workbook = _page(client, la_lead, school, format="xlsx")
    assert workbook.content[:2] == b"PK"


def test_it_is_the_trust_views_figures_for_another_set_of_schools(
    client, school, ten_pupils, neighbour, la_lead, monkeypatch
):
    """One computation behind both views: whatever reporting.trust.school_row becomes (the
    stored figures of issue 18), the local authority's view follows it."""
    asked = []
    original = trust_figures.school_row

    def spy(school, today, **kwargs):
        asked.append(school.urn)
        return original(school, today, **kwargs)

    monkeypatch.setattr(trust_figures, "school_row", spy)
    _page(client, la_lead, school)
    assert sorted(asked) == ["123456", "333333"]


def test_the_la_starts_on_its_view_and_sees_only_figures_in_the_navigation(
    client, school, neighbour, la_lead, rf
):
    client.force_login(la_lead.user)
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home.url == reverse("reporting:local_authority", args=[neighbour.urn])
    labels = [item.label for item in nav_items(la_lead, school.urn, "")]
    assert labels == ["Governors", "Local authority"]
    # No pupil-level page lets it in.
    pupils = client.get(reverse("registers:pupils", args=[school.urn]))
    assert pupils.status_code == 403
