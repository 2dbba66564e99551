"""Sessions on the register (issue 17): each session's present mark, when a register is
due (session start plus the school's grace period) and when a teacher may take it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registers import code_rules
from registers.actors import Actor
from registers.models import Mark, Register
from registers.services.marks import Entry, MarkError, record_mark, save_register

MONDAY = dt.date(2025, 9, 8)
LONDON = ZoneInfo("Europe/London")


def at(time_machine, hour: int, minute: int) -> None:
    time_machine.move_to(dt.datetime(2025, 9, 8, hour, minute, tzinfo=LONDON), tick=False)


def take_url(form, session: str) -> str:
    return reverse("registers:take", args=[form.school.urn, form.pk, MONDAY, session])


def day_url(school) -> str:
    return reverse("registers:day", args=[school.urn]) + "?date=2025-09-08"


def post(pupils, code: str) -> dict:
    data = {"version": "0", "reason": ""}
    for p in pupils:
        data |= {f"p{p.pk}-code": code, f"p{p.pk}-minutes_late": "", f"p{p.pk}-comment": ""}
    return data


@pytest.mark.parametrize(("code", "session"), [("\\", "AM"), ("/", "PM")])
def test_the_wrong_sessions_present_mark_is_refused_by_every_writer(
    officer, form, pupils, code, session
):
    assert code_rules.session_problem(code, session)
    with pytest.raises(MarkError, match="present mark"):
        save_register(
            form=form,
            day=MONDAY,
            session=session,
            entries=[Entry(pupils[0].pk, code)],
            actor=Actor.for_membership(officer),
            expected_version=0,
        )
    with pytest.raises(MarkError, match="present mark"):
        record_mark(
            pupil=pupils[0],
            day=MONDAY,
            session=session,
            entry=Entry(pupils[0].pk, code),
            actor=Actor.for_membership(officer),
        )
    assert not Mark.objects.exists()


def test_the_register_page_refuses_a_crafted_wrong_present_mark(
    login, officer, form, pupils, time_machine
):
    at(time_machine, 9, 0)
    response = login(officer).post(take_url(form, "AM"), post(pupils, "\\"))
    assert response.status_code == 200  # the page again, with the message, not a 500
    assert not Mark.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_a_teacher_cannot_take_the_afternoon_register_in_the_morning(
    login, teacher, form, pupils, time_machine
):
    at(time_machine, 9, 0)
    client = login(teacher)
    page = client.get(take_url(form, "PM")).content.decode()
    assert "The PM register opens when the session starts, at 13:15." in page
    assert "Save register" not in page
    assert client.post(take_url(form, "PM"), post(pupils, "\\")).status_code == 403
    assert not Mark.objects.exists()
    # The morning register can be taken; the afternoon one once its session starts.
    assert client.post(take_url(form, "AM"), post(pupils, "/")).status_code == 302
    at(time_machine, 13, 15)
    assert client.post(take_url(form, "PM"), post(pupils, "\\")).status_code == 302


def test_the_officer_may_complete_the_afternoon_register_in_the_morning(
    login, officer, form, pupils, time_machine
):
    at(time_machine, 9, 0)
    assert login(officer).post(take_url(form, "PM"), post(pupils, "\\")).status_code == 302
    assert Mark.objects.filter(session="PM").count() == len(pupils)


def test_the_session_start_is_the_schools_setting(login, teacher, form, pupils, time_machine):
    form.school.pm_starts = dt.time(12, 30)
    form.school.save()
    at(time_machine, 12, 40)
    assert login(teacher).post(take_url(form, "PM"), post(pupils, "\\")).status_code == 302


@pytest.mark.parametrize(
    ("hour", "minute", "am", "pm"),
    [
        (8, 40, "not_due", "not_due"),  # before the morning session
        (8, 55, "not_due", "not_due"),  # in the grace period (15 minutes)
        (9, 0, "missing", "not_due"),
        (13, 29, "missing", "not_due"),
        (13, 30, "missing", "missing"),
    ],
)
def test_a_register_is_missing_only_after_its_session_began_and_the_grace_period(
    login, officer, form, pupils, time_machine, hour, minute, am, pm
):
    at(time_machine, hour, minute)
    response = login(officer).get(day_url(form.school))
    (row,) = [r for r in response.context["rows"] if r.form == form]
    assert (row.am.state, row.pm.state) == (am, pm)


def test_the_grace_period_is_the_schools_setting(login, officer, form, pupils, time_machine):
    form.school.missing_grace_minutes = 0
    form.school.save()
    at(time_machine, 8, 45)
    response = login(officer).get(day_url(form.school))
    (row,) = [r for r in response.context["rows"] if r.form == form]
    assert row.am.state == "missing"


def test_a_register_saved_with_blanks_stays_on_the_missing_list(
    login, teacher, officer, form, pupils, time_machine
):
    at(time_machine, 9, 0)
    data = post(pupils, "/") | {f"p{pupils[0].pk}-code": "", f"p{pupils[1].pk}-code": ""}
    response = login(teacher).post(take_url(form, "AM"), data, follow=True)
    assert "2 pupils still have no mark: the register is not complete" in (
        response.content.decode()
    )
    listed = login(officer).get(day_url(form.school) + "&missing=1").context["rows"]
    assert [(r.form, r.am.state, r.am.unmarked) for r in listed] == [(form, "blanks", 2)]
    assert Register.objects.get(form=form, session="AM").taken_at is not None
