"""registers:take, the class register: access, saving, stale saves, amendments, mark-all."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registers import codes
from registers.actors import Actor
from registers.models import Mark, MarkAmendment, Register
from registers.services.marks import Entry, save_register
from tests.registers.factories import FormFactory, PupilFactory

MONDAY = dt.date(2025, 9, 8)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2025, 9, 8, 9, 0, tzinfo=LONDON), tick=False)


def url(form, day: dt.date = MONDAY, session: str = "AM") -> str:
    return reverse("registers:take", args=[form.school.urn, form.pk, day, session])


def data(pupils, marks: dict | None = None, *, version: int = 0, **extra) -> dict:
    """The register's POST: `marks` maps a pupil to a code or (code, minutes, comment)."""
    post = {"version": str(version), "reason": ""}
    for p in pupils:
        value = (marks or {}).get(p, "")
        code, minutes, comment = value if isinstance(value, tuple) else (value, "", "")
        post[f"p{p.pk}-code"] = code
        post[f"p{p.pk}-minutes_late"] = str(minutes)
        post[f"p{p.pk}-comment"] = comment
    post.update(extra)
    return post


def all_present(pupils, session: str = "AM") -> dict:
    return {p: codes.present_code_for(session) for p in pupils}


PERSONAS = [
    ("teacher", 200, 302),
    ("other_teacher", 403, 403),
    ("officer", 200, 302),
    ("head", 200, 302),
    ("governor", 403, 403),
    ("trust_lead", 403, 403),
    ("outsider", 404, 404),
]


@pytest.mark.parametrize(("persona", "get_status", "post_status"), PERSONAS)
def test_each_persona_gets_the_expected_status(
    request, login, form, pupils, persona, get_status, post_status
):
    client = login(request.getfixturevalue(persona))
    assert client.get(url(form)).status_code == get_status
    response = client.post(url(form), data(pupils, all_present(pupils)))
    assert response.status_code == post_status
    assert Mark.objects.exists() == (post_status == 302)


def test_a_form_of_another_school_is_not_found(login, officer, other_school):
    foreign = FormFactory(school=other_school)
    response = login(officer).get(
        reverse("registers:take", args=[officer.school.urn, foreign.pk, MONDAY, "AM"])
    )
    assert response.status_code == 404


def test_an_impossible_date_or_session_is_not_found(login, officer, form):
    client = login(officer)
    base = f"/s/{form.school.urn}/registers/{form.pk}"
    assert client.get(f"{base}/2025-02-30/AM/").status_code == 404
    assert client.get(f"{base}/2025-09-08/XX/").status_code == 404


def test_the_register_lists_pupils_on_roll_in_name_order_with_flags(login, teacher, form):
    school = form.school
    PupilFactory(school=school, form=form, surname="Young", forename="Ava", pupil_premium=True)
    PupilFactory(school=school, form=form, surname="Adams", forename="Zoe", sen="E")
    PupilFactory(
        school=school, form=form, surname="Moss", forename="Left", leaving_date=dt.date(2025, 7, 1)
    )
    PupilFactory(school=school, surname="Other", forename="Form")  # in another form
    client = login(teacher)
    page = client.get(url(form)).content.decode()
    assert page.index("Adams, Zoe") < page.index("Young, Ava")
    assert "Moss" not in page and "Other, Form" not in page
    # The screen is often projected: contextual flags are hidden until asked for.
    assert ">PP<" not in page and ">EHC plan<" not in page
    assert "Show pupil flags" in page
    page = client.get(url(form) + "?flags=1").content.decode()
    assert ">PP<" in page and ">EHC plan<" in page
    assert "Hide pupil flags" in page


def _select(page: str, pupil) -> str:
    return re.search(rf'<select name="p{pupil.pk}-code".*?</select>', page, re.S).group(0)


def _values(select: str) -> list[str]:
    return [v.replace("\\\\", "\\") for v in re.findall(r'<option value="([^"]*)"', select)]


def test_officers_see_every_code_of_the_session_grouped_with_its_meaning(
    login, officer, form, pupil
):
    select = _select(login(officer).get(url(form)).content.decode(), pupil)
    assert select.count("<optgroup") == len(codes.Group)
    # Every code but the afternoon's present mark, which the morning register never offers.
    assert set(_values(select)) == {c.code for c in codes.CODES} - {"\\"} | {""}
    assert "L – Late arrival before the register has closed" in select
    assert 'label="Absent – unauthorised"' in select


