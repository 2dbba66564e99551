"""The case pages in Chromium: an officer opens a case, records a meeting and a contract,
and the timeline tells the story."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from escalation.models import Case
from tests.registers.factories import MarkFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2025, 10, 1, 12, 0, tzinfo=dt.UTC), tick=True):
        yield


def test_an_officer_works_a_case_from_opening_to_contract(
    frozen, live_server, sign_in, officer, pupil, days, tmp_path
):
    MarkFactory.days(pupil, [d for d in days if d <= dt.date(2025, 10, 1)], absent_sessions=8)
    page = sign_in("officer")
    page.goto(f"{live_server.url}/s/{pupil.school.urn}/escalation/pupils/{pupil.pk}/case/")
    page.get_by_label("Why open a case").fill("Eight sessions missed in September.")
    page.get_by_role("button", name="Open the case").click()
    page.get_by_text("Case opened for").wait_for()

    page.get_by_text("An attendance meeting").click()
    page.get_by_label("Who attended").fill("Mum and Mrs Patel")
    page.get_by_label("What was discussed").fill("Mornings are hard.")
    page.get_by_label("What was agreed").fill("Breakfast club from Monday.")
    page.get_by_role("button", name="Record the meeting").click()
    page.get_by_text("Attendance meeting recorded.").wait_for()

    page.get_by_text("An attendance contract").click()
    form = page.locator("form[action$='/contract/']")
    form.get_by_label("Barriers to attendance found").fill("Getting up")
    form.get_by_label("Support the school will give").fill("Breakfast club")
    form.get_by_label("What the family agrees to do").fill("Bed by 8")
    form.get_by_label("Parent or carer").fill("Ann Smith")
    form.get_by_label("Signed for the school by").fill("Mrs Head")
    form.get_by_role("button", name="Record the contract").click()
    page.get_by_text("Attendance contract recorded.").wait_for()

    timeline = page.locator(".case-timeline")
    for text in (
        "Eight sessions missed",
        "Breakfast club from Monday.",
        "Attendance contract agreed",
    ):
        assert timeline.get_by_text(text).first.is_visible()
    assert Case.objects.get(pupil=pupil).stage == "contract"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the contract (PDF)").click()
    path = tmp_path / "contract.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
