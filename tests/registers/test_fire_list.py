"""The fire / evacuation list (issue 17): present marks and late arrivals, less early
leavers, the unregistered apart; one section (printed page) per form."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from registers.models import Mark
from registers.selectors.fire import fire_list
from tests.registers.factories import PupilFactory

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2025, 10, 20)


@pytest.fixture
def day(school, form, other_form):
    def pupil(name, form):
        return PupilFactory(school=school, form=form, forename=name, surname="Fenwick")

    people = {
        n: pupil(n, f)
        for n, f in [
            ("Present", form),
            ("Late", form),
            ("VeryLate", other_form),
            ("Absent", form),
            ("LeftEarly", other_form),
            ("Unmarked", other_form),
        ]
    }
    marks = {
        ("Present", "AM"): "/",
        ("Late", "AM"): "L",
        ("VeryLate", "AM"): "U",
        ("Absent", "AM"): "I",
        ("LeftEarly", "AM"): "/",
        ("LeftEarly", "PM"): "M",
    }
    for (name, session), code in marks.items():
        Mark.objects.create(
            school=school, pupil=people[name], date=MONDAY, session=session, code_id=code
        )
    return people


def _names(rows):
    return sorted(p.forename for p, _ in rows)


def test_on_site_in_the_afternoon(school, day):
    found = fire_list(school=school, day=MONDAY, session="PM")
    forms = {f.name: f for f in found.forms}
    assert _names(forms["4A"].on_site) == ["Late", "Present"]
    assert _names(forms["4B"].on_site) == ["VeryLate"]
    assert _names(forms["4B"].left_early) == ["LeftEarly"]
    assert [p.forename for p in forms["4B"].unknown] == ["Unmarked"]
    assert found.on_site == 3


def test_in_the_morning_the_early_leaver_is_still_on_site(school, day):
    found = fire_list(school=school, day=MONDAY, session="AM")
    assert found.on_site == 4


def test_the_page_prints_a_section_per_form(client, officer, school, day):
    with time_machine.travel(dt.datetime(2025, 10, 20, 14, 0, tzinfo=ZoneInfo("Europe/London"))):
        client.force_login(officer.user)
        page = client.get(reverse("registers:fire_list", args=[school.urn])).content.decode()
    assert page.count('class="fire-form"') == 2
    assert "3 pupils on site" in page and "1 not registered yet" in page
    assert "Fenwick, LeftEarly (M)" in page


@pytest.mark.browser
def test_fire_list_and_late_book_fit_a_phone(page, live_server, officer, school, day):
    from tests.browser import screenshot

    officer.user.set_password("password")
    officer.user.save()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(officer.user.username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    for name, path in [
        ("fire-list-phone", reverse("registers:fire_list", args=[school.urn])),
        ("late-book-phone", reverse("registers:late_book", args=[school.urn]) + "?q=Fenwick"),
    ]:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (name, width)
        screenshot(page, name)
