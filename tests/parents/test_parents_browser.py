"""The parent portal in Chromium at a phone's width (390 px): axe-core on every parent page,
and the journey from a parent's report of illness to the code on the register."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from attendance_portal.parents.access import CHALLENGE_COOKIE, SESSION_COOKIE
from registers.families.models import AbsenceReport
from registers.models import Mark
from tests.accessibility import axe_source, describe, run_axe
from tests.browser import screenshot, watch_csp
from tests.parents.helpers import CODE, add_contact, sign_in
from tests.registers.factories import MarkFactory, PupilFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Monday of the root conftest's Autumn 1 2025, before the register closes.
MONDAY = dt.datetime(2025, 10, 20, 7, 40, tzinfo=dt.UTC)
TODAY = MONDAY.date()
PHONE = {"width": 390, "height": 844}
EMAIL = "nadia.parent@example.org"


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def child(monday, school, form):
    pupil = PupilFactory(school=school, form=form, forename="Noor", surname="Haddad")
    add_contact(pupil, name="Nadia Haddad", email=EMAIL, phone="+447700900333")
    # Some weeks of marks, so the calendar and the figures have something to show.
    days = [dt.date(2025, 9, 29) + dt.timedelta(days=d) for d in range(19)]
    days = [d for d in days if d.weekday() < 5]
    MarkFactory.days(pupil, days, absent_on={dt.date(2025, 10, 7): "I"})
    return pupil


def _context(browser, live_server, cookies: dict[str, str] | None = None, *, axe=False):
    # axe's script is injected inline: only the accessibility test bypasses the policy.
    context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=axe)
    for name, value in (cookies or {}).items():
        context.add_cookies([{"name": name, "value": value, "url": f"{live_server.url}/parents/"}])
    return context


def test_no_serious_or_critical_violation_on_a_parents_pages(browser, live_server, child):
    source = axe_source()
    signed_in = sign_in(Client(), EMAIL)
    asked = Client()
    asked.post(reverse("parents:start"), {"contact": EMAIL})
    pages = {
        "code": (
            reverse("parents:code"),
            {CHALLENGE_COOKIE: asked.cookies[CHALLENGE_COOKIE].value},
        ),
        **{
            name: (url, {SESSION_COOKIE: signed_in.cookies[SESSION_COOKIE].value})
            for name, url in {
                "home": reverse("parents:home"),
                "child": reverse("parents:child", args=[child.pk]),
                "absence": reverse("parents:report_absence", args=[child.pk]),
                "leave": reverse("parents:request_leave", args=[child.pk]),
            }.items()
        },
        "start": (reverse("parents:start"), {}),
    }
    found: list[str] = []
    for width in (390, 1366):
        for name, (url, cookies) in pages.items():
            context = _context(browser, live_server, cookies, axe=True)
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.set_viewport_size({"width": width, "height": 844})
            page.goto(live_server.url + url)
            assert page.url.endswith(url), f"{name}: sent to {page.url}"
            # Mobile first: nothing wider than the phone's screen.
            if width == 390:
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= 390, f"{name} is {overflow} px wide at 390 px"
            found += describe(f"{width} {url}", run_axe(page, source))
            context.close()
    assert not found, "\n".join(found)


def test_a_parent_reports_illness_the_officer_accepts_it_and_the_register_shows_it(
    browser, live_server, child, officer, form
):
    context = _context(browser, live_server)
    violations = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Parents and carers").click()
    page.get_by_label("Your email address or mobile number").fill(EMAIL)
    page.get_by_role("button", name="Send me a code").click()
    page.wait_for_url("**/parents/code/")
    (code,) = CODE.findall(mail.outbox[-1].body)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/parents/children/")
    page.get_by_role("link", name="Noor Haddad").click()
    screenshot(page, "parents-child-390")
    page.get_by_role("link", name="Report an absence").click()
    page.get_by_label("First day of absence").fill("2025-10-20")
    page.get_by_label("Illness").check()
    page.get_by_label("Anything the school should know").fill("A temperature since last night")
    page.get_by_role("button", name="Send to the school").click()
    page.wait_for_url(f"**/parents/children/{child.pk}/")
    assert page.get_by_text("The school has your report").is_visible()
    assert page.get_by_text("Waiting for the school").is_visible()
    screenshot(page, "parents-reported-390")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/parents/")
    context.close()
    assert not violations, violations

    # The register is taken: the teacher had not heard, so Noor is N (no reason yet).
    MarkFactory.at(child, [(TODAY, "AM")], "N")

    # The officer, on a desktop, finds the report on the calling list and accepts it.
    office = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    violations = watch_csp(office)
    page = office.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(officer.user.username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/s/{child.school.urn}/escalation/calling/")
    report = page.locator(".parent-report")
    assert report.get_by_text("Reported by parent").is_visible()
    assert report.get_by_text("A temperature since last night").is_visible()
    # Wait for the POST's own navigation: "networkidle" could be the calling list's, before
    # the accept reached the server (a busy CI saw the mark still N).
    with page.expect_navigation():
        report.get_by_role("button", name="Accept report for Noor").click()
    assert Mark.objects.get(pupil=child, date=TODAY, session="AM").code_id == "I"
    assert AbsenceReport.objects.get().status == AbsenceReport.Status.ACCEPTED

    # The morning register of Noor's form shows the code.
    register = reverse("registers:take", args=[child.school.urn, form.pk, TODAY, "AM"])
    page.goto(live_server.url + register)
    row = page.locator("tr", has_text="Haddad")
    assert row.locator("select").first.input_value() == "I"
    assert "Reported by Nadia Haddad" in row.get_by_role("textbox").last.input_value()
    screenshot(page, "parents-register-shows-code")
    office.close()
    assert not violations, violations
