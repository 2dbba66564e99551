"""The register pages in a real browser, on a tablet's screen, and with the keyboard alone.

The live server runs in a thread of this process but its "today" cannot be moved (the
browser's session cookie would expire), so the calendar is built around the real date:
a half-term from three weeks before to three weeks after it. Teachers take only today's
register; on a weekend the test takes Friday's register as the attendance officer instead.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from registers.actors import Actor
from registers.models import Mark, MarkAmendment
from registers.services.marks import Entry, record_mark, save_register
from tests.browser import screenshot, sessions_begun_just_now
from tests.registers.factories import PupilFactory, make_half_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


NAMES = [
    ("Amara", "Okafor", {"pupil_premium": True, "fsm": True}),
    ("Ben", "Carter", {}),
    ("Chloe", "Davies", {"sen": "K"}),
    ("Dylan", "Evans", {"eal": True}),
    ("Ella", "Fisher", {"cin": True}),
    ("Finn", "Green", {}),
    ("Grace", "Hughes", {"young_carer": True}),
    ("Harry", "Iqbal", {"cla": True}),
]


@pytest.fixture
def register_day() -> dt.date:
    """Today, or the Friday before if today is a weekend."""
    today = timezone.localdate()
    return today - dt.timedelta(days=max(today.weekday() - 4, 0))


@pytest.fixture
def class_4a(school, form, register_day):
    make_half_term(
        school,
        "Around today",
        register_day - dt.timedelta(days=21),
        register_day + dt.timedelta(days=21),
    )
    return [
        PupilFactory(school=school, form=form, forename=f, surname=s, **flags)
        for f, s, flags in NAMES
    ]


@pytest.fixture(autouse=True)
def sessions_just_begun(school, register_day):
    """On a school day the sessions began minutes ago, so the teacher's path runs at any hour."""
    if register_day == timezone.localdate():
        sessions_begun_just_now(school)


@pytest.fixture
def taker(teacher, officer, register_day):
    """Who takes the register in the browser: the teacher on a school day."""
    return teacher if register_day == timezone.localdate() else officer


def register_url(live_server, form, day: dt.date, session: str = "AM") -> str:
    return f"{live_server.url}/s/{form.school.urn}/registers/{form.pk}/{day.isoformat()}/{session}/"


def test_a_teacher_marks_all_present_changes_two_and_saves(
    page, sign_in, live_server, form, class_4a, taker, register_day
):
    sign_in(taker.user.username)
    # Teachers and officers land on the day's registers.
    page.goto(f"{live_server.url}/s/{form.school.urn}/registers/?date={register_day.isoformat()}")
    expect(page.get_by_role("heading", name="Registers")).to_be_visible()
    screenshot(page, "register-day-teacher")
    page.get_by_role("link", name="Take the 4A AM register").click()
    page.wait_for_load_state("networkidle")
    unmarked = page.locator("[data-unmarked-count]").first
    assert unmarked.inner_text() == "8"
    assert page.locator("tr.register-row.unmarked").count() == 8
    screenshot(page, "register-teacher-empty")

    page.get_by_role("button", name=re.compile("Mark all unmarked present")).click()
    assert unmarked.inner_text() == "0"
    assert page.locator("tr.register-row.unmarked").count() == 0
    expect(page.get_by_text("8 marked present. Not saved yet")).to_be_visible()

    late, unknown = class_4a[1], class_4a[3]  # Ben Carter, Dylan Evans
    page.get_by_label(f"Mark for {late.name}").select_option("L")
    page.get_by_label(f"Minutes late for {late.name}").fill("10")
    page.get_by_label(f"Comment for {late.name}").fill("Bus was late")
    page.get_by_label(f"Mark for {unknown.name}").select_option("N")
    screenshot(page, "register-teacher")

    page.get_by_role("button", name="Save register").click()
    expect(
        page.get_by_text("Saved the AM register of 4A: 7 present, 1 absent, 1 late (8 new).")
    ).to_be_visible()
    screenshot(page, "register-teacher-saved")

    marks = {m.pupil_id: m for m in Mark.objects.filter(date=register_day, session="AM")}
    assert len(marks) == 8
    assert (marks[late.pk].code_id, marks[late.pk].minutes_late) == ("L", 10)
    assert marks[late.pk].comment == "Bus was late"
    assert marks[unknown.pk].code_id == "N"
    assert {m.code_id for p, m in marks.items() if p not in (late.pk, unknown.pk)} == {"/"}
    assert {m.recorded_by_id for m in marks.values()} == {taker.user.pk}


