from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from registers import figures, rates
from reporting.celebration import build_league, read_week
from reporting.trust import school_row
from tests.registers.factories import (
    FormFactory,
    MarkFactory,
    PupilFactory,
    SchoolFactory,
    make_half_term,
)
from tests.reporting.conftest import PRESENT, WEEK


@pytest.fixture
def sister_school(trust):
    """A second school of the trust with lower attendance (80%)."""
    school = SchoolFactory(urn="222222", name="Ashgrove Academy", trust=trust)
    make_half_term(school, "Autumn 1", dt.date(2025, 9, 3), dt.date(2025, 10, 24))
    form = FormFactory(school=school, name="7X")
    for _ in range(5):
        MarkFactory.run(
            PupilFactory(school=school, form=form), ["O", "O", *PRESENT[2:]], start=WEEK
        )
    return school


def test_the_trust_view_shows_every_school_of_the_trust_side_by_side(
    client, school, ten_pupils, sister_school, other_school, trust_lead
):
    client.force_login(trust_lead.user)
    response = client.get(reverse("reporting:trust", args=[school.urn]))
    rows = response.context["rows"]
    assert [r.school.name for r in rows] == ["Ashgrove Academy", "Oakfield Primary"]
    assert [r.attendance for r in rows] == [Decimal("80.0"), Decimal("93.0")]
    # Oakfield's 4 pupil-premium pupils are fewer than 5: their gap is withheld for the
    # trust lead, as are its 2 persistently and 1 severely absent pupils (of 10).
    assert [rows[1].pp_gap, rows[1].persistent, rows[1].severe] == ["c", "c", "c"]
    assert rows[0].persistent == Decimal("100.0")
    assert other_school.name not in response.content.decode()


def test_the_trust_view_sorts_by_any_column(client, school, ten_pupils, sister_school, trust_lead):
    client.force_login(trust_lead.user)
    url = reverse("reporting:trust", args=[sister_school.urn])  # any school of the trust
    by_attendance = client.get(url, {"sort": "-attendance"}).context["rows"]
    assert [r.school.urn for r in by_attendance] == ["123456", "222222"]
    html = client.get(url, {"sort": "attendance"}).content.decode()
    assert 'href="?sort=-attendance"' in html  # the active column's link reverses the order
    assert client.get(url, {"sort": "bogus"}).status_code == 200


def test_the_trust_view_exports_csv_and_xlsx(client, school, ten_pupils, sister_school, trust_lead):
    client.force_login(trust_lead.user)
    url = reverse("reporting:trust", args=[school.urn])
    response = client.get(url, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["School", "Pupils", "Attendance (year to date)"]
    assert [r[0] for r in rows[1:]] == ["Ashgrove Academy", "Oakfield Primary"]
    assert client.get(url, {"format": "xlsx"}).content[:2] == b"PK"


def test_the_league_ranks_forms_and_shares_first_place(school, form, other_form):
    third = FormFactory(school=school, name="5C")
    for f, codes in ((form, PRESENT), (other_form, PRESENT), (third, ["I", *PRESENT[1:]])):
        for _ in range(3):
            MarkFactory.run(PupilFactory(school=school, form=f), codes, start=WEEK)
    league = build_league(school=school, monday=dt.date(2025, 9, 8), today=dt.date(2025, 10, 20))
    assert [(r.rank, r.form, r.attendance, r.winner) for r in league.rows] == [
        (1, "4A", Decimal("100.0"), True),
        (1, "4B", Decimal("100.0"), True),
        (3, "5C", Decimal("90.0"), False),
    ]
    assert league.previous == dt.date(2025, 9, 1) and league.following == dt.date(2025, 9, 15)


def test_read_week_takes_any_day_and_ignores_rubbish():
    today = dt.date(2025, 10, 20)
    assert read_week("2025-09-10", today)[0] == dt.date(2025, 9, 8)
    assert read_week("not-a-date", today)[0] == today
    assert read_week(None, dt.date(2025, 10, 23))[0] == today


def test_a_teacher_shows_the_celebration_without_any_pupil_name(
    client, school, ten_pupils, teacher
):
    client.force_login(teacher.user)
    response = client.get(
        reverse("reporting:celebration", args=[school.urn]), {"week": "2025-09-08"}
    )
    html = response.content.decode()
    assert "Well done, 4A" in html and "93.0%" in html
    for pupil in ten_pupils:
        assert pupil.surname not in html and pupil.forename not in html


def test_without_a_week_the_league_shows_last_week_until_this_week_has_registers(
    client, school, form, officer
):
    MarkFactory.run(PupilFactory(school=school, form=form), PRESENT, start=dt.date(2025, 10, 13))
    client.force_login(officer.user)  # today is Monday 20 October: no registers yet
    league = client.get(reverse("reporting:celebration", args=[school.urn])).context["league"]
    assert league.monday == dt.date(2025, 10, 13)
    assert [(r.form, r.attendance) for r in league.rows] == [("4A", Decimal("100.0"))]


def test_the_trust_view_compares_this_half_term_with_the_last(school, form):
    """Year to date, this half-term and the last come from one scan; each must still equal
    the school's own totals over its own calendar."""
    make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    first, second = (PupilFactory(school=school, form=form) for _ in range(2))
    MarkFactory.run(first, PRESENT, start=dt.date(2025, 10, 13))  # Autumn 1: 10 of 10
    MarkFactory.run(second, ["O"] * 4 + PRESENT[4:], start=dt.date(2025, 10, 13))  # 6 of 10
    MarkFactory.run(
        first, ["I", "I", *PRESENT[2:]], start=dt.date(2025, 11, 3)
    )  # Autumn 2: 8 of 10
    MarkFactory.run(second, PRESENT, start=dt.date(2025, 11, 3))  # 10 of 10
    today = dt.date(2025, 11, 14)
    with time_machine.travel(dt.datetime(2025, 11, 14, 12), tick=False):
        row = school_row(school, today, withhold=False)
    assert (row.attendance, row.half_term, row.change) == (
        Decimal("85.0"),  # 34 of 40 sessions
        Decimal("90.0"),  # 18 of 20
        Decimal("10.0"),  # Autumn 1: 16 of 20, 80.0%
    )
    autumn2 = figures.totals(school=school, start=dt.date(2025, 11, 3), end=today)
    assert row.half_term == rates.attendance_pct(autumn2)
    assert row.period_label == "Autumn 2 2025/26"
