# ruff: noqa: F811 (pytest fixtures imported from test_register_browser are parameters here)
"""The register by keyboard and on a phone (issue 17), in a real browser.

Key presses are counted from the moment the register page has loaded: "all present and
save" in at most 3, the test task (all present, three absences with different codes, one
late arrival with its minutes, save) in at most 20. SIMS users expect to type a code on a
pupil and land on the next one; ↓ must never change a mark.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from registers.models import Mark
from tests.browser import screenshot
from tests.registers.test_register_browser import (  # noqa: F401 (fixtures)
    class_4a,
    register_day,
    register_url,
    taker,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Keys:
    """page.keyboard.press, counted."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)
            self.count += 1


def open_register(page, sign_in, live_server, form, taker, day):
    sign_in(taker.user.username)
    page.goto(register_url(live_server, form, day))
    page.wait_for_load_state("networkidle")
    return Keys(page)


def test_all_present_and_save_takes_at_most_three_key_presses(
    page, sign_in, live_server, form, class_4a, taker, register_day
):
    keys = open_register(page, sign_in, live_server, form, taker, register_day)
    keys.press("Enter")  # "Mark all unmarked present", where the page starts
    with page.expect_navigation():
        keys.press("Enter")  # save
    expect(page.get_by_text("Saved the AM register of 4A: 8 present, 0 absent")).to_be_visible()
    assert keys.count <= 3
    marks = Mark.objects.filter(date=register_day, session="AM")
    assert sorted(marks.values_list("code_id", flat=True)) == ["/"] * 8


def test_the_test_task_takes_at_most_twenty_key_presses(
    page, sign_in, live_server, form, class_4a, taker, register_day
):
    # Name order: Carter, Davies, Evans, Fisher, Green, Hughes, Iqbal, Okafor.
    by_name = {p.surname: p for p in class_4a}
    keys = open_register(page, sign_in, live_server, form, taker, register_day)
    keys.press("Enter")  # everyone present; the grid is on Carter
    keys.press("ArrowDown")  # Davies: the arrow moves, it does not change the mark
    expect(page.get_by_label(f"Mark for {by_name['Carter'].name}")).to_have_value("/")
    keys.press("n")  # Davies N, on to Evans
    keys.press("m")  # Evans M, on to Fisher
    keys.press("ArrowDown")  # Green
    keys.press("i")  # Green I, on to Hughes
    keys.press("l")  # Hughes L: the minutes late are next
    keys.press("1", "0")
    expect(page.get_by_label(f"Mark for {by_name['Fisher'].name}")).to_have_value("/")
    screenshot(page, "register-keyboard-task")
    with page.expect_navigation():
        keys.press("Enter")
    expect(
        page.get_by_text("Saved the AM register of 4A: 5 present, 3 absent, 1 late")
    ).to_be_visible()
    assert keys.count <= 20
    marks = {
        m.pupil_id: (m.code_id, m.minutes_late)
        for m in Mark.objects.filter(date=register_day, session="AM")
    }
    assert marks == {p.pk: ("/", None) for p in class_4a} | {
        by_name["Davies"].pk: ("N", None),
        by_name["Evans"].pk: ("M", None),
        by_name["Green"].pk: ("I", None),
        by_name["Hughes"].pk: ("L", 10),
    }


def test_escape_puts_a_pupils_mark_back_and_leaving_with_changes_asks_first(
    page, sign_in, live_server, form, class_4a, taker, register_day
):
    keys = open_register(page, sign_in, live_server, form, taker, register_day)
    keys.press("Enter", "n")  # all present, then Carter N
    first = page.get_by_label(f"Mark for {class_4a[1].name}")  # Ben Carter
    expect(first).to_have_value("N")
    keys.press("ArrowUp", "Escape")
    expect(first).to_have_value("")  # as the page opened it: no mark
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.evaluate("window.location.href = '/'")
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert not Mark.objects.exists()


@pytest.mark.parametrize("width", [390, 1366])
def test_the_register_fits_the_screen_and_a_tap_marks_a_pupil(
    page, sign_in, live_server, form, class_4a, taker, register_day, width
):
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    open_register(page, sign_in, live_server, form, taker, register_day)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the register is {scroll_width} px wide in {width} px"
    # A tap on the palette marks the pupil; the list holds every other code.
    ben = class_4a[1]
    page.get_by_role("button", name="Absent, reason not yet known (N)").first.click()
    expect(page.get_by_label(f"Mark for {ben.name}")).to_have_value("N")
    page.get_by_role("button", name="Present (/)", exact=True).nth(1).click()
    expect(page.locator("[data-unmarked-count]").first).to_have_text("6")
    # A tap on a pupil's name cycles the common codes: /, N, L, then / again.
    unmarked = next(
        p for p in class_4a if page.get_by_label(f"Mark for {p.name}").input_value() == ""
    )
    name = page.locator(".pupil-cell", has_text=unmarked.surname).first
    mark = page.get_by_label(f"Mark for {unmarked.name}")
    for expected in ("/", "N", "L", "/"):
        name.click()
        expect(mark).to_have_value(expected)
    expect(page.locator("[data-unmarked-count]").first).to_have_text("5")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the register is {scroll_width} px wide in {width} px"
    screenshot(page, f"register-{width}")