def test_the_register_works_with_the_keyboard_alone_on_a_portrait_tablet(
    page, sign_in, live_server, form, class_4a, taker, register_day
):
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(taker.user.username)
    page.goto(register_url(live_server, form, register_day))
    page.wait_for_load_state("networkidle")

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    first, second = class_4a[0], class_4a[1]  # Amara Okafor, Ben Carter (name order: Carter…)
    tab_to("[data-fill-present]")
    page.keyboard.press("Space")
    assert page.locator("[data-unmarked-count]").first.inner_text() == "0"

    # In name order Ben Carter comes first: give him N by typing the code's letter (the
    # grid then moves to the next pupil), then go back up to add a comment.
    tab_to(f"select[name='p{second.pk}-code']")
    page.keyboard.press("n")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")  # minutes late
    page.keyboard.press("Tab")  # comment
    page.keyboard.type("No call yet")
    tab_to(f"select[name='p{first.pk}-code']")
    page.keyboard.press("l")  # L goes straight to the minutes
    page.keyboard.type("7")
    # The focus ring must be visible: an outline on the focused control.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    screenshot(page, "register-keyboard-768")

    tab_to("button.btn-primary[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Saved the AM register of 4A")).to_be_visible()
    screenshot(page, "register-keyboard-768-saved")

    marks = {m.pupil_id: m for m in Mark.objects.filter(date=register_day, session="AM")}
    assert (marks[second.pk].code_id, marks[second.pk].comment) == ("N", "No call yet")
    assert (marks[first.pk].code_id, marks[first.pk].minutes_late) == ("L", 7)
    assert len(marks) == 8


def test_a_stale_save_keeps_the_office_mark_and_offers_the_teachers_beside_it(
    page, sign_in, live_server, form, class_4a, taker, officer, register_day
):
    sign_in(taker.user.username)
    page.goto(register_url(live_server, form, register_day))
    page.get_by_role("button", name=re.compile("Mark all unmarked present")).click()
    ben = class_4a[1]
    page.get_by_label(f"Mark for {ben.name}").select_option("N")
    # Meanwhile the office records Ben as ill and saves the register.
    save_register(
        form=form,
        day=register_day,
        session="AM",
        entries=[Entry(ben.pk, "I", comment="Mum phoned")],
        actor=Actor.for_membership(officer),
        expected_version=0,
    )
    page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text("Someone else changed this register")).to_be_visible()
    # Both changed Ben: the office's mark is the starting point, the teacher's is offered.
    expect(page.get_by_label(f"Mark for {ben.name}")).to_have_value("I")
    expect(page.get_by_label(f"Comment for {ben.name}")).to_have_value("Mum phoned")
    expect(page.get_by_text("You chose: N (not applied)")).to_be_visible()
    expect(page.locator("tr.register-row.conflict")).to_have_count(1)
    # The teacher's present marks for everyone else are put back.
    expect(page.get_by_label(f"Mark for {class_4a[0].name}")).to_have_value("/")
    screenshot(page, "register-stale")
    assert Mark.objects.filter(date=register_day).count() == 1  # only the office's mark

    page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text("Saved the AM register of 4A")).to_be_visible()
    marks = {m.pupil_id: m.code_id for m in Mark.objects.filter(date=register_day)}
    assert marks[ben.pk] == "I" and len(marks) == 8


