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


# -- early leavers ----------------------------------------------------------------------------


def _leave(pupil, officer, kind, at, now=dt.time(15, 0), reason="Dentist, collected by mum"):
    from registers.actors import Actor
    from registers.services.movements import record_movement

    return record_movement(
        pupil=pupil,
        kind=kind,
        day=MONDAY,
        at=at,
        now=now,
        reason=reason,
        actor=Actor.for_membership(officer),
    )


def test_an_early_leaver_is_off_site_until_back_and_each_step_names_who(school, day, officer):
    present = day["Present"]
    _leave(present, officer, "left", dt.time(11, 20))
    forms = {f.name: f for f in fire_list(school=school, day=MONDAY, session="PM").forms}
    assert _names(forms["4A"].on_site) == ["Late"]
    assert forms["4A"].left_early == [(present, "left 11:20: Dentist, collected by mum")]
    _leave(present, officer, "returned", dt.time(12, 5), reason="Back on site")
    forms = {f.name: f for f in fire_list(school=school, day=MONDAY, session="PM").forms}
    assert _names(forms["4A"].on_site) == ["Late", "Present"]
    from registers.models import SiteMovement

    history = SiteMovement.objects.filter(pupil=present).order_by("at")
    assert [(m.kind, m.recorded_by_name, m.recorded_by_role) for m in history] == [
        ("left", officer.user.get_full_name() or officer.user.username, "Attendance officer"),
        ("returned", officer.user.get_full_name() or officer.user.username, "Attendance officer"),
    ]
    # The marks are untouched: the pupil was present at registration.
    assert Mark.objects.get(pupil=present, session="AM").code_id == "/"


def test_leaving_is_refused_twice_in_the_future_without_a_reason_or_back_without_leaving(
    day, officer
):
    from registers.services.movements import MovementError

    present = day["Present"]
    with pytest.raises(MovementError, match="not recorded as having left"):
        _leave(present, officer, "returned", dt.time(11, 0))
    with pytest.raises(MovementError, match="still to come"):
        _leave(present, officer, "left", dt.time(15, 30))
    with pytest.raises(MovementError, match="Give the reason"):
        _leave(present, officer, "left", dt.time(11, 0), reason="  ")
    _leave(present, officer, "left", dt.time(11, 0))
    with pytest.raises(MovementError, match="already recorded as leaving at 11:00"):
        _leave(present, officer, "left", dt.time(11, 30))
    with pytest.raises(MovementError, match="left at 11:00"):
        _leave(present, officer, "returned", dt.time(10, 30))


def test_the_office_records_a_leaver_and_their_return_on_the_page(client, officer, school, day):
    present = day["Present"]
    url = reverse("registers:early_leavers", args=[school.urn])
    fire_url = reverse("registers:fire_list", args=[school.urn])
    client.force_login(officer.user)
    at = dt.datetime.combine(MONDAY, dt.time(13, 40), ZoneInfo("Europe/London"))
    with time_machine.travel(at, tick=False):
        assert present.surname in client.get(url, {"q": "Fenwick"}).content.decode()
        assert "leaves the site" in client.get(url, {"pupil": present.pk}).content.decode()
        data = {"pupil": present.pk, "kind": "left", "at": "13:30", "reason": "Unwell"}
        assert client.post(url, data).status_code == 302
        page = client.get(fire_url).content.decode()
        assert "left 13:30: Unwell" in page
        refused = client.post(url, {**data, "kind": "returned", "at": "13:00"})
        assert refused.status_code == 422 and "left at 13:30" in refused.content.decode()
        back = {**data, "kind": "returned", "at": "13:35", "reason": "Back on site"}
        assert client.post(url, back).status_code == 302
        assert "left 13:30" not in client.get(fire_url).content.decode()
        assert client.post(url, {"pupil": "x"}).status_code == 400
