"""The first-day calling list and the call log (registers.services.calls)."""

from __future__ import annotations

import datetime as dt
from html import escape

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registers.actors import Actor
from registers.models import CallAttempt, Contact, Mark, MarkAmendment, Pupil
from registers.services.calls import CallError, call_reason, late_code, log_call
from tests.escalation.conftest import OFFICE_LIST_STATUS as PERSONA_STATUS
from tests.registers.factories import MarkFactory, PupilFactory

DAY = dt.date(2025, 10, 6)  # a Monday of the conftest's Autumn 1
Outcome = CallAttempt.Outcome


def contact(pupil: Pupil, name: str, priority: int, phone: str = "07700 900123") -> Contact:
    return Contact.objects.create(
        school=pupil.school,
        pupil=pupil,
        name=name,
        relationship="Mother" if priority == 1 else "Grandad",
        phone=phone,
        priority=priority,
    )


def calling_url(school) -> str:
    return reverse("escalation:calling", args=[school.urn])


def log_url(school, pupil) -> str:
    return reverse("escalation:calling_log", args=[school.urn, pupil.pk])


def codes_of(pupil: Pupil, day: dt.date = DAY) -> list[str]:
    return list(
        Mark.objects.filter(pupil=pupil, date=day)
        .order_by("session")
        .values_list("code", flat=True)
    )


@pytest.fixture
def absentee(pupil):
    MarkFactory.at(pupil, [(DAY, "AM"), (DAY, "PM")], "N")
    return pupil


@pytest.fixture
def mum(absentee):
    return contact(absentee, "Sarah Jones", 1)


# --- Who may see and use the list ---------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), PERSONA_STATUS)
def test_each_persona_gets_the_right_answer_for_logging_a_call(
    request, login, school, absentee, persona, status
):
    client = login(request.getfixturevalue(persona))
    response = client.post(
        log_url(school, absentee), {"date": "2025-10-06", "outcome": "no_answer"}
    )
    assert response.status_code == (302 if status == 200 else status)
    assert CallAttempt.objects.count() == (1 if status == 200 else 0)
    # Logging is POST only: a GET is 405 before the role is looked at.
    assert client.get(log_url(school, absentee)).status_code == 405


# --- The list -----------------------------------------------------------------------------


def test_the_list_shows_contacts_flags_sessions_calls_and_the_year_figure(
    login, officer, school, absentee, mum
):
    contact(absentee, "Bill Jones", 2, phone="01632 960001")
    absentee.pupil_premium = True
    absentee.save()
    # A present morning last week so the year-to-date figure is 1 of 3 sessions.
    MarkFactory.at(absentee, [(dt.date(2025, 9, 29), "AM")], "/")
    log_call(
        pupil=absentee,
        day=DAY,
        outcome=Outcome.VOICEMAIL,
        code=None,
        contact=mum,
        note="",
        actor=Actor.for_membership(officer),
    )
    html = login(officer).get(calling_url(school), {"date": "2025-10-06"}).content.decode()
    assert escape(absentee.name) in html
    assert 'href="tel:07700900123"' in html and 'href="tel:01632960001"' in html
    assert html.index("Sarah Jones") < html.index("Bill Jones")  # priority order
    assert ">PP<" in html
    assert "morning" in html and "afternoon" in html
    assert "Left voicemail" in html
    assert "33.3%" in html


def test_vulnerable_pupils_come_first(login, officer, school, form):
    plain = PupilFactory(school=school, form=form, surname="Aaron")
    pp = PupilFactory(school=school, form=form, surname="Baker", pupil_premium=True)
    sen = PupilFactory(school=school, form=form, surname="Carter", sen=Pupil.SEN.SUPPORT)
    ehcp = PupilFactory(school=school, form=form, surname="Dixon", sen=Pupil.SEN.EHCP)
    cla = PupilFactory(school=school, form=form, surname="Evans", cla=True)
    cin = PupilFactory(school=school, form=form, surname="Fox", cin=True)
    for p in (plain, pp, sen, ehcp, cla, cin):
        MarkFactory.at(p, [(DAY, "AM")], "N")
    html = login(officer).get(calling_url(school), {"date": "2025-10-06"}).content.decode()
    positions = [html.index(f'id="call-row-{p.pk}"') for p in (cin, cla, ehcp, sen, pp, plain)]
    assert positions == sorted(positions)


