"""The penalty-notice candidates list: for consideration, never an automatic notice."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.models import Case
from tests.escalation.factories import CaseFactory
from tests.registers.factories import MarkFactory, PupilFactory

AS_OF = dt.date(2025, 10, 10)


def url(school) -> str:
    return reverse("escalation:fpn", args=[school.urn])


def test_it_lists_pupils_at_the_threshold_for_consideration(login, officer, school, form):
    candidate = PupilFactory(school=school, form=form, surname="Candidate", cin=True)
    MarkFactory.run(candidate, "GGGGGGNNOU", start=dt.date(2025, 9, 15))
    below = PupilFactory(school=school, form=form, surname="Belowline")
    MarkFactory.run(below, "GGGGGGNNO", start=dt.date(2025, 9, 15))  # 9 sessions: not a candidate
    html = login(officer).get(url(school), {"date": "2025-10-10"}).content.decode()
    assert "Candidate" in html and "Belowline" not in html
    assert "not an automatic notice" in html and "must be considered" in html
    # The window: ten school weeks back from the week of 10 October, inside Autumn 1.
    assert "Wednesday 3 September 2025" in html and "Friday 10 October 2025" in html
    assert ">10<" in html
    assert "2 N marks still to resolve" in html
    assert "Social worker" in html
    assert reverse("registers:pupil", args=[school.urn, candidate.pk]) in html


def test_it_shows_the_open_case(login, officer, school, form):
    candidate = PupilFactory(school=school, form=form)
    MarkFactory.run(candidate, "G" * 10, start=dt.date(2025, 9, 15))
    CaseFactory(
        school=school,
        pupil=candidate,
        stage=Case.Stage.NOTICE_TO_IMPROVE,
        reason=Case.Reason.FPN_THRESHOLD,
        opened_on=dt.date(2025, 10, 1),
    )
    html = login(officer).get(url(school), {"date": "2025-10-10"}).content.decode()
    assert "Notice to improve" in html


def test_it_links_to_the_pupils_case_page(login, officer, school, form):
    candidate = PupilFactory(school=school, form=form)
    MarkFactory.run(candidate, "U" * 10, start=dt.date(2025, 9, 15))
    case = CaseFactory(
        school=school, pupil=candidate, reason=Case.Reason.BAND, opened_on=dt.date(2025, 9, 20)
    )
    client = login(officer)
    html = client.get(url(school), {"date": "2025-10-10"}).content.decode()
    case_page = reverse("escalation:case", args=[school.urn, case.pk])
    assert f'href="{case_page}"' in html
    # The link leads to this pupil's case, which the officer can open.
    opened = client.get(case_page)
    assert opened.status_code == 200 and opened.context["case"] == case


def test_with_no_candidate_it_says_so(login, officer, school):
    html = login(officer).get(url(school), {"date": "2025-10-10"}).content.decode()
    assert "No pupil meets the threshold" in html


def test_other_schools_pupils_never_appear(login, officer, school, other_school):
    stranger = PupilFactory(school=other_school, surname="Stranger")
    MarkFactory.run(stranger, "G" * 12, start=dt.date(2025, 9, 15))
    html = login(officer).get(url(school), {"date": "2025-10-10"}).content.decode()
    assert "Stranger" not in html


def test_the_query_count_does_not_grow_with_pupils(login, officer, school, form):
    client = login(officer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(school), {"date": "2025-10-10"}).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for _ in range(n):
            p = PupilFactory(school=school, form=form)
            MarkFactory.run(p, "GGNNOOUUGGO", start=dt.date(2025, 9, 15))
            CaseFactory(
                school=school, pupil=p, reason=Case.Reason.BAND, opened_on=dt.date(2025, 9, 20)
            )

    add(2)
    few = count_queries()
    add(8)
    assert count_queries() == few
    assert few <= 15
