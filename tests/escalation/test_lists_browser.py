"""The officer works through the calling list in a real browser (htmx swaps the row)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escalation.models import Case
from registers import codes
from registers.models import AttendanceCode, Contact, Mark, SchoolDay
from tests.browser import screenshot
from tests.escalation.factories import CaseFactory, school_days
from tests.registers.factories import MarkFactory, PupilFactory, make_half_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _code_table(transactional_db):
    """The code table, which an earlier transactional test's flush may have emptied.

    (The data migration loads it once; the flush at the end of a live-server test empties
    every table.) Self-contained so these tests do not depend on the run order.
    """
    for order, code in enumerate(codes.CODES):
        AttendanceCode.objects.get_or_create(
            code=code.code,
            defaults={
                "meaning": code.meaning,
                "category": code.category.value,
                "group": code.group.value,
                "counts_as_possible": code.counts_as_possible,
                "new_in_2024": code.new_in_2024,
                "sort_order": order,
            },
        )


def _school_day() -> dt.date:
    """Today, or the last Friday if the tests run at a weekend (the live server's real date)."""
    today = timezone.localdate()
    return today - dt.timedelta(days=max(0, today.weekday() - 4))


@pytest.fixture
def day(school) -> dt.date:
    day = _school_day()
    make_half_term(school, "Browser term", day - dt.timedelta(days=70), day + dt.timedelta(days=7))
    return day


@pytest.fixture
def absentees(school, form, day):
    ella = PupilFactory(
        school=school, form=form, forename="Ella", surname="Morgan", cin=True, pupil_premium=True
    )
    sam = PupilFactory(school=school, form=form, forename="Sam", surname="Okafor")
    Contact.objects.create(
        school=school,
        pupil=ella,
        name="Grace Morgan",
        relationship="Mother",
        phone="07700 900456",
        priority=1,
    )
    Contact.objects.create(
        school=school,
        pupil=ella,
        name="Tom Morgan",
        relationship="Father",
        phone="07700 900789",
        priority=2,
    )
    Contact.objects.create(
        school=school, pupil=sam, name="Ada Okafor", relationship="Carer", phone="01632 960123"
    )
    # Some history, so the year-to-date figures mean something.
    recent = sorted(
        SchoolDay.objects.for_school(school).filter(date__lt=day).values_list("date", flat=True)
    )
    history = school_days(school, day - dt.timedelta(days=70), day - dt.timedelta(days=1))
    MarkFactory.days(ella, history, absent_on={d: "O" for d in recent[-6:-1]})
    MarkFactory.days(sam, history, absent_on={recent[-2]: "I"})
    for pupil in (ella, sam):
        MarkFactory.at(pupil, [(day, "AM"), (day, "PM")], "N")
    return ella, sam


def test_the_officer_logs_a_reason_and_the_row_updates(
    live_server, page, sign_in, officer, school, day, absentees
):
    ella, sam = absentees
    sign_in("officer")
    page.goto(f"{live_server.url}/s/{school.urn}/escalation/calling/?date={day:%Y-%m-%d}")
    page.get_by_role("heading", name="First-day calling").wait_for()
    rows = page.locator("article.calling-row")
    assert rows.count() == 2
    assert "Ella Morgan" in rows.nth(0).inner_text()  # social worker and PP: called first
    screenshot(page, "calling-list")

    sam_row = page.locator(f"#call-row-{sam.pk}")
    sam_row.get_by_role("button", name="No answer").click()
    sam_row.get_by_text("No answer", exact=False).first.wait_for()
    page.locator(f"#call-row-{sam.pk} .call-log").wait_for()
    assert "Record reason" in page.locator(f"#call-row-{sam.pk}").inner_text()

    ella_row = page.locator(f"#call-row-{ella.pk}")
    ella_row.get_by_label("Reason code for Ella Morgan").select_option("I")
    ella_row.get_by_label("What was said").fill("Sickness bug, back Thursday")
    ella_row.get_by_role("button", name="Record reason").click()
    page.locator(f"#call-row-{ella.pk}.resolved").wait_for()
    assert page.locator("#to-call-count").inner_text() == "1 pupil to call."
    resolved = page.locator(f"#call-row-{ella.pk}").inner_text()
    assert "Resolved" in resolved and "Illness" in resolved
    # The officer stayed on the page: htmx swapped the row, no reload.
    assert page.url.endswith(f"?date={day:%Y-%m-%d}")
    screenshot(page, "calling-resolved")

    assert list(Mark.objects.filter(pupil=ella, date=day).values_list("code", flat=True)) == [
        "I",
        "I",
    ]
    assert list(Mark.objects.filter(pupil=sam, date=day).values_list("code", flat=True)) == [
        "N",
        "N",
    ]


def test_a_refused_call_shows_its_error_in_the_row(
    live_server, page, sign_in, officer, school, day, absentees
):
    ella, _ = absentees
    sign_in("officer")
    page.goto(f"{live_server.url}/s/{school.urn}/escalation/calling/?date={day:%Y-%m-%d}")
    row = page.locator(f"#call-row-{ella.pk}")
    row.get_by_role("button", name="Record reason").click()  # no code chosen
    page.locator(f"#call-row-{ella.pk} .invalid-feedback").wait_for()
    assert "Choose the code" in page.locator(f"#call-row-{ella.pk}").inner_text()
    screenshot(page, "calling-error")
    assert Mark.objects.filter(pupil=ella, date=day, code_id="N").count() == 2


def test_the_concern_and_penalty_notice_lists(
    live_server, page, sign_in, officer, school, day, absentees
):
    ella, _ = absentees
    CaseFactory(
        school=school,
        pupil=ella,
        stage=Case.Stage.MEETING,
        reason=Case.Reason.BAND,
        opened_on=day - dt.timedelta(days=20),
        next_review=day + dt.timedelta(days=14),
    )
    sign_in("officer")
    page.goto(f"{live_server.url}/s/{school.urn}/escalation/concern/?week={day:%Y-%m-%d}")
    page.get_by_role("heading", name="Students of concern").wait_for()
    text = page.locator("main").inner_text()
    assert "Ella Morgan" in text and "Attendance meeting" in text
    screenshot(page, "concern-list")
    page.emulate_media(media="print")
    screenshot(page, "concern-print")
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/s/{school.urn}/escalation/penalty-notices/?date={day:%Y-%m-%d}")
    page.get_by_role("heading", name="Penalty-notice candidates").wait_for()
    text = page.locator("main").inner_text()
    assert "not an automatic notice" in text
    assert "Ella Morgan" in text  # 5 days of O plus today's two N: 12 sessions
    screenshot(page, "fpn-list")
