"""Planned absences pre-fill the registers; the class register shows pre-filled marks with a
badge, and a teacher cannot overwrite them (the office can, with a reason)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registers.actors import Actor
from registers.models import LeaveRequest, Mark, MarkAmendment, PlannedAbsence
from registers.services.leave import decide_request, record_request
from registers.services.marks import Entry, MarkError, record_mark, save_register
from registers.services.planned import AbsenceError, record_planned_absence

TODAY = dt.date(2025, 9, 15)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(
        dt.datetime(2025, 9, 15, 8, 50, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


def plan(pupil, officer, code="M", start=TODAY, end=TODAY, note="dentist", **extra):
    return record_planned_absence(
        school=pupil.school,
        pupil=pupil,
        code=code,
        start_date=start,
        end_date=end,
        note=note,
        actor=Actor.for_membership(officer),
        today=TODAY,
        **extra,
    )


def take_url(form, session="AM"):
    return reverse("registers:take", args=[form.school.urn, form.pk, TODAY, session])


def post_data(pupils, codes: dict, *, version=1, reason=""):
    """The register's POST, from a page opened after the planned absence (which advanced
    the register to version 1)."""
    data = {"version": str(version), "reason": reason}
    for p in pupils:
        data[f"p{p.pk}-code"] = codes.get(p, "")
        data[f"p{p.pk}-minutes_late"] = ""
        data[f"p{p.pk}-comment"] = ""
    return data


def test_a_planned_absence_prefills_its_future_sessions(pupil, officer):
    planned, prefill = plan(
        pupil, officer, code="V", start=dt.date(2025, 9, 12), end=dt.date(2025, 9, 16), note="Zoo"
    )
    marks = {(m.date, m.session): (m.code_id, m.source, m.comment) for m in Mark.objects.all()}
    assert sorted(marks) == [(dt.date(2025, 9, d), s) for d in (15, 16) for s in ("AM", "PM")]
    assert set(marks.values()) == {("V", Mark.Source.PLANNED, "Zoo")}
    assert (prefill.filled, prefill.past) == (4, 2)
    assert planned.created_by == officer.user


def test_a_planned_absence_reports_marks_it_did_not_overwrite(pupil, officer):
    record_mark(
        pupil=pupil,
        day=TODAY,
        session="AM",
        entry=Entry(pupil.pk, "I"),
        actor=Actor.for_membership(officer),
    )
    _, prefill = plan(pupil, officer)
    assert [(c.session, c.code) for c in prefill.conflicts] == [("AM", "I")]
    assert Mark.objects.get(session="AM").code_id == "I"
    assert Mark.objects.get(session="PM").code_id == "M"


def test_only_the_planned_codes_are_accepted(pupil, officer):
    with pytest.raises(AbsenceError, match="not a code for a planned absence"):
        plan(pupil, officer, code="I")
    assert not PlannedAbsence.objects.exists()


def test_the_register_shows_a_badge_and_locks_the_mark_for_a_teacher(
    login, teacher, form, pupils, officer
):
    plan(pupils[0], officer)
    page = login(teacher).get(take_url(form)).content.decode()
    assert "Planned: M dentist" in page
    select = re.search(rf'<select name="p{pupils[0].pk}-code"[^>]*>', page).group(0)
    assert "disabled" in select
    assert f'<input type="hidden" name="p{pupils[0].pk}-code" value="M">' in page
    other = re.search(rf'<select name="p{pupils[1].pk}-code"[^>]*>', page).group(0)
    assert "disabled" not in other


def test_the_register_shows_granted_leave_with_its_code(login, teacher, form, pupil, officer, head):
    leave = record_request(
        school=pupil.school,
        pupil=pupil,
        kind=LeaveRequest.Kind.PERFORMANCE,
        requested_by_name="Sam",
        requested_by_relationship="father",
        requested_on=TODAY,
        start_date=TODAY,
        end_date=TODAY,
        reason="Panto",
        actor=Actor.for_membership(officer),
    )
    decide_request(leave=leave, membership=head, grant=True, note="", today=TODAY)
    page = login(teacher).get(take_url(form)).content.decode()
    assert "Leave: C1 granted" in page


def test_a_teacher_saving_the_register_keeps_the_planned_mark(
    login, teacher, form, pupils, officer
):
    plan(pupils[0], officer)
    codes = {p: "/" for p in pupils[1:]} | {pupils[0]: "M"}
    response = login(teacher).post(take_url(form), post_data(pupils, codes))
    assert response.status_code == 302
    assert Mark.objects.get(pupil=pupils[0], session="AM").code_id == "M"
    assert Mark.objects.filter(session="AM").count() == len(pupils)


def test_a_teacher_cannot_overwrite_a_planned_mark_even_by_a_crafted_post(
    login, teacher, form, pupils, officer
):
    plan(pupils[0], officer)
    codes = {p: "/" for p in pupils}
    response = login(teacher).post(take_url(form), post_data(pupils, codes, reason="was here"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "only the attendance office can change it" in page
    # Nothing was saved, and the teacher's other choices are still on the page.
    assert Mark.objects.get(pupil=pupils[0], session="AM").code_id == "M"
    assert Mark.objects.filter(session="AM").count() == 1
    selected = re.search(rf'<select name="p{pupils[1].pk}-code".*?</select>', page, re.S).group(0)
    assert 'value="/" selected' in selected


def test_save_register_refuses_the_change_for_a_protected_register(form, pupils, officer, teacher):
    plan(pupils[0], officer)
    with pytest.raises(MarkError, match="planned absence; only the attendance office"):
        save_register(
            form=form,
            day=TODAY,
            session="AM",
            entries=[Entry(pupils[0].pk, "/")],
            actor=Actor.for_membership(teacher),
            expected_version=1,  # the planned absence advanced the register
            reason="here",
            protect_prefilled=True,
        )
    assert Mark.objects.get(pupil=pupils[0], session="AM").code_id == "M"


def test_an_officer_can_change_a_planned_mark_with_a_reason(login, officer, form, pupils):
    plan(pupils[0], officer)
    client = login(officer)
    page = client.get(take_url(form)).content.decode()
    select = re.search(rf'<select name="p{pupils[0].pk}-code"[^>]*>', page).group(0)
    assert "disabled" not in select and "Planned: M dentist" in page
    codes = {p: "/" for p in pupils}
    refused = client.post(take_url(form), post_data(pupils, codes))
    assert "Give a reason to change it" in refused.content.decode()
    response = client.post(take_url(form), post_data(pupils, codes, reason="Appointment cancelled"))
    assert response.status_code == 302
    mark = Mark.objects.get(pupil=pupils[0], session="AM")
    assert (mark.code_id, mark.source) == ("/", Mark.Source.REGISTER)
    assert MarkAmendment.objects.get().reason == "Appointment cancelled"
