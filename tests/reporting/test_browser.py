"""The head's dashboard and the governors' page in Chromium, with screenshots
(test-results/screenshots/dashboard-head.png, governors.png) that a person has looked at.

The live server's "today" cannot be moved (the browser's session cookie would expire),
so the calendar is built around the real date: last half-term, the current half-term
up to yesterday, and the same weeks of last year for the trend.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from escalation.models import Case
from registers.services.calendar import open_sessions
from tests.browser import screenshot
from tests.escalation.factories import CaseFactory
from tests.registers.factories import (
    FormFactory,
    MarkFactory,
    PupilFactory,
    SchoolFactory,
    make_half_term,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ABSENCE = ["I"] * 6 + ["M", "O", "O", "G", "N", "U", "C"]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@pytest.fixture
def busy_school(school):
    """60 pupils in four forms with realistic, seeded absence and contextual groups."""
    rng = random.Random(5)
    today = timezone.localdate()
    this_start = _monday(today) - dt.timedelta(weeks=5)
    last_start = this_start - dt.timedelta(weeks=8)
    make_half_term(school, "Last half-term", last_start, this_start - dt.timedelta(weeks=1, days=3))
    make_half_term(school, "This half-term", this_start, today + dt.timedelta(days=14))
    year_ago = last_start - dt.timedelta(weeks=52)
    make_half_term(school, "Same weeks last year", year_ago, year_ago + dt.timedelta(weeks=14))
    forms = [FormFactory(school=school, name=name) for name in ("5A", "5B", "6A", "6B")]
    pupils = []
    for n in range(60):
        pupils.append(
            PupilFactory(
                school=school,
                form=forms[n % 4],
                year_group="5" if n % 4 < 2 else "6",
                admission_date=year_ago - dt.timedelta(days=400),
                gender="FM"[n % 2],
                pupil_premium=n % 4 == 0,
                fsm=n % 5 == 0,
                sen="K" if n % 7 == 0 else ("E" if n % 19 == 0 else "N"),
                eal=n % 6 == 0,
                cin=n in (3, 17),
                young_carer=n in (8, 21, 33, 41, 50),
            )
        )
    sessions = open_sessions(school=school, start=year_ago, end=today - dt.timedelta(days=1))
    for n, pupil in enumerate(pupils):
        likely = 0.25 if n % 9 == 0 else rng.uniform(0.0, 0.08)
        rows = []
        for day, session in sessions:
            if rng.random() < likely:
                code = rng.choice(ABSENCE)
            else:
                code = "L" if rng.random() < 0.03 else ("/" if session == "AM" else "\\")
            rows.append((day, session, code))
        MarkFactory.create_many(pupil, rows)
    for pupil in pupils[::9][:4]:
        CaseFactory(school=school, pupil=pupil, reason=Case.Reason.BAND, opened_on=this_start)
    return pupils


def _sister_school(trust, urn: str, name: str, likely: float) -> None:
    """Another school of the trust: 25 pupils, marked for the last five weeks."""
    rng = random.Random(urn)
    today = timezone.localdate()
    school = SchoolFactory(urn=urn, name=name, trust=trust, phase="secondary")
    make_half_term(school, "This half-term", _monday(today) - dt.timedelta(weeks=5), today)
    form = FormFactory(school=school, name="7A")
    sessions = open_sessions(school=school, start=today - dt.timedelta(weeks=6), end=today)
    for n in range(25):
        pupil = PupilFactory(school=school, form=form, pupil_premium=n % 3 == 0, sen="NNNK"[n % 4])
        rows = []
        for day, session in sessions[:-2]:
            code = rng.choice(ABSENCE) if rng.random() < likely * (1 + n % 3) else "/"
            rows.append((day, session, code))
        MarkFactory.create_many(pupil, rows)


def _charts_drawn(page) -> int:
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
    return page.evaluate("() => Object.keys(Chart.instances).length")


def test_the_head_sees_the_dashboard_with_charts_and_tables(
    page, sign_in, live_server, school, head, busy_school
):
    sign_in("head")
    page.goto(f"{live_server.url}/s/{school.urn}/reporting/")
    expect(page.get_by_role("heading", name="Attendance dashboard")).to_be_visible()
    canvases = page.locator("canvas[data-chart]").count()
    assert canvases >= 8
    assert _charts_drawn(page) == canvases
    expect(page.get_by_role("table", name="By pupil premium · This half-term")).to_be_visible()
    expect(page.get_by_text("England, all schools: 2023/24 census").first).to_be_visible()
    screenshot(page, "dashboard-head")
    # The summary first: headline figures, changes, questions, then the contents list,
    # whose links move to their section without JavaScript's help.
    page.set_viewport_size({"width": 1366, "height": 900})
    expect(page.get_by_role("heading", name="Questions to ask")).to_be_in_viewport()
    page.screenshot(
        path=str(screenshot(page, "dashboard-head").with_name("dashboard-summary-1366.png"))
    )
    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="Lateness").click()
    expect(page.get_by_role("heading", name="Lateness", exact=True)).to_be_in_viewport()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/s/{school.urn}/reporting/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(
        path=str(screenshot(page, "dashboard-head").with_name("dashboard-summary-390.png"))
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    # Drill down from a group to its pupils.
    page.get_by_role("link", name="Pupil premium", exact=True).click()
    expect(page.get_by_role("heading", name="Pupil premium · This half-term")).to_be_visible()
    assert page.locator("tbody tr").count() == 15


def test_a_governor_sees_figures_and_questions_but_no_pupil(
    page, sign_in, live_server, school, governor, busy_school
):
    sign_in("governor")
    page.goto(f"{live_server.url}/s/{school.urn}/reporting/governors/")
    expect(page.get_by_role("heading", name="Attendance: governors' summary")).to_be_visible()
    assert _charts_drawn(page) == page.locator("canvas[data-chart]").count()
    expect(page.get_by_text("Questions governors might ask").first).to_be_visible()
    expect(page.get_by_text("fewer than 5").first).to_be_visible()
    content = page.content()
    for pupil in busy_school:
        assert pupil.upn not in content and f"{pupil.forename} {pupil.surname}" not in content
    screenshot(page, "governors")


def test_the_trust_view_and_the_celebration_league(
    page, sign_in, live_server, school, trust_lead, teacher, busy_school
):
    _sister_school(school.trust, "223344", "Beechwood High School", 0.04)
    _sister_school(school.trust, "334455", "Cedar Vale Academy", 0.02)
    sign_in("trustlead")
    page.goto(f"{live_server.url}/s/{school.urn}/reporting/trust/")
    expect(
        page.get_by_role("heading", name="Oak Learning Trust: schools side by side")
    ).to_be_visible()
    page.get_by_role("link", name="Attendance (year to date)").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Attendance (year to date)")
    assert _charts_drawn(page) == 1
    screenshot(page, "trust")
    page.context.clear_cookies()
    sign_in("teacher")
    page.goto(f"{live_server.url}/s/{school.urn}/reporting/celebration/")
    expect(page.get_by_role("heading", name="Attendance league")).to_be_visible()
    expect(page.locator("p.celebration-winner[role=status]")).to_contain_text("Well done")
    screenshot(page, "celebration")
