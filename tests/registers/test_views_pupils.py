"""registers:pupils (the list) and registers:pupil (the pupil page with grid and history)."""

from __future__ import annotations

import datetime as dt
from html import escape
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registers.actors import Actor
from registers.models import Closure, Contact
from registers.services.calendar import rebuild_school_days
from registers.services.marks import Entry, record_mark
from tests.registers.factories import PupilFactory, make_half_term

MONDAY = dt.date(2025, 9, 8)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2025, 9, 12, 16, 0, tzinfo=LONDON), tick=False)


def list_url(school, **query) -> str:
    base = reverse("registers:pupils", args=[school.urn])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def pupil_url(pupil, **query) -> str:
    base = reverse("registers:pupil", args=[pupil.school.urn, pupil.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- the list ------------------------------------------------------------------------


def test_a_teacher_lists_only_their_forms_pupils(login, teacher, other_teacher, pupils, other_form):
    stranger = PupilFactory(school=other_form.school, form=other_form)
    listed = login(teacher).get(list_url(other_form.school)).context["pupils"]
    assert set(listed) == set(pupils)
    listed = login(other_teacher).get(list_url(other_form.school)).context["pupils"]
    assert listed == [stranger]


def test_search_by_name_or_upn_and_filter_by_form_and_year(login, officer, form, other_form):
    school = form.school
    ada = PupilFactory(school=school, form=form, forename="Ada", surname="Lovelace")
    alan = PupilFactory(
        school=school, form=other_form, forename="Alan", surname="Turing", year_group="5"
    )
    client = login(officer)

    def found(**query):
        return client.get(list_url(school, **query)).context["pupils"]

    assert found(q="love") == [ada]
    assert found(q="ada love") == [ada]
    assert found(q=alan.upn) == [alan]
    assert found(q=alan.upn.lower()) == [alan]
    assert found(form=other_form.pk) == [alan]
    assert found(year="5") == [alan]
    assert found(form=other_form.pk, year="4") == []


def test_leavers_are_hidden_unless_asked_for(login, officer, form):
    gone = PupilFactory(school=form.school, form=form, leaving_date=dt.date(2025, 7, 18))
    client = login(officer)
    assert gone not in client.get(list_url(form.school)).context["pupils"]
    assert gone in client.get(list_url(form.school, left="on")).context["pupils"]


def test_the_list_is_paginated_by_fifty(login, officer, form):
    for _ in range(55):
        PupilFactory(school=form.school, form=form)
    client = login(officer)
    first = client.get(list_url(form.school))
    assert len(first.context["pupils"]) == 50
    assert "page 1 of 2" in first.content.decode()
    assert len(client.get(list_url(form.school, page=2)).context["pupils"]) == 5


def test_the_list_query_count_is_bounded(login, officer, form, django_assert_max_num_queries):
    for _ in range(60):
        PupilFactory(school=form.school, form=form)
    client = login(officer)
    client.get(list_url(form.school))
    with django_assert_max_num_queries(8):
        client.get(list_url(form.school, q="a"))


# --- the pupil page --------------------------------------------------------------------


def test_a_pupil_of_another_school_is_not_found(login, officer, other_school):
    foreign = PupilFactory(school=other_school)
    url = reverse("registers:pupil", args=[officer.school.urn, foreign.pk])
    assert login(officer).get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "linked"), [("officer", True), ("head", True), ("teacher", False)]
)
def test_the_subject_access_export_is_linked_for_the_office_only(
    request, login, pupil, persona, linked
):
    export = reverse("registers:pupil_export", args=[pupil.school.urn, pupil.pk])
    page = login(request.getfixturevalue(persona)).get(pupil_url(pupil)).content.decode()
    assert (f'href="{export}"' in page) is linked


@pytest.fixture
def history(officer, pupil):
    """A week of marks for `pupil`, one of them changed, and a closed Friday afternoon."""
    school = pupil.school
    Closure.objects.create(school=school, date=dt.date(2025, 9, 12), session="PM", reason="INSET")
    rebuild_school_days(school=school)
    actor = Actor.for_membership(officer)
    for offset in range(4):
        day = MONDAY + dt.timedelta(days=offset)
        for session, code in (("AM", "/"), ("PM", "\\")):
            record_mark(
                pupil=pupil, day=day, session=session, entry=Entry(pupil.pk, code), actor=actor
            )
    record_mark(
        pupil=pupil,
        day=MONDAY,
        session="PM",
        entry=Entry(pupil.pk, "I"),
        actor=actor,
        reason="Mum rang: sick at lunch",
    )
    Contact.objects.create(
        school=school, pupil=pupil, name="Jo Carer", relationship="Mother", phone="01234 567890"
    )
    return pupil


def test_the_pupil_page_shows_details_grid_and_history(login, officer, history):
    pupil = history
    response = login(officer).get(pupil_url(pupil))
    page = response.content.decode()
    assert pupil.upn in page and "Jo Carer" in page and "01234 567890" in page
    year = response.context["year"]
    assert year.label == "2025/26"
    [term] = year.terms
    week = next(w for w in term.weeks if w.monday == MONDAY)
    monday, *_, friday = week.days
    assert [h.code for h in monday.halves] == ["/", "I"]
    assert [h.css for h in monday.halves] == ["cat-present", "cat-authorised_absence"]
    assert friday.halves[1].css == "closed"
    assert friday.halves[0].css == "cat-none"  # Friday AM has no mark yet
    assert 'class="half cat-authorised_absence"' in page
    # History: old -> new, reason, who with position.
    assert "Mum rang: sick at lunch" in page
    assert "Attendance officer" in page
    assert escape(officer.user.get_full_name()) in page
    # The office gets a link to change each session; the week before school shows no links.
    assert reverse("registers:amend", args=[pupil.school.urn, pupil.pk, MONDAY, "PM"]) in page


def test_a_teacher_sees_the_grid_without_amend_links(login, teacher, history):
    page = login(teacher).get(pupil_url(history)).content.decode()
    assert "Mum rang: sick at lunch" in page
    assert "/marks/" not in page


def test_the_year_can_be_chosen(login, officer, pupil):
    make_half_term(pupil.school, "Summer 2", dt.date(2025, 6, 2), dt.date(2025, 7, 18))
    client = login(officer)
    assert client.get(pupil_url(pupil)).context["year"].start_year == 2025
    chosen = client.get(pupil_url(pupil, year=2024)).context["year"]
    assert (chosen.start_year, [t.name for t in chosen.terms]) == (2024, ["Summer 2"])
    # A year the school has no calendar for falls back to the current one.
    assert client.get(pupil_url(pupil, year=1999)).context["year"].start_year == 2025


def test_the_pupil_page_query_count_does_not_grow_with_marks(
    login, officer, pupil, django_assert_max_num_queries
):
    client = login(officer)
    client.get(pupil_url(pupil))
    # 18: two of them count the sessions with no mark (the page's data-quality line), two
    # read the messages to the family and the parents' reports.
    with django_assert_max_num_queries(18) as few:
        client.get(pupil_url(pupil))
    actor = Actor.for_membership(officer)
    for offset in range(5):
        day = MONDAY + dt.timedelta(days=offset)
        record_mark(pupil=pupil, day=day, session="AM", entry=Entry(pupil.pk, "N"), actor=actor)
        record_mark(
            pupil=pupil, day=day, session="AM", entry=Entry(pupil.pk, "I"), actor=actor, reason="r"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(pupil_url(pupil))
