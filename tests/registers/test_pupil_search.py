"""The navigation bar's pupil search (issue 17): scoped, by name or UPN, keyboard-friendly."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.registers.factories import PupilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(school, form, other_form, other_school):
    return {
        "own": PupilFactory(
            school=school, form=form, forename="Wilhelmina", surname="Ashgrove", upn="K12345678901A"
        ),
        "other_form": PupilFactory(
            school=school, form=other_form, forename="Wilhelmina", surname="Birchley"
        ),
        "other_school": PupilFactory(school=other_school, forename="Wilhelmina", surname="Cobb"),
    }


def _names(client, school, q):
    response = client.get(reverse("registers:pupil_search", args=[school.urn]), {"q": q})
    assert response.status_code == 200
    return [r["name"] for r in response.json()["results"]]


def test_officer_finds_pupils_of_their_school_by_name_and_upn(client, officer, school, named):
    client.force_login(officer.user)
    assert _names(client, school, "wilhel") == ["Wilhelmina Ashgrove", "Wilhelmina Birchley"]
    assert _names(client, school, "K1234") == ["Wilhelmina Ashgrove"]
    assert _names(client, school, "wilhelmina ash") == ["Wilhelmina Ashgrove"]
    # One letter lists nobody; nor does a name from another school.
    assert _names(client, school, "w") == []
    assert _names(client, school, "Cobb") == []


def test_teacher_finds_only_their_forms_pupils(client, teacher, school, named):
    client.force_login(teacher.user)
    assert _names(client, school, "Wilhelmina") == ["Wilhelmina Ashgrove"]
    body = client.get(reverse("registers:pupil_search", args=[school.urn]), {"q": "Wil"}).json()
    assert body["results"][0]["url"] == reverse(
        "registers:pupil", args=[school.urn, named["own"].pk]
    )


def test_the_search_box_is_on_staff_pages_only(client, teacher, governor, school):
    client.force_login(teacher.user)
    page = client.get(reverse("registers:day", args=[school.urn])).content.decode()
    assert 'role="search"' in page and reverse("registers:pupil_search", args=[school.urn]) in page
    client.force_login(governor.user)
    page = client.get(reverse("reporting:governors", args=[school.urn])).content.decode()
    assert 'role="search"' not in page


@pytest.mark.browser
def test_keyboard_search_from_the_navigation_bar(page, live_server, officer, school, named):
    from tests.browser import screenshot

    officer.user.set_password("password")
    officer.user.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(officer.user.username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}{reverse('registers:day', args=[school.urn])}")
    box = page.get_by_role("combobox", name="Find a pupil by name or UPN")
    box.focus()
    page.keyboard.type("Wilhel")
    options = page.get_by_role("option")
    options.first.wait_for()
    assert options.count() == 2
    screenshot(page, "pupil-search-desktop")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "nav-pupil-1"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('registers:pupil', args=[school.urn, named['other_form'].pk])}")
    assert "Birchley" in page.content()


def test_the_pupil_list_shows_this_years_attendance(client, officer, school, named):
    """Issue 17: attendance % in pupil lists, formatted as every page formats it."""
    import datetime as dt

    import time_machine

    from tests.registers.factories import MarkFactory

    pupil = named["own"]
    for day, code in [(dt.date(2025, 10, 13), "/"), (dt.date(2025, 10, 14), "O")]:
        MarkFactory(school=school, pupil=pupil, date=day, session="AM", code_id=code)
    with time_machine.travel(dt.datetime(2025, 10, 20, 12), tick=False):
        client.force_login(officer.user)
        page = client.get(reverse("registers:pupils", args=[school.urn]), {"q": "Ashgrove"})
    body = page.content.decode()
    assert "Attendance this year" in body and "50.0%" in body