def test_an_office_correction_survives_a_teachers_save_and_second_click(
    page, sign_in, live_server, form, class_4a, taker, officer, register_day
):
    """Issue 22: the register taken, the teacher has it open, the office corrects one
    pupil; the teacher records a late arrival and saves, twice."""
    amara, ben = class_4a[0], class_4a[1]
    save_register(
        form=form,
        day=register_day,
        session="AM",
        entries=[Entry(p.pk, "/") for p in class_4a if p != ben] + [Entry(ben.pk, "N")],
        actor=Actor.for_membership(taker),
        expected_version=0,
    )
    sign_in(taker.user.username)
    page.goto(register_url(live_server, form, register_day))
    record_mark(
        pupil=ben,
        day=register_day,
        session="AM",
        entry=Entry(ben.pk, "I"),
        actor=Actor.for_membership(officer),
        reason="Parent phoned: ill",
    )
    page.get_by_label(f"Mark for {amara.name}").select_option("L")
    page.get_by_label(f"Minutes late for {amara.name}").fill("10")
    page.get_by_label("Reason for changing recorded marks").fill("Arrived 9:10")
    page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text("Someone else changed this register")).to_be_visible()
    expect(page.get_by_label(f"Mark for {ben.name}")).to_have_value("I")
    expect(page.locator("tr.register-row.changed-meanwhile")).to_have_count(1)
    expect(page.get_by_label(f"Mark for {amara.name}")).to_have_value("L")
    expect(page.get_by_label(f"Minutes late for {amara.name}")).to_have_value("10")
    screenshot(page, "register-stale-office-correction")

    page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text("Saved the AM register of 4A")).to_be_visible()
    marks = {m.pupil_id: m for m in Mark.objects.filter(date=register_day)}
    assert marks[ben.pk].code_id == "I"
    assert (marks[amara.pk].code_id, marks[amara.pk].minutes_late) == ("L", 10)
    ben_history = MarkAmendment.objects.filter(pupil=ben).values_list("new_code", "reason")
    assert list(ben_history) == [("I", "Parent phoned: ill")]


# On SQLite the flush is a DELETE, which the append-only trigger on the history refuses.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="flushes amendment history")
def test_the_office_sees_missing_registers_and_a_pupils_year(
    page, sign_in, live_server, school, form, other_form, class_4a, officer, register_day
):
    PupilFactory(school=school, form=other_form, forename="Isla", surname="Jones")
    pupil = class_4a[0]
    actor = Actor.for_membership(officer)
    # Three weeks of marks with some absence, and one mark changed with a reason.
    pattern = ["/", "/", "L", "/", "I", "/", "/", "N", "/", "M", "/", "/", "V", "/", "G"]
    day, i = register_day - dt.timedelta(days=21), 0
    while day < register_day:
        if day.weekday() < 5:
            for session in ("AM", "PM"):
                code = pattern[i % len(pattern)]
                code = "\\" if code == "/" and session == "PM" else code
                minutes = 12 if code == "L" else None
                entry = Entry(pupil.pk, code, minutes_late=minutes)
                record_mark(pupil=pupil, day=day, session=session, entry=entry, actor=actor)
                i += 1
        day += dt.timedelta(days=1)
    first_n = Mark.objects.filter(pupil=pupil, code_id="N").order_by("date").first()
    record_mark(
        pupil=pupil,
        day=first_n.date,
        session=first_n.session,
        entry=Entry(pupil.pk, "I"),
        actor=actor,
        reason="Dad phoned: tonsillitis",
    )

    sign_in("officer")
    page.goto(f"{live_server.url}/s/{school.urn}/registers/?date={register_day.isoformat()}")
    screenshot(page, "register-day-officer")
    page.get_by_role("link", name=re.compile("Missing or with blanks")).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("table.day-table tbody tr").count() == 2
    screenshot(page, "register-day-officer-missing")

    page.goto(f"{live_server.url}/s/{school.urn}/pupils/?q=okafor")
    page.get_by_role("link", name="Okafor, Amara").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Dad phoned: tonsillitis")).to_be_visible()
    assert page.locator(".cal .half.cat-unauthorised_absence").count() >= 1
    screenshot(page, "pupil-officer")

    # Change the last G to O from the grid.
    page.locator(".cal a.half.cat-unauthorised_absence").last.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("combobox", name="Mark").select_option("O")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("This field is required")).to_be_visible()  # no reason given
    page.get_by_label("Reason for the change").fill("Holiday not agreed; parents told")
    screenshot(page, "pupil-amend")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Recorded O for Amara Okafor")).to_be_visible()
    assert MarkAmendment.objects.filter(new_code="O", changed_by=officer.user).exists()
