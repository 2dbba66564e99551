"""Bad input never makes a 500: dates outside any school year in query strings, forms and
URLs, NUL bytes anywhere in a request, back-dated penalty referrals (issue 14, part 5)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django import forms
from django.core.management import CommandError, call_command
from django.urls import reverse

from attendance_portal.dates import EARLIEST, LATEST, DateField, parse_date
from escalation.services import cases as services
from registers.actors import Actor
from registers.models import Mark

TODAY = dt.date(2025, 10, 1)
EXTREMES = ["0001-01-01", "0001-01-07", "1999-12-31", "2100-01-01", "9999-12-31"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2025, 10, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def case(pupil, officer):
    return services.open_case(
        pupil=pupil, actor=Actor.for_membership(officer), summary="Low in September", on=TODAY
    )


# --- The shared field and parser ---------------------------------------------------------


class _Form(forms.Form):
    on = DateField(required=False)


@pytest.mark.parametrize("text", EXTREMES)
def test_the_shared_field_refuses_dates_outside_the_sane_range(text):
    form = _Form({"on": text})
    assert not form.is_valid()
    assert form.errors["on"] == [
        f"Choose a date between {EARLIEST:%-d %B %Y} and {LATEST:%-d %B %Y}."
    ]


def test_the_shared_field_keeps_its_bounds_and_reads_iso_dates():
    assert _Form({"on": "2000-01-01"}).is_valid()
    assert _Form({"on": "2099-12-31"}).is_valid()
    form = _Form({"on": "2025-10-06"})
    assert form.is_valid() and form.cleaned_data["on"] == dt.date(2025, 10, 6)


@pytest.mark.parametrize("text", [*EXTREMES, "2025-02-30", "yesterday", "\x00"])
def test_parse_date_says_what_is_wrong(text):
    with pytest.raises(ValueError, match=r"not a date|Choose a date between"):
        parse_date(text)


# --- Query strings of the office's lists and the league -----------------------------------


def _lists(school):
    urn = school.urn
    return [
        (reverse("escalation:concern", args=[urn]), "week"),
        (reverse("escalation:fpn", args=[urn]), "date"),
        (reverse("escalation:calling", args=[urn]), "date"),
        (reverse("registers:day", args=[urn]), "date"),
    ]


@pytest.mark.parametrize("text", EXTREMES)
def test_the_office_lists_refuse_out_of_range_dates_with_a_message(login, officer, school, text):
    client = login(officer)
    for url, param in _lists(school):
        response = client.get(url, {param: text})
        assert response.status_code == 200, (url, response.status_code)
        page = response.content.decode()
        assert "Choose a date between 1 January 2000 and 31 December 2099" in page, url


def test_an_unreadable_date_still_says_it_is_not_a_date(login, officer, school):
    client = login(officer)
    for url, param in _lists(school):
        page = client.get(url, {param: "2025-02-30"}).content.decode()
        assert "That is not a date (use YYYY-MM-DD)" in page, url


@pytest.mark.parametrize("text", EXTREMES)
def test_a_teacher_cannot_break_the_celebration_league(login, teacher, school, text):
    url = reverse("reporting:celebration", args=[school.urn])
    response = login(teacher).get(url, {"week": text})
    assert response.status_code == 200
    assert "Choose a date between 1 January 2000 and 31 December 2099" in (
        response.content.decode()
    )


def test_the_celebration_league_still_says_a_rubbish_week_is_not_a_date(login, teacher, school):
    url = reverse("reporting:celebration", args=[school.urn])
    response = login(teacher).get(url, {"week": "soon"})
    assert response.status_code == 200
    assert "That is not a date (use YYYY-MM-DD)" in response.content.decode()


# --- Dates in URLs ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31"])
def test_register_and_amend_urls_outside_the_range_are_not_found(
    login, officer, school, form, pupil, text
):
    client = login(officer)
    base = f"/s/{school.urn}"
    assert client.get(f"{base}/registers/{form.pk}/{text}/AM/").status_code == 404
    assert client.get(f"{base}/pupils/{pupil.pk}/marks/{text}/AM/").status_code == 404


# --- Dates posted in forms ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31"])
def test_a_call_logged_on_an_impossible_date_is_a_form_error(login, officer, school, pupil, text):
    url = reverse("escalation:calling_log", args=[school.urn, pupil.pk])
    response = login(officer).post(url, {"date": text, "outcome": "no_answer"})
    assert response.status_code == 422
    assert "Choose a date between 1 January 2000 and 31 December 2099" in (
        response.content.decode()
    )


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31"])
def test_case_forms_refuse_impossible_dates(login, officer, case, text):
    url = reverse("escalation:case_note", args=[case.school.urn, case.pk])
    response = login(officer).post(
        url, {"note-summary": "Phoned", "note-on": "2025-09-30", "note-next_review": text}
    )
    assert response.status_code == 400
    assert "Choose a date between 1 January 2000 and 31 December 2099" in (
        response.content.decode()
    )


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31"])
def test_leave_forms_refuse_impossible_dates(login, officer, school, pupil, text):
    url = reverse("registers:leave_new", args=[school.urn])
    response = login(officer).post(
        url,
        {
            "pupil": pupil.pk,
            "start_date": text,
            "start_session": "AM",
            "end_date": text,
            "end_session": "PM",
            "requested_on": "2025-09-30",
            "reason": "Wedding",
        },
    )
    assert response.status_code in (200, 400)
    assert "Choose a date between 1 January 2000 and 31 December 2099" in (
        response.content.decode()
    )


# --- Penalty notices before the 2024 framework --------------------------------------------


def _refer(client, case, on: str):
    url = reverse("escalation:case_referral", args=[case.school.urn, case.pk])
    return client.post(
        url,
        {
            "referral-parent_name": "Ann Smith",
            "referral-referred_on": on,
            "referral-evidence": "O × 12",
        },
    )


def test_a_back_dated_referral_posted_twice_is_refused_both_times(login, officer, case):
    client = login(officer)
    for _ in range(2):
        response = _refer(client, case, "2024-03-01")
        assert response.status_code == 400
        assert "19 August 2024" in response.content.decode()
    assert not case.penalty_referrals.exists()


def test_back_dated_referrals_cannot_get_round_the_limit_of_two(login, officer, case):
    client = login(officer)
    for on in ("2023-01-10", "2023-06-10", "2024-02-10", "2024-08-18"):
        assert _refer(client, case, on).status_code == 400
    assert _refer(client, case, "2024-09-10").status_code == 302
    assert _refer(client, case, "2025-01-10").status_code == 302
    third = _refer(client, case, "2025-09-10")
    assert third.status_code == 400 and "section 444" in third.content.decode()
    assert case.penalty_referrals.count() == 2


def test_the_rules_refuse_a_notice_before_the_framework():
    from escalation import rules

    with pytest.raises(rules.NoticeBeforeFramework, match="19 August 2024"):
        rules.penalty_terms(prior=[], on=dt.date(2024, 8, 18))
    assert rules.penalty_terms(prior=[], on=rules.FRAMEWORK_START).sequence == 1


# --- Nothing was written by any of it -----------------------------------------------------


def test_no_mark_is_written_by_a_call_on_an_impossible_date(login, officer, school, pupil):
    url = reverse("escalation:calling_log", args=[school.urn, pupil.pk])
    login(officer).post(url, {"date": "0001-01-01", "outcome": "arrived_late"})
    assert not Mark.objects.filter(pupil=pupil).exists()


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("fpn_candidates", ["--date", "9999-12-31"]),
        ("fpn_candidates", ["--date", "0001-01-01"]),
        ("attendance_stats", ["--to", "9999-12-31"]),
        ("attendance_stats", ["--from", "0001-01-01"]),
        ("run_sweep", ["--date", "9999-12-31"]),
    ],
)
def test_the_commands_refuse_dates_outside_the_range(school, command, args):
    with pytest.raises(CommandError, match="is outside 2000-01-01 to 2099-12-31"):
        call_command(command, "--school", school.urn, *args, stdout=io.StringIO())
