"""The lesson register journey in a real browser: the timetable imported, a teacher takes a
lesson register (keyboard grid and palette of the AM/PM register), and the attendance
officer sees the internal-truancy alert and records what happened.

The live server's "today" cannot be moved, so the calendar is built around the real date,
with a period running all day; on a weekend the officer takes Friday's register instead.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from registers.lessons.models import Lesson, TruancyAlert
from tests.browser import screenshot
from tests.registers.factories import MarkFactory, PupilFactory, make_half_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [("Amara", "Okafor"), ("Ben", "Carter"), ("Chloe", "Davies"), ("Dylan", "Evans")]


def test_a_teacher_takes_a_lesson_register_and_the_officer_sees_the_alert(
    page, sign_in, live_server, school, form, teacher, officer, tmp_path
):
    today = timezone.localdate()
    day = today - dt.timedelta(days=max(today.weekday() - 4, 0))
    make_half_term(school, "Around today", day - dt.timedelta(days=7), day + dt.timedelta(days=7))
    pupils = [PupilFactory(school=school, form=form, forename=f, surname=s) for f, s in NAMES]
    truant, ill = pupils[0], pupils[2]
    for pupil in pupils:
        MarkFactory(pupil=pupil, date=day, session="AM", code_id="I" if pupil == ill else "/")
    (tmp_path / "periods.csv").write_text("name,session,start_time,end_time\nP1,AM,00:00,23:59\n")
    (tmp_path / "classes.csv").write_text(
        "class_code,subject,teacher_username,day,period,week\n"
        + "".join(
            f"4A/Ma,Maths,teacher,{d},P1,A\n"
            for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
        )
    )
    (tmp_path / "members.csv").write_text(
        "class_code,upn\n" + "".join(f"4A/Ma,{p.upn}\n" for p in pupils)
    )
    call_command(
        "import_timetable",
        "--school",
        school.urn,
        *(str(tmp_path / f) for f in ("periods.csv", "classes.csv", "members.csv")),
    )

    taker = teacher if day == today else officer
    sign_in(taker.user.username)
    page.goto(f"{live_server.url}/s/{school.urn}/lessons/?date={day.isoformat()}")
    expect(page.get_by_role("heading", name="My lessons")).to_be_visible()
    if taker == teacher:
        page.get_by_role("link", name="Take register").click()
    else:  # Friday's register, past: only the office may still take it
        lesson = Lesson.objects.get(day=day.isoweekday())
        page.goto(f"{live_server.url}/s/{school.urn}/lessons/{lesson.pk}/{day.isoformat()}/")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Statutory code for the session: not asked here.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Mark all unmarked present")).click()
    assert page.locator("[data-unmarked-count]").first.inner_text() == "0"
    # The keyboard grid: on Amara's mark, A is absent.
    page.get_by_label(f"Mark for {truant.name}").focus()
    page.keyboard.press("a")
    assert page.get_by_label(f"Mark for {truant.name}").input_value() == "A"
    screenshot(page, "lesson-register")
    page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text(re.compile("the attendance office has been alerted"))).to_be_visible()

    page.context.clear_cookies()
    sign_in(officer.user.username)
    page.goto(f"{live_server.url}/s/{school.urn}/lessons/alerts/?date={day.isoformat()}")
    row = page.locator("#truancy-alerts tbody tr").first
    expect(row).to_contain_text("Okafor, Amara")
    expect(row).to_contain_text("P1 Maths")
    screenshot(page, "lesson-alerts")
    row.get_by_role("link").click()
    page.get_by_label("Outcome").select_option("found")
    page.get_by_label("Note").fill("In the library")
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator("[data-status]")).to_have_text("Found on site and returned to lessons")
    alert = TruancyAlert.objects.get()
    assert (alert.pupil_id, alert.outcome) == (truant.pk, "found")
    assert alert.events.last().actor_id == officer.user_id
