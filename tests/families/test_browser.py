"""Browser journey: the first-day job sends through the file backends, and the officer sees
who was messaged on the calling list, then accepts a parent's report in one click."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from registers import codes
from registers.families.models import AbsenceReport, FamilyPolicy
from registers.families.services.first_day import queue_first_day_messages
from registers.models import AttendanceCode, Mark, Register
from tests.browser import screenshot
from tests.registers.factories import ContactFactory, MarkFactory, PupilFactory, make_half_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _code_table(transactional_db):
    """The code table, which an earlier transactional test's flush may have emptied."""
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


def test_a_first_day_message_goes_out_and_the_calling_list_shows_it(
    live_server, page, sign_in, officer, school, form, settings, tmp_path
):
    settings.SMS_BACKEND, settings.SMS_FILE_PATH = "file", str(tmp_path / "sms")
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "email")
    today = timezone.localdate()
    day = today - dt.timedelta(days=max(0, today.weekday() - 4))  # Friday at a weekend
    make_half_term(school, "Browser term", day - dt.timedelta(days=14), day + dt.timedelta(days=7))
    FamilyPolicy.objects.create(school=school, quiet_from=dt.time(0), quiet_until=dt.time(0))
    ella = PupilFactory(school=school, form=form, forename="Ella", surname="Morgan")
    sam = PupilFactory(school=school, form=form, forename="Sam", surname="Okafor")
    grace = ContactFactory(
        pupil=ella, name="Grace Morgan", phone="+447700900456", email="grace@example.com"
    )
    ada = ContactFactory(pupil=sam, name="Ada Okafor", phone="+447700900457")
    MarkFactory.at(ella, [(day, "AM")], "N")
    MarkFactory.at(sam, [(day, "AM")], "N")
    Register.objects.create(
        school=school, form=form, date=day, session="AM", taken_at=timezone.now()
    )
    AbsenceReport.objects.create(
        school=school,
        pupil=sam,
        contact=ada,
        reported_by_name=ada.name,
        start_date=day,
        end_date=day,
        reason="illness",
        details="Chickenpox",
    )
    now = (
        timezone.now()
        if day == today
        else timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0)))
    )

    result = queue_first_day_messages(
        school=school, day=day, session="AM", now=now, before_due=True
    )

    assert (result.pupils, result.queued) == (1, 2)  # Sam's absence was reported: no text
    (text,) = (tmp_path / "sms").iterdir()
    assert text.read_text().startswith(f"To: {grace.phone}\n") and "Ella" in text.read_text()
    assert len(list((tmp_path / "email").iterdir())) == 1

    sign_in("officer")
    page.goto(f"{live_server.url}/s/{school.urn}/escalation/calling/?date={day:%Y-%m-%d}")
    ella_row = page.locator(f"#call-row-{ella.pk}")
    ella_row.locator(".message-log").wait_for()
    log = ella_row.locator(".message-log").inner_text()
    assert "Text message to Grace Morgan" in log and "Delivered" in log
    assert "Email to Grace Morgan" in log and "Sent" in log
    sam_row = page.locator(f"#call-row-{sam.pk}")
    assert "Reported by parent" in sam_row.inner_text() and "Chickenpox" in sam_row.inner_text()
    screenshot(page, "calling-messages")

    sam_row.get_by_role("button", name="Accept report for Sam").click()
    page.get_by_text("Sam Okafor: report accepted").wait_for()
    assert Mark.objects.get(pupil=sam, date=day, session="AM").code_id == "I"
    # Sam's absence is explained now: off the list of pupils to call.
    assert page.locator(f"#call-row-{sam.pk}").count() == 0
    screenshot(page, "calling-report-accepted")
