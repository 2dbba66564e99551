"""registers:day, the day's registers: who sees what, statuses, the missing list, queries."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registers.actors import Actor
from registers.models import Closure
from registers.services.calendar import rebuild_school_days
from registers.services.marks import Entry, record_mark, save_register
from tests.registers.factories import FormFactory, PupilFactory

MONDAY = dt.date(2025, 9, 8)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    # Afternoon: both sessions have begun (test_register_sessions covers the morning).
    time_machine.move_to(dt.datetime(2025, 9, 8, 14, 0, tzinfo=LONDON), tick=False)


def url(school, **query) -> str:
    base = reverse("registers:day", args=[school.urn])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_it_only_answers_get(login, officer, school):
    assert login(officer).post(url(school)).status_code == 405


def test_a_teacher_sees_only_their_forms(login, teacher, other_form, form, school):
    page = login(teacher).get(url(school)).content.decode()
    # Whole words: a random CSRF token on the page may hold the letters "4B".
    assert re.search(r"\b4A\b", page)
    assert not re.search(r"\b4B\b", page)


def test_an_officer_sees_every_form_with_its_status(login, officer, teacher, form, other_form):
    pupils = [PupilFactory(school=form.school, form=form) for _ in range(3)]
    PupilFactory(school=form.school, form=other_form)
    # 4A AM taken with one blank: two present, one left unmarked.
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, "/") for p in pupils[:2]],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )
    response = login(officer).get(url(form.school, date="2025-09-08"))
    rows = {row.form.name: row for row in response.context["rows"]}
    assert set(rows) == {"4A", "4B"}
    am = rows["4A"].am
    assert am.state == "blanks"
    assert (am.attending, am.absent, am.unmarked) == (2, 0, 1)
    assert am.taken_by_name == teacher.user.get_full_name()
    assert rows["4A"].pm.state == "missing"
    assert rows["4B"].am.state == "missing"
    page = response.content.decode()
    assert "Not complete: pupils without a mark" in page
    assert "Unmarked 1" in page


def test_a_complete_register_shows_as_taken(login, officer, teacher, form, pupils):
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, "/" if i else "N") for i, p in enumerate(pupils)],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )
    row = login(officer).get(url(form.school)).context["rows"][0]
    assert row.am.state == "taken"
    assert (row.am.attending, row.am.absent, row.am.unmarked) == (4, 1, 0)


def test_the_missing_filter_lists_only_missing_or_blank_registers(
    login, officer, teacher, form, other_form, pupils
):
    PupilFactory(school=form.school, form=other_form)
    for session in ("AM", "PM"):
        save_register(
            form=form,
            day=MONDAY,
            session=session,
            entries=[Entry(p.pk, "/" if session == "AM" else "\\") for p in pupils],
            actor=Actor.for_membership(teacher),
            expected_version=0,
        )
    response = login(officer).get(url(form.school, missing=1))
    assert [row.form.name for row in response.context["rows"]] == ["4B"]
    assert response.context["overview"].attention_count == 2


def test_marks_entered_by_the_office_alone_count_as_marked_not_missing(
    login, officer, form, pupils
):
    actor = Actor.for_membership(officer)
    for p in pupils:
        record_mark(pupil=p, day=MONDAY, session="AM", entry=Entry(p.pk, "V"), actor=actor)
    row = login(officer).get(url(form.school)).context["rows"][0]
    assert row.am.state == "marked"
    assert not row.am.needs_attention


def test_a_weekend_is_not_a_school_day_and_navigation_finds_school_days(login, officer, school):
    response = login(officer).get(url(school, date="2025-09-06"))
    assert "Saturday 6 September 2025 is not a school day" in response.content.decode()
    overview = response.context["overview"]
    assert (overview.previous, overview.next) == (dt.date(2025, 9, 5), MONDAY)


def test_a_closed_session_is_shown_as_closed_with_its_reason(login, officer, school, form, pupils):
    Closure.objects.create(school=school, date=MONDAY, session="PM", reason="INSET")
    rebuild_school_days(school=school)
    response = login(officer).get(url(school))
    assert "The afternoon session is closed: INSET" in response.content.decode()
    assert response.context["rows"][0].pm.state == "closed"


def test_a_future_day_is_not_due(login, officer, school, form, pupils):
    row = login(officer).get(url(school, date="2025-09-09")).context["rows"][0]
    assert row.am.state == "not_due"


def test_a_bad_date_falls_back_to_today_with_a_message(login, officer, school):
    response = login(officer).get(url(school, date="2025-13-45"))
    assert response.context["overview"].day == MONDAY
    assert "That is not a date" in response.content.decode()


def test_the_query_count_does_not_grow_with_forms_or_pupils(
    login, officer, school, django_assert_max_num_queries
):
    client = login(officer)

    def add_forms(n: int) -> None:
        for _ in range(n):
            f = FormFactory(school=school)
            pupils = [PupilFactory(school=school, form=f) for _ in range(4)]
            save_register(
                form=f,
                day=MONDAY,
                session="AM",
                entries=[Entry(p.pk, "/") for p in pupils[:3]],
                actor=Actor.for_membership(officer),
                expected_version=0,
            )

    add_forms(2)
    client.get(url(school))  # warm the session and the content types
    # 12: two of them count the school's sessions with no mark (the office's data-quality line).
    with django_assert_max_num_queries(12) as small:
        client.get(url(school))
    add_forms(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url(school))
    assert len(response.context["rows"]) == 12
