"""Penalty notices, notices to improve and the s7 duty only for pupils of compulsory school
age (issue 15 part 1; docs/domain.md §10), session by session.

The scenario: a summer-born Reception child (born 2021-06-01, of compulsory school age only
from 31 August 2026) and a Year 12 student (born 2009-01-01, past it since 27 June 2025),
each with 10 sessions of O/N in the week of 10 November 2025, beside a Year 4 pupil with
the same marks.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import make_half_term
from escalation.letters import attendance_duty
from escalation.models import Case, EscalationEvent
from escalation.services.cases import CaseError
from escalation.services.interventions import (
    issue_notice_to_improve,
    refer_for_penalty_notice,
    refer_to_la,
)
from escalation.services.sweep import run_sweep
from registers.actors import Actor
from registers.figures import fpn_candidates
from registers.models import Pupil, SchoolDay
from registers.school_age import compulsory_school_age
from tests.escalation.factories import CaseFactory, LetterFactory
from tests.escalation.test_letters_engine import make_context
from tests.registers.factories import MarkFactory, PupilFactory

WEEK = [dt.date(2025, 11, 10) + dt.timedelta(days=n) for n in range(5)]
AS_OF = dt.date(2025, 11, 14)
ACTOR = Actor(None, "Olivia Officer", "Attendance officer")


@pytest.fixture
def november(school):
    make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    return school


@pytest.fixture
def cohort(november, form):
    pupils = {
        "reception": PupilFactory(
            school=november,
            form=form,
            upn="R00000000001A",
            date_of_birth=dt.date(2021, 6, 1),
            year_group="R",
            admission_date=dt.date(2025, 9, 3),
        ),
        "year12": PupilFactory(
            school=november,
            form=form,
            upn="S00000000001A",
            date_of_birth=dt.date(2009, 1, 1),
            year_group="12",
        ),
        "year4": PupilFactory(school=november, form=form, upn="Y00000000001A"),
    }
    for pupil in pupils.values():
        MarkFactory.run(pupil, "ON" * 5, start=WEEK[0], end=WEEK[-1])
        present_before(pupil, WEEK[0])
    return pupils


def present_before(pupil: Pupil, day: dt.date) -> None:
    """Present at every open session on roll before `day`: a complete register, since the
    sweep takes no step on a figure with unmarked sessions (issue 15 part 2)."""
    days = SchoolDay.objects.for_school(pupil.school).filter(
        date__lt=day, date__gte=pupil.admission_date
    )
    MarkFactory.create_many(
        pupil,
        [
            (d.date, s, c)
            for d in days
            for s, c, is_open in (("AM", "/", d.am_open), ("PM", "\\", d.pm_open))
            if is_open
        ],
    )


def test_the_scenario_dates_are_those_of_the_law():
    assert compulsory_school_age(dt.date(2021, 6, 1)).start == dt.date(2026, 8, 31)
    assert compulsory_school_age(dt.date(2009, 1, 1)).end == dt.date(2025, 6, 27)


def test_fpn_candidates_lists_only_the_pupil_of_compulsory_school_age(cohort, november):
    out = io.StringIO()
    call_command(
        "fpn_candidates",
        "--school",
        november.urn,
        "--date",
        "2025-11-14",
        "--format",
        "json",
        stdout=out,
    )
    assert [r["upn"] for r in json.loads(out.getvalue())] == ["Y00000000001A"]


def test_the_candidates_page_lists_only_the_pupil_of_compulsory_school_age(
    cohort, november, login, officer
):
    html = (
        login(officer)
        .get(reverse("escalation:fpn", args=[november.urn]), {"date": "2025-11-14"})
        .content.decode()
    )
    assert "Y00000000001A" in html
    assert "R00000000001A" not in html and "S00000000001A" not in html


def test_the_sweep_opens_no_penalty_notice_case_outside_compulsory_school_age(cohort, november):
    summary = run_sweep(school=november, as_of=AS_OF)
    assert [c["upn"] for c in summary.fpn_candidates] == ["Y00000000001A"]
    flagged = set(
        EscalationEvent.objects.filter(action=EscalationEvent.Action.FPN_CANDIDATE).values_list(
            "pupil__upn", flat=True
        )
    )
    assert flagged == {"Y00000000001A"}
    assert not Case.objects.filter(
        pupil__in=[cohort["reception"], cohort["year12"]], reason=Case.Reason.FPN_THRESHOLD
    ).exists()


@pytest.mark.parametrize("who", ["reception", "year12"])
def test_no_notice_is_accepted_outside_compulsory_school_age(cohort, november, who):
    case = CaseFactory(
        school=november, pupil=cohort[who], reason=Case.Reason.MANUAL, opened_on=AS_OF
    )
    with pytest.raises(CaseError, match="not of compulsory school age"):
        refer_for_penalty_notice(
            case=case, actor=ACTOR, parent_name="A Parent", referred_on=AS_OF, evidence="10 O/N"
        )
    with pytest.raises(CaseError, match="not of compulsory school age"):
        issue_notice_to_improve(case=case, actor=ACTOR, issued_on=AS_OF, summary="Support")
    with pytest.raises(CaseError, match="not of compulsory school age"):
        refer_to_la(case=case, actor=ACTOR, route="prosecution", referred_on=AS_OF, summary="x")
    case.refresh_from_db()
    assert case.stage == Case.Stage.MONITORING
    assert not case.penalty_referrals.exists() and not case.notices.exists()


def test_the_refusal_reaches_the_case_page_as_a_form_error(cohort, november, login, officer):
    case = CaseFactory(
        school=november, pupil=cohort["reception"], reason=Case.Reason.MANUAL, opened_on=AS_OF
    )
    response = login(officer).post(
        reverse("escalation:case_referral", args=[november.urn, case.pk]),
        {
            "referral-parent_name": "A Parent",
            "referral-referred_on": "2025-11-14",
            "referral-evidence": "10 sessions",
        },
    )
    assert response.status_code == 400
    assert "reaches compulsory school age only on 31 August 2026" in response.content.decode()


@pytest.fixture
def winter(school, form):
    """A child who reaches compulsory school age on 31 December 2025 (born 1 Oct 2020)."""
    make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    make_half_term(school, "Spring 1", dt.date(2026, 1, 5), dt.date(2026, 2, 13))
    return PupilFactory(
        school=school,
        form=form,
        upn="W00000000001A",
        date_of_birth=dt.date(2020, 10, 1),
        year_group="R",
    )


def test_a_child_reaching_school_age_mid_window_counts_only_sessions_from_that_day(school, winter):
    MarkFactory.run(winter, "O" * 8, start=dt.date(2025, 12, 8), end=dt.date(2025, 12, 12))
    MarkFactory.run(winter, "O" * 9, start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 9))
    # 17 unauthorised sessions in the window, only 9 of them of compulsory school age.
    assert fpn_candidates(school=school, as_of=dt.date(2026, 1, 9)) == []
    assert run_sweep(school=school, as_of=dt.date(2026, 1, 9)).fpn_candidates == []


def test_the_sweep_and_the_command_count_the_same_sessions_mid_window(school, winter):
    MarkFactory.run(winter, "O" * 8, start=dt.date(2025, 12, 8), end=dt.date(2025, 12, 12))
    MarkFactory.run(winter, "O" * 10, start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 9))
    found = fpn_candidates(school=school, as_of=dt.date(2026, 1, 9))
    assert [(c.upn, c.unauthorised_sessions) for c in found] == [("W00000000001A", 10)]
    summary = run_sweep(school=school, as_of=dt.date(2026, 1, 9))
    assert [(c["upn"], c["unauthorised_sessions"]) for c in summary.fpn_candidates] == [
        ("W00000000001A", 10)
    ]


def test_the_s7_duty_is_written_only_to_families_of_pupils_of_school_age():
    of_age = attendance_duty(make_context("meeting_invitation"))
    assert "section 7" in of_age and "must attend every day" in of_age
    younger = attendance_duty(make_context("meeting_invitation", school_age=False))
    assert "section 7" not in younger and "must" not in younger
    assert "we expect them to attend every day" in younger


def test_a_reception_familys_meeting_letter_speaks_of_expectations_not_the_law(
    cohort, november, officer
):
    from escalation.letters import render_letter_html
    from escalation.models import Letter
    from escalation.services.letter_context import build_contexts

    def html(pupil):
        letter = LetterFactory.build(
            school=november,
            pupil=pupil,
            kind=Letter.Kind.MEETING_INVITATION,
            period="Autumn 2",
            as_of=AS_OF,
            generated_by=officer.user,
            generated_by_name="Olivia Officer",
            generated_by_role="Attendance officer",
        )
        (context,) = build_contexts([letter], today=AS_OF)
        return render_letter_html(context)

    reception, year4 = html(cohort["reception"]), html(cohort["year4"])
    assert "section 7" not in reception and "must attend" not in reception
    assert "we expect them to attend every day" in reception
    assert "section 7 of the Education Act 1996" in year4 and "must attend every day" in year4


def test_the_page_breaks_down_only_the_sessions_of_school_age(school, winter, login, officer):
    MarkFactory.run(winter, "O" * 8, start=dt.date(2025, 12, 8), end=dt.date(2025, 12, 12))
    MarkFactory.run(winter, "O" * 10, start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 9))
    html = (
        login(officer)
        .get(reverse("escalation:fpn", args=[school.urn]), {"date": "2026-01-09"})
        .content.decode()
    )
    assert "W00000000001A" in html
    assert "×&nbsp;10" in html and "×&nbsp;18" not in html