@pytest.mark.parametrize(("session", "present", "other"), [("AM", "/", "\\"), ("PM", "\\", "/")])
def test_teachers_see_their_codes_first_and_the_rest_under_more_codes(
    login, teacher, form, pupil, time_machine, session, present, other
):
    time_machine.move_to(dt.datetime(2025, 9, 8, 14, 0, tzinfo=LONDON), tick=False)
    select = _select(login(teacher).get(url(form, session=session)).content.decode(), pupil)
    assert _values(select)[:4] == ["", present, "L", "N"]
    assert 'label="Common"' in select and 'label="More codes"' in select
    more = select.split('label="More codes"')[1]
    assert "M – Leave of absence for a medical or dental appointment" in more
    assert other not in _values(select)


def test_unmarked_pupils_stand_out_and_are_counted(login, teacher, form, pupils):
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(pupils[0].pk, "/")],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )
    response = login(teacher).get(url(form))
    page = response.content.decode()
    assert response.context["form"].unmarked_count == 4
    assert page.count('class="register-row unmarked"') == 4
    assert re.search(r"data-unmarked-count>4<", page)
    # The recorded mark is prefilled.
    assert re.search(rf'name="p{pupils[0].pk}-code"[^>]*>.*?value="/" selected', page, re.S)


def test_saving_records_every_mark_and_who_took_the_register(login, teacher, form, pupils):
    marks = all_present(pupils) | {pupils[1]: ("L", 10, "Bus late"), pupils[2]: "N"}
    response = login(teacher).post(url(form), data(pupils, marks), follow=True)
    assert response.redirect_chain == [(url(form), 302)]
    # One line: present (late among them), absent, late, and what changed.
    assert "Saved the AM register of 4A: 4 present, 1 absent, 1 late (5 new)." in (
        response.content.decode()
    )
    saved = {m.pupil_id: m for m in Mark.objects.all()}
    assert saved[pupils[1].pk].code_id == "L"
    assert (saved[pupils[1].pk].minutes_late, saved[pupils[1].pk].comment) == (10, "Bus late")
    assert saved[pupils[2].pk].code_id == "N"
    assert saved[pupils[0].pk].recorded_by == teacher.user
    register = Register.objects.get()
    assert (register.taken_by, register.version) == (teacher.user, 1)


def test_a_partly_marked_register_is_saved_with_a_warning_about_blanks(
    login, teacher, form, pupils
):
    response = login(teacher).post(url(form), data(pupils, {pupils[0]: "/"}), follow=True)
    page = response.content.decode()
    assert "4 pupils still have no mark: the register is not complete" in page
    assert "1 present, 0 absent, 0 late (1 new)" in page
    assert Mark.objects.count() == 1


def test_a_stale_save_starts_from_the_saved_marks_and_puts_back_only_the_users_own(
    login, teacher, officer, form, pupils
):
    # The teacher opens the register (version 0); meanwhile the office saves it.
    opened = login(teacher).get(url(form)).context["form"].initial["version"]
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(pupils[0].pk, "I"), Entry(pupils[1].pk, "/")],
        actor=Actor.for_membership(officer),
        expected_version=0,
    )
    mine = {pupils[0]: "N", pupils[2]: ("L", 5, "")}
    response = login(teacher).post(url(form), data(pupils, mine, version=opened))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this register" in page
    assert "Saved meanwhile" in page
    register_form = response.context["form"]
    assert register_form.data["version"] == "1"  # the next save can go through
    lines = {line.row.pupil: line for line in register_form.lines}
    # Both changed pupils[0]: the saved mark stays, the teacher's is offered beside it.
    assert lines[pupils[0]].chosen_code == "I" and lines[pupils[0]].conflict
    assert lines[pupils[0]].yours_text == "N"
    assert re.search(rf'name="p{pupils[0].pk}-code"[^>]*>.*?value="I" selected', page, re.S)
    # Only the teacher changed pupils[2]: put back.
    assert lines[pupils[2]].chosen_code == "L"
    # A line the teacher left blank takes the office's mark rather than losing it.
    assert lines[pupils[1]].chosen_code == "/" and not lines[pupils[1]].conflict
    # Nothing of the teacher's was written.
    assert Mark.objects.get(pupil=pupils[0]).code_id == "I"
    assert not Mark.objects.filter(pupil=pupils[2]).exists()


def test_an_unknown_code_is_refused_and_the_input_kept(login, teacher, form, pupils):
    marks = all_present(pupils) | {pupils[0]: "H"}  # H was withdrawn in 2024
    response = login(teacher).post(url(form), data(pupils, marks))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Mark.objects.exists()
    chosen = {line.row.pupil: line.chosen_code for line in response.context["form"].lines}
    assert chosen == all_present(pupils) | {pupils[0]: "H"}


def test_minutes_late_only_go_with_late_codes(login, teacher, form, pupils):
    response = login(teacher).post(url(form), data(pupils, {pupils[0]: ("/", 5, "")}))
    assert "Minutes late go with L or U only" in response.content.decode()
    assert not Mark.objects.exists()


