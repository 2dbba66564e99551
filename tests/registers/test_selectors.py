"""The register screens' reads, without the views."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_portal.permissions import visible_forms
from registers import selectors
from registers.actors import Actor
from registers.models import AcademicYear, Form
from registers.selectors.day import RegisterState, register_state
from registers.selectors.pupils import choose_year
from registers.services.marks import Entry, record_mark, save_register
from tests.registers.factories import PupilFactory

MONDAY = dt.date(2025, 9, 8)


@pytest.mark.parametrize(
    ("is_open", "due", "taken", "on_roll", "unmarked", "expected"),
    [
        (False, True, False, 5, 5, RegisterState.CLOSED),
        (True, True, False, 0, 0, RegisterState.NO_PUPILS),
        (True, True, True, 5, 0, RegisterState.TAKEN),
        (True, True, True, 5, 2, RegisterState.BLANKS),
        (True, True, False, 5, 5, RegisterState.MISSING),
        (True, True, False, 5, 0, RegisterState.MARKED),
        (True, False, False, 5, 5, RegisterState.NOT_DUE),
    ],
)
def test_register_state(is_open, due, taken, on_roll, unmarked, expected):
    state = register_state(
        is_open=is_open, due=due, taken=taken, on_roll=on_roll, unmarked=unmarked
    )
    assert state is expected


def test_day_overview_counts_only_pupils_on_roll_that_day(officer, form):
    school = form.school
    here = [PupilFactory(school=school, form=form) for _ in range(2)]
    PupilFactory(school=school, form=form, admission_date=dt.date(2025, 9, 9))  # starts later
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(here[0].pk, "/"), Entry(here[1].pk, "G")],
        actor=Actor.for_membership(officer),
        expected_version=0,
    )
    overview = selectors.day_overview(
        school=school, forms=visible_forms(officer, school), day=MONDAY, today=MONDAY
    )
    [row] = overview.rows
    assert row.on_roll == 2
    assert (row.am.attending, row.am.absent, row.am.unmarked, row.am.state) == (
        1,
        1,
        0,
        RegisterState.TAKEN,
    )
    assert row.pm.state is RegisterState.MISSING
    assert overview.attention_count == 1
    assert overview.needing_attention() == [row]


def test_day_overview_of_a_non_school_day_has_no_rows(school, form):
    overview = selectors.day_overview(
        school=school,
        forms=Form.objects.for_school(school),
        day=dt.date(2025, 9, 6),
        today=MONDAY,
    )
    assert not overview.is_school_day and overview.rows == []
    assert overview.next == MONDAY


def test_register_sheet_orders_pupils_and_attaches_marks(officer, form):
    school = form.school
    zed = PupilFactory(school=school, form=form, surname="Zed")
    abe = PupilFactory(school=school, form=form, surname="Abe")
    record_mark(
        pupil=zed,
        day=MONDAY,
        session="AM",
        entry=Entry(zed.pk, "M"),
        actor=Actor.for_membership(officer),
    )
    sheet = selectors.register_sheet(school=school, form=form, day=MONDAY, session="AM")
    assert [row.pupil for row in sheet.rows] == [abe, zed]
    assert sheet.rows[1].mark.code_id == "M"
    assert sheet.rows[1].css == "cat-authorised_absence"
    # record_mark advanced the register's version (creating the register, untaken).
    assert (sheet.version, sheet.unmarked_count, sheet.present_code) == (1, 1, "/")
    assert sheet.closed_message == ""


def test_choose_year_prefers_the_request_then_today_then_an_earlier_year(school):
    years = list(AcademicYear.objects.for_school(school))  # 2025 only
    assert choose_year(years, 2025, MONDAY) == 2025
    assert choose_year(years, 2019, MONDAY) == 2025
    assert choose_year(years, None, dt.date(2026, 9, 1)) == 2025
    assert choose_year([], None, MONDAY) == 2025


def test_pupil_list_matches_every_word(school, form):
    ada = PupilFactory(school=school, form=form, forename="Ada", surname="Lovelace")
    PupilFactory(school=school, form=form, forename="Ada", surname="Byron")
    found = selectors.pupil_list(pupils=form.school.pupils.all(), today=MONDAY, search="ada love")
    assert list(found) == [ada]
