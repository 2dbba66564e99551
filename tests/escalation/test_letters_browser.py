"""The officer generates termly letters in a real browser, under the strict CSP: the
progress reaches 100% with a download link, the poller picks up a running batch's end,
and the wording preview renders the letter in an iframe."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from attendance_portal.settings import STRICT_CSP
from escalation.models import LetterBatch
from registers.models import AttendanceCode, Contact
from registers.reference_data import load_codes
from tests.browser import SCREENSHOTS, screenshot
from tests.escalation.factories import school_days
from tests.registers.factories import MarkFactory, PupilFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _strict(settings, transactional_db):
    settings.CONTENT_SECURITY_POLICY = STRICT_CSP
    if not AttendanceCode.objects.exists():  # an earlier live-server test's flush
        load_codes(AttendanceCode)


@pytest.fixture
def families(school, form):
    days = school_days(school)
    pupils = []
    for n, (forename, surname, absent) in enumerate(
        [("Amelia", "Jones", 4), ("Noah", "Patel", 9), ("Isla", "Brown", 0)]
    ):
        pupil = PupilFactory(school=school, form=form, forename=forename, surname=surname)
        MarkFactory.days(pupil, days, absent_sessions=absent, code="I" if n else "O")
        Contact.objects.create(
            school=school,
            pupil=pupil,
            name=f"Parent {surname}",
            relationship="Parent",
            address=f"{n + 1} Elm Road\nOakfield\nOK1 2AB",
        )
        pupils.append(pupil)
    return pupils


def test_the_officer_generates_termly_letters_and_downloads_them(
    page, sign_in, live_server, officer, families, tmp_path
):
    sign_in("officer")
    page.goto(f"{live_server.url}/s/123456/escalation/letters/")
    expect(page.get_by_role("heading", name="Generate termly letters")).to_be_visible()
    page.get_by_label("Half-term").select_option(label="2025/26 Autumn 1 (3 Sep – 24 Oct 2025)")
    page.get_by_role("button", name="Generate termly letters").click()

    expect(page.get_by_text("100%")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_text("3 generated")).to_be_visible()
    link = page.get_by_role("link", name="Download merged PDF")
    expect(link).to_be_visible()
    screenshot(page, "letters-batch")

    with page.expect_download() as download:
        link.click()
    merged = tmp_path / "merged.pdf"
    download.value.save_as(merged)
    assert merged.read_bytes().startswith(b"%PDF")
    # One page of the printed letters, to look at (test-results/screenshots/letters-pdf.png).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = SCREENSHOTS / "letters-pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", merged, out],
        check=True,
    )

    page.get_by_role("link", name="Back to letters").click()
    expect(page.get_by_role("link", name="Amelia Jones")).to_be_visible()
    expect(page.get_by_role("link", name="Download")).to_have_count(3)
    screenshot(page, "letters-log")


def test_the_progress_page_polls_until_the_batch_finishes(
    page, sign_in, live_server, officer, school
):
    batch = LetterBatch.objects.create(
        school=school,
        kind="termly",
        period="2025/26 Autumn 1",
        as_of=dt.date(2025, 10, 24),
        status=LetterBatch.Status.RUNNING,
        total=4,
        done=1,
        started_by_name="Olivia Officer",
    )
    sign_in("officer")
    page.goto(f"{live_server.url}/s/123456/escalation/letters/batches/{batch.pk}/")
    expect(page.get_by_text("Generating letters…")).to_be_visible()
    expect(page.get_by_text("25%")).to_be_visible()
    screenshot(page, "letters-progress")

    batch.merged_file.save("letters/test/merged.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    LetterBatch.objects.filter(pk=batch.pk).update(
        status=LetterBatch.Status.FINISHED, done=4, merged_file=batch.merged_file.name
    )
    expect(page.get_by_role("link", name="Download merged PDF")).to_be_visible(timeout=6000)
    expect(page.get_by_text("100%")).to_be_visible()


def test_the_wording_editor_previews_a_letter_before_anything_is_generated(
    page, sign_in, live_server, officer, families
):
    sign_in("officer")
    page.goto(f"{live_server.url}/s/123456/escalation/letters/wording/")
    page.get_by_role("link", name=re.compile("First concern")).click()
    page.get_by_label("Heading").fill("We miss {{ pupil_first_name }} at school")
    page.get_by_label("Preview for").select_option(label="Jones, Amelia, 4A")
    page.get_by_role("button", name="Preview").click()

    frame = page.frame_locator("iframe.letter-preview")
    expect(frame.get_by_role("heading", name="We miss Amelia at school")).to_be_visible()
    expect(frame.get_by_text("Parent Jones").first).to_be_visible()
    # The print stylesheet loaded inside the preview despite the strict CSP.
    background = frame.locator("html").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(233, 236, 239)"
    screenshot(page, "letters-wording")

    page.get_by_label("Letter", exact=True).fill("Dear {{ parent_name }}, {% load secrets %}")
    page.get_by_role("button", name="Save wording").click()
    expect(page.get_by_text("is not allowed")).to_be_visible()