def test_a_service_error_is_shown_and_the_input_kept(login, officer, form, pupils):
    saturday = dt.date(2025, 9, 6)
    response = login(officer).post(url(form, saturday), data(pupils, all_present(pupils)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saturday 6 September 2025 is not a school day" in page
    assert not Mark.objects.exists()


def test_changing_a_recorded_mark_needs_a_reason(login, officer, teacher, form, pupils):
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, "N") for p in pupils],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )
    client = login(teacher)
    page = client.get(url(form)).content.decode()
    assert "Reason for changing recorded marks" in page
    changed = {p: "N" for p in pupils} | {pupils[0]: "I"}
    response = client.post(url(form), data(pupils, changed, version=1))
    refusal = response.content.decode()
    assert f"{pupils[0].name} already has N (recorded by" in refusal
    assert "you chose I. Give a reason to change it." in refusal
    assert Mark.objects.get(pupil=pupils[0]).code_id == "N"

    response = client.post(url(form), data(pupils, changed, version=1, reason="Mum rang: flu"))
    assert response.status_code == 302
    history = MarkAmendment.objects.get()
    assert (history.old_code, history.new_code, history.reason) == ("N", "I", "Mum rang: flu")
    assert history.changed_by == teacher.user


def test_a_blank_for_a_recorded_mark_leaves_it_alone(login, teacher, form, pupils):
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(pupils[0].pk, "N")],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )
    client = login(teacher)
    select = re.search(
        rf'<select name="p{pupils[0].pk}-code".*?</select>',
        client.get(url(form)).content.decode(),
        re.S,
    ).group(0)
    assert "No mark" not in select  # a recorded mark is never offered for removal
    assert client.post(url(form), data(pupils, {}, version=1)).status_code == 302
    assert Mark.objects.get().code_id == "N"


@pytest.mark.parametrize("session", ["AM", "PM"])
def test_mark_all_present_fills_only_the_blanks_and_saves_nothing(
    login, teacher, form, pupils, session, time_machine
):
    time_machine.move_to(dt.datetime(2025, 9, 8, 13, 20, tzinfo=LONDON), tick=False)
    marks = {pupils[0]: "N", pupils[1]: ("L", 10, "")}
    post = data(pupils, marks, fill_present="1")
    response = login(teacher).post(url(form, session=session), post)
    assert response.status_code == 200
    chosen = {line.row.pupil: line.chosen_code for line in response.context["form"].lines}
    assert chosen == all_present(pupils, session) | {pupils[0]: "N", pupils[1]: "L"}
    assert response.context["form"].unmarked_count == 0
    assert "3 marked present. Not saved yet" in response.content.decode()
    assert not Mark.objects.exists()


def test_posted_pupils_outside_the_register_are_ignored(login, teacher, form, pupils, other_form):
    stranger = PupilFactory(school=form.school, form=other_form)
    post = data(pupils, all_present(pupils)) | {f"p{stranger.pk}-code": "/"}
    assert login(teacher).post(url(form), post).status_code == 302
    assert not Mark.objects.filter(pupil=stranger).exists()


def test_a_register_cannot_be_taken_in_advance(login, officer, form, pupils):
    tomorrow = MONDAY + dt.timedelta(days=1)
    client = login(officer)
    page = client.get(url(form, tomorrow)).content.decode()
    assert "A register cannot be taken in advance" in page
    assert "Save register" not in page
    assert client.post(url(form, tomorrow), data(pupils, all_present(pupils))).status_code == 403
    assert not Mark.objects.exists()


def test_a_teacher_sees_past_registers_read_only(login, teacher, form, pupils):
    friday = dt.date(2025, 9, 5)
    client = login(teacher)
    page = client.get(url(form, friday)).content.decode()
    assert "completed by the attendance office" in page
    assert "<select" not in page
    assert client.post(url(form, friday), data(pupils, all_present(pupils))).status_code == 403


def test_the_office_may_complete_a_past_register(login, officer, form, pupils):
    friday = dt.date(2025, 9, 5)
    response = login(officer).post(url(form, friday), data(pupils, all_present(pupils)))
    assert response.status_code == 302
    assert Mark.objects.filter(date=friday).count() == 5


def test_a_non_school_day_says_so(login, officer, form, pupils):
    page = login(officer).get(url(form, dt.date(2025, 9, 6))).content.decode()
    assert "Saturday 6 September 2025 is not a school day" in page
    assert "<select" not in page


def test_the_query_count_does_not_grow_with_the_form(
    login, teacher, form, django_assert_max_num_queries
):
    client = login(teacher)
    for _ in range(3):
        PupilFactory(school=form.school, form=form)
    client.get(url(form))
    with django_assert_max_num_queries(12) as few:
        client.get(url(form))
    pupils = [PupilFactory(school=form.school, form=form) for _ in range(27)]
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, "/") for p in pupils],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url(form))
