"""A working day at Oakfield Primary, in Chromium, one test per user and in the order the
day happens: the teacher takes the morning register; the attendance officer works the
calling list, corrects a mark, opens a case with a meeting and a contract, and sends the
termly letters; the head reads the dashboard; a governor reads and prints the summary.

Every step saves test-results/screenshots/e2e-<nn>-<step>.png, which a person has looked at.
The school is the demo trust, seeded once for the package (tests/e2e/conftest.py).
"""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import expect

from escalation.models import AttendanceContract, Case, LetterBatch
from registers.models import CallAttempt, Mark, MarkAmendment, Pupil
from tests.browser import SCREENSHOTS, screenshot

# Reads in each test see what the live server committed; the school itself is built and
# flushed once for the package (conftest.py), so no test here is transactional.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def shot(page, name: str) -> None:
    """Save the screenshot; and nothing may stick out sideways on a 1024-pixel screen."""
    screenshot(page, f"e2e-{name}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: the page is {width}px wide"


def download(page, link, tmp_path, name: str) -> bytes:
    """Click a link that answers with an attachment; the file's bytes."""
    with page.expect_download() as info:
        link.click()
    path = tmp_path / name
    info.value.save_as(path)
    return path.read_bytes()


def pdf_page_png(pdf: bytes, tmp_path, name: str) -> None:
    """The first page of a PDF as test-results/screenshots/e2e-<name>.png, to look at."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = SCREENSHOTS / f"e2e-{name}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", source, out],
        check=True,
    )


def pdf_text(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", source, "-"], check=True, capture_output=True, text=True
    ).stdout


def nav_link(page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def test_the_teacher_takes_the_morning_register_with_a_late_pupil_and_one_not_in(
    page, sign_in, school_day
):
    form, day = school_day.form, school_day.day
    pupils = [
        p for p in Pupil.objects.filter(form=form).order_by("surname", "forename") if p.on_roll(day)
    ]
    late, not_in = pupils[0], pupils[1]

    sign_in(school_day.register_taker)  # teachers land on the day's registers
    if not school_day.is_today:
        page.goto(school_day.school_url(f"registers/?date={day:%Y-%m-%d}"))
    expect(page.get_by_role("heading", name="Registers")).to_be_visible()
    shot(page, "01-teacher-registers")

    with page.expect_navigation():
        page.get_by_role("link", name=f"Take the {form.name} AM register").click()
    expect(page.get_by_role("heading", name=f"{form.name} · Morning register")).to_be_visible()
    shot(page, "02-teacher-register-empty")

    page.get_by_role("button", name=re.compile("Mark all unmarked present")).click()
    expect(page.locator("[data-unmarked-count]").first).to_have_text("0")
    page.get_by_label(f"Mark for {late.name}").select_option("L")
    page.get_by_label(f"Minutes late for {late.name}").fill("12")
    page.get_by_label(f"Comment for {late.name}").fill("Car broke down")
    page.get_by_label(f"Mark for {not_in.name}").select_option("N")
    shot(page, "03-teacher-register-marked")

    with page.expect_navigation():
        page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text(f"Saved the AM register of {form.name}")).to_be_visible()
    shot(page, "04-teacher-register-saved")

    marks = {m.pupil_id: m for m in Mark.objects.filter(date=day, session="AM", pupil__form=form)}
    assert len(marks) == len(pupils)
    assert (marks[late.pk].code_id, marks[late.pk].minutes_late) == ("L", 12)
    assert marks[not_in.pk].code_id == "N"
    assert {m.code_id for pk, m in marks.items() if pk not in (late.pk, not_in.pk)} == {"/"}


def test_the_officer_calls_corrects_a_mark_opens_a_case_and_sends_termly_letters(
    page, sign_in, school_day, tmp_path, django_capture_on_commit_callbacks
):
    day = school_day.day
    # Whoever is on the list: the other form's two, and the teacher's N if that ran first.
    no_answer = school_day.absentees[0]
    teachers_n = Mark.objects.filter(
        date=day, session="AM", code_id="N", pupil__form=school_day.form
    ).first()
    reasoned = teachers_n.pupil if teachers_n else school_day.absentees[1]

    # 1. First-day calling.
    sign_in("officer")
    with page.expect_navigation():
        nav_link(page, "Calling").click()
    if not school_day.is_today:
        page.goto(school_day.school_url(f"escalation/calling/?date={day:%Y-%m-%d}"))
    expect(page.get_by_role("heading", name="First-day calling")).to_be_visible()
    expect(page.get_by_role("heading", name=no_answer.name)).to_be_visible()
    expect(page.get_by_role("heading", name=reasoned.name)).to_be_visible()
    shot(page, "05-officer-calling-list")

    row = page.get_by_role("article", name=no_answer.name)
    row.get_by_role("button", name="No answer").click()
    expect(row.locator(".call-log")).to_contain_text("No answer")

    row = page.get_by_role("article", name=reasoned.name)
    row.get_by_label(f"Reason code for {reasoned.name}").select_option("I")
    row.get_by_label("What was said").fill("Temperature overnight, back tomorrow")
    row.get_by_role("button", name="Record reason").click()
    expect(row.get_by_role("status")).to_contain_text("Resolved")
    shot(page, "06-officer-calls-logged")
    # The morning's N became I; after noon the demo has taken the afternoon register too.
    assert Mark.objects.get(pupil=reasoned, date=day, session="AM").code_id == "I"
    assert CallAttempt.objects.filter(pupil=no_answer, outcome="no_answer").exists()

    # 2. A mark corrected with a reason, from the pupil's page.
    pupil, amend_day = school_day.case_pupil, school_day.amend_day
    with page.expect_navigation():
        nav_link(page, "Pupils").click()
    page.get_by_label("Name or UPN", exact=True).fill(pupil.surname)
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    with page.expect_navigation():
        page.get_by_role("link", name=f"{pupil.surname}, {pupil.forename}").click()
    expect(page.get_by_role("heading", name=pupil.name, exact=True)).to_be_visible()
    shot(page, "07-officer-pupil")

    with page.expect_navigation():
        page.get_by_role(
            "link", name=re.compile(rf"^{amend_day:%a %-d %b} AM: {school_day.amend_code} ")
        ).click()
    page.get_by_role("combobox", name=re.compile(r"^Mark")).select_option("M")
    page.get_by_label("Reason for the change").fill(
        "Mum brought in the hospital appointment letter"
    )
    shot(page, "08-officer-amend")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Recorded M for {pupil.name}")).to_be_visible()
    expect(page.get_by_text("Mum brought in the hospital appointment letter")).to_be_visible()
    assert MarkAmendment.objects.filter(pupil=pupil, date=amend_day, new_code="M").exists()

    # 3. A case: opened, an attendance meeting, an attendance contract and its PDF.
    with page.expect_navigation():
        page.get_by_role("link", name="Attendance case").click()
    page.get_by_label("Why open a case").fill(
        "Attendance below 90% this year; several mornings missed without a reason."
    )
    shot(page, "09-officer-case-open")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_text(f"Case opened for {pupil.name}")).to_be_visible()

    meeting = page.locator("details.case-action", has_text="An attendance meeting")
    meeting.get_by_text("An attendance meeting").click()
    meeting.get_by_label("Who attended").fill("Mum, class teacher, attendance officer")
    meeting.get_by_label("What was discussed").fill("Mornings are hard since the new baby.")
    meeting.get_by_label("What was agreed").fill("Breakfast club from Monday; weekly check-in.")
    shot(page, "10-officer-meeting")
    with page.expect_navigation():
        meeting.get_by_role("button", name="Record the meeting").click()
    expect(page.get_by_text("Attendance meeting recorded.")).to_be_visible()

    parent = pupil.contacts.order_by("priority").first().name
    contract = page.locator("details.case-action", has_text="An attendance contract")
    contract.get_by_text("An attendance contract").click()
    contract.get_by_label("Barriers to attendance found").fill("Getting up and out on time")
    contract.get_by_label("Support the school will give").fill("Breakfast club, free of charge")
    contract.get_by_label("What the family agrees to do").fill("In school by 8:45 every day")
    contract.get_by_label("Target attendance (%)").fill("95")
    contract.get_by_label("Parent or carer").fill(parent)
    contract.get_by_label("Signed for the school by").fill("Priya Shah, attendance officer")
    shot(page, "11-officer-contract")
    with page.expect_navigation():
        contract.get_by_role("button", name="Record the contract").click()
    expect(page.get_by_text("Attendance contract recorded.")).to_be_visible()
    shot(page, "12-officer-case")

    case = Case.objects.get(pupil=pupil)
    assert case.stage == "contract"
    assert AttendanceContract.objects.filter(case=case).count() == 1
    pdf = download(
        page, page.get_by_role("link", name="Download the contract (PDF)"), tmp_path, "c.pdf"
    )
    assert pdf.startswith(b"%PDF")
    pdf_page_png(pdf, tmp_path, "13-officer-contract-pdf")

    # 4. The termly letters, with the progress bar, and the merged PDF to print.
    with page.expect_navigation():
        nav_link(page, "Letters").click()
    expect(page.get_by_role("heading", name="Generate termly letters")).to_be_visible()
    shot(page, "14-officer-letters")
    # Celery is eager here. On PostgreSQL the batch runs when the request's transaction
    # commits, before the progress page loads. On SQLite the live server shares this test's
    # in-memory connection, whose transaction never commits, so the request's on_commit
    # callbacks are run here instead, as its commit would have; the page polls every 2 s.
    with (
        django_capture_on_commit_callbacks(execute=True),
        page.expect_navigation(timeout=60_000),
    ):
        page.get_by_role("button", name="Generate termly letters").click(timeout=60_000)
    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(page.get_by_text("100%")).to_be_visible()
    link = page.get_by_role("link", name="Download merged PDF")
    expect(link).to_be_visible()
    shot(page, "15-officer-letters-done")
    batch = LetterBatch.objects.get()
    assert batch.status == "finished" and batch.done == batch.total > 0
    merged = download(page, link, tmp_path, "letters.pdf")
    assert merged.startswith(b"%PDF")
    pdf_page_png(merged, tmp_path, "16-officer-letters-pdf")


def _charts_drawn(page) -> None:
    page.wait_for_function(
        "() => window.Chart && Object.keys(Chart.instances).length"
        " === document.querySelectorAll('canvas[data-chart]').length"
    )


def test_the_head_reads_the_dashboard_and_drills_into_pupil_premium(page, sign_in, school_day):
    sign_in("head")  # a head starts the day on the dashboard
    expect(page.get_by_role("heading", name="Attendance dashboard")).to_be_visible()
    with page.expect_navigation():
        page.locator("a.school-name").click()
    shot(page, "17-head-home")  # the school page: every section the head can open
    with page.expect_navigation():
        nav_link(page, "Dashboard").click()
    expect(page.get_by_role("heading", name="Attendance dashboard")).to_be_visible()
    _charts_drawn(page)
    shot(page, "18-head-dashboard")

    with page.expect_navigation():
        page.get_by_role("link", name="Pupil premium", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Pupil premium"))).to_be_visible()
    shot(page, "19-head-pupil-premium")
    names = page.get_by_role("table").locator("tbody th").all_inner_texts()
    premium = {p.name for p in Pupil.objects.filter(pupil_premium=True)}
    assert names and set(names) <= premium


def test_the_governor_reads_the_summary_without_pupil_names_and_prints_it(
    page, sign_in, school_day, tmp_path
):
    sign_in("governor")
    with page.expect_navigation():
        nav_link(page, "Governors").click()
    expect(page.get_by_role("heading", name="Attendance: governors' summary")).to_be_visible()
    _charts_drawn(page)
    shot(page, "20-governor-summary")

    pupils = list(Pupil.objects.values_list("forename", "surname", "upn"))
    content = page.content()
    for forename, surname, upn in pupils:
        assert f"{forename} {surname}" not in content
        assert f"{surname}, {forename}" not in content
        assert upn not in content

    pdf = download(page, page.get_by_role("link", name="Printable report (PDF)"), tmp_path, "g.pdf")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "governors" in text.lower()
    for forename, surname, upn in pupils:
        assert f"{forename} {surname}" not in text and upn not in text
    pdf_page_png(pdf, tmp_path, "21-governor-report-pdf")