def test_the_empty_list_says_so_and_links_to_the_missing_registers(login, officer, school):
    html = login(officer).get(calling_url(school), {"date": "2025-10-06"}).content.decode()
    assert "No unexplained absences" in html
    day_url = reverse("registers:day", args=[school.urn])
    assert f"{day_url}?date=2025-10-06&amp;missing=1" in html


def test_a_day_without_school_says_so(login, officer, school):
    html = login(officer).get(calling_url(school), {"date": "2025-10-04"}).content.decode()
    assert "is not a school day" in html


def test_an_unreadable_date_falls_back_to_today_with_a_warning(login, officer, school):
    response = login(officer).get(calling_url(school), {"date": "yesterday"})
    assert response.status_code == 200
    assert "That is not a date" in response.content.decode()


def test_the_list_leaves_out_other_schools(login, officer, school, other_school, absentee):
    stranger = PupilFactory(school=other_school, surname="Stranger")
    MarkFactory.at(stranger, [(DAY, "AM"), (DAY, "PM")], "N")
    html = login(officer).get(calling_url(school), {"date": "2025-10-06"}).content.decode()
    assert escape(absentee.name) in html
    assert f"call-row-{stranger.pk}" not in html


def test_the_query_count_does_not_grow_with_pupils(login, officer, school, form):
    client = login(officer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(calling_url(school), {"date": "2025-10-06"}).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        p = PupilFactory(school=school, form=form)
        MarkFactory.at(p, [(DAY, "AM"), (DAY, "PM")], "N")
        contact(p, "Parent", 1)
    few = count_queries()
    for _ in range(8):
        p = PupilFactory(school=school, form=form)
        MarkFactory.at(p, [(DAY, "AM"), (DAY, "PM")], "N")
        contact(p, "Parent", 1)
        contact(p, "Carer", 2)
    assert count_queries() == few
    assert few <= 20


# --- Logging calls ------------------------------------------------------------------------


def test_a_reason_replaces_the_n_marks_with_an_audited_amendment(
    login, officer, school, absentee, mum
):
    response = login(officer).post(
        log_url(school, absentee),
        {
            "date": "2025-10-06",
            "outcome": "reason",
            "code": "I",
            "contact": mum.pk,
            "note": "temperature",
        },
    )
    assert response.status_code == 302
    assert response.url.startswith(calling_url(school) + "?date=2025-10-06")
    assert codes_of(absentee) == ["I", "I"]
    assert set(Mark.objects.filter(pupil=absentee).values_list("source", flat=True)) == {
        Mark.Source.CALLING
    }
    amendments = MarkAmendment.objects.filter(pupil=absentee)
    assert amendments.count() == 2
    for amendment in amendments:
        assert (amendment.old_code, amendment.new_code) == ("N", "I")
        assert amendment.reason.startswith("First-day call")
        assert "Sarah Jones (Mother)" in amendment.reason and "temperature" in amendment.reason
        assert amendment.changed_by == officer.user
    call = CallAttempt.objects.get()
    assert (call.outcome, call.code_given_id, call.contact, call.called_by) == (
        Outcome.REASON,
        "I",
        mum,
        officer.user,
    )


def test_after_a_reason_the_pupil_leaves_the_list(login, officer, school, absentee, mum):
    client = login(officer)
    client.post(
        log_url(school, absentee),
        {"date": "2025-10-06", "outcome": "reason", "code": "M", "contact": mum.pk},
    )
    html = client.get(calling_url(school), {"date": "2025-10-06"}).content.decode()
    assert f'id="call-row-{absentee.pk}"' not in html
    assert "No unexplained absences" in html
    assert "Resolved by calls" in html  # and it is shown among the day's resolved calls


def test_no_answer_keeps_the_n_marks_and_stores_the_attempt(login, officer, school, absentee, mum):
    client = login(officer)
    client.post(
        log_url(school, absentee),
        {"date": "2025-10-06", "outcome": "no_answer", "contact": mum.pk},
    )
    assert codes_of(absentee) == ["N", "N"]
    assert MarkAmendment.objects.count() == 0
    call = CallAttempt.objects.get()
    assert (call.outcome, call.code_given, call.date) == (Outcome.NO_ANSWER, None, DAY)
    html = client.get(calling_url(school), {"date": "2025-10-06"}).content.decode()
    assert f'id="call-row-{absentee.pk}"' in html
    assert "No answer" in html


def test_an_htmx_request_gets_the_row_fragment(login, officer, school, absentee, mum):
    client = login(officer)
    response = client.post(
        log_url(school, absentee),
        {"date": "2025-10-06", "outcome": "no_answer", "contact": mum.pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith(
        f'<article class="card calling-row mb-3" id="call-row-{absentee.pk}"'
    )
    assert "No answer" in html and "Record reason" in html
    assert "<strong>1</strong> pupil to call." in html

    response = client.post(
        log_url(school, absentee),
        {"date": "2025-10-06", "outcome": "reason", "code": "I", "contact": mum.pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "calling-row mb-3 resolved" in html
    assert "Resolved" in html and "Record reason" not in html
    # The page's count is updated out of band.
    assert '<span id="to-call-count" hx-swap-oob="true"><strong>0</strong> pupils to call.' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "reason", "code": "ZZ"}, "Select a valid choice"),
        ({"outcome": "reason", "code": "N"}, "Select a valid choice"),
        ({"outcome": "reason", "code": ""}, "Choose the code"),
        ({"outcome": "shouted"}, "Select a valid choice"),
        ({"outcome": "arrived_late"}, "minutes after the register began"),
        ({"outcome": "arrived_late", "minutes_late": "-5"}, "greater than or equal to 0"),
    ],
)
def test_an_invalid_call_is_refused_with_a_clear_error_and_changes_nothing(
    login, officer, school, absentee, mum, data, message
):
    client = login(officer)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(log_url(school, absentee), {"date": "2025-10-06", **data}, **headers)
        assert response.status_code == 422
        assert message in response.content.decode()
    assert codes_of(absentee) == ["N", "N"]
    assert CallAttempt.objects.count() == 0
    assert MarkAmendment.objects.count() == 0


def test_a_pupil_of_another_school_is_not_found(login, officer, school, other_school):
    stranger = PupilFactory(school=other_school)
    MarkFactory.at(stranger, [(DAY, "AM"), (DAY, "PM")], "N")
    response = login(officer).post(
        log_url(school, stranger), {"date": "2025-10-06", "outcome": "reason", "code": "I"}
    )
    assert response.status_code == 404
    assert codes_of(stranger) == ["N", "N"]
    assert CallAttempt.objects.count() == 0


def test_a_contact_of_another_pupil_is_refused(login, officer, school, absentee, pupils):
    someone_else = contact(pupils[1], "Not Their Mum", 1)
    response = login(officer).post(
        log_url(school, absentee),
        {"date": "2025-10-06", "outcome": "reason", "code": "I", "contact": someone_else.pk},
    )
    assert response.status_code == 422
    assert codes_of(absentee) == ["N", "N"]
    assert CallAttempt.objects.count() == 0


def test_a_second_reason_for_a_resolved_absence_is_refused(login, officer, school, absentee):
    client = login(officer)
    data = {"date": "2025-10-06", "outcome": "reason", "code": "I"}
    assert client.post(log_url(school, absentee), data).status_code == 302
    response = client.post(log_url(school, absentee), {**data, "code": "G"})
    assert response.status_code == 422
    assert "no unexplained absence" in response.content.decode()
    assert codes_of(absentee) == ["I", "I"]
    assert CallAttempt.objects.count() == 1


@pytest.mark.parametrize(("minutes", "code"), [(1, "L"), (30, "L"), (31, "U"), (120, "U")])
def test_a_late_arrival_becomes_l_or_u_by_the_register_close(
    login, officer, school, absentee, minutes, code
):
    login(officer).post(
        log_url(school, absentee),
        {"date": "2025-10-06", "outcome": "arrived_late", "minutes_late": minutes},
    )
    am, pm = Mark.objects.filter(pupil=absentee).order_by("session")
    assert (am.code_id, am.minutes_late) == (code, minutes)
    assert pm.code_id == "N"  # the afternoon still needs its own reason or register
    assert CallAttempt.objects.get().code_given_id == code


def test_a_late_arrival_of_no_minutes_is_refused_and_changes_nothing(
    login, officer, school, absentee
):
    """Late means after the session began: L with 0 minutes is refused (docs/domain.md §3)."""
    response = login(officer).post(
        log_url(school, absentee),
        {"date": "2025-10-06", "outcome": "arrived_late", "minutes_late": 0},
    )
    assert response.status_code == 422
    assert codes_of(absentee) == ["N", "N"]
    assert CallAttempt.objects.count() == 0


def test_a_late_arrival_in_the_afternoon_leaves_the_morning_n(login, officer, school, absentee):
    login(officer).post(
        log_url(school, absentee),
        {"date": "2025-10-06", "outcome": "arrived_late", "minutes_late": 5, "session": "PM"},
    )
    assert codes_of(absentee) == ["N", "L"]


# --- The service and the table ------------------------------------------------------------


def test_late_code_uses_the_schools_register_close():
    assert late_code(minutes_late=20, register_open_minutes=20) == "L"
    assert late_code(minutes_late=21, register_open_minutes=20) == "U"


def test_the_amendment_reason_says_who_said_what(absentee, mum):
    assert call_reason(contact=mum, code="I", note="flu") == (
        "First-day call: Sarah Jones (Mother) said I – Illness (not medical or dental "
        "appointment): flu"
    )
    assert call_reason(contact=None, code="G", note="").startswith("First-day call: family said G")


def test_log_call_refuses_an_unknown_outcome_and_writes_nothing(officer, absentee):
    with pytest.raises(CallError):
        log_call(
            pupil=absentee,
            day=DAY,
            outcome="shouted",
            code=None,
            contact=None,
            note="",
            actor=Actor.for_membership(officer),
        )
    assert CallAttempt.objects.count() == 0


def test_the_database_refuses_a_code_on_a_call_that_found_no_reason(school, absentee):
    with pytest.raises(IntegrityError), transaction.atomic():
        CallAttempt.objects.create(
            school=school, pupil=absentee, date=DAY, outcome=Outcome.NO_ANSWER, code_given_id="I"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CallAttempt.objects.create(
            school=school, pupil=absentee, date=DAY, outcome=Outcome.ARRIVED_LATE, code_given_id="I"
        )


# --- Pupils left unmarked in a saved register (issue 17: a safeguarding gap) --------------


def test_pupils_left_unmarked_in_a_saved_register_stay_on_the_calling_list(
    login, officer, teacher, form, pupils
):
    from registers.services.marks import Entry, save_register

    marked, (blank_one, blank_two) = pupils[:3], pupils[3:]
    save_register(
        form=form,
        day=DAY,
        session="AM",
        entries=[Entry(p.pk, "/") for p in marked],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )
    response = login(officer).get(calling_url(form.school) + "?date=2025-10-06")
    rows = {row.pupil: row for row in response.context["rows"]}
    assert set(rows) == {blank_one, blank_two}
    assert rows[blank_one].unmarked == ["AM"] and not rows[blank_one].resolved
    page = response.content.decode()
    assert "No mark in the saved register for:" in page
    assert escape(blank_one.name) in page and escape(marked[0].name) not in page
    # Once they have a mark they leave the list.
    save_register(
        form=form,
        day=DAY,
        session="AM",
        entries=[Entry(p.pk, "/") for p in pupils],
        actor=Actor.for_membership(teacher),
        expected_version=1,
    )
    assert login(officer).get(calling_url(form.school) + "?date=2025-10-06").context["rows"] == []
