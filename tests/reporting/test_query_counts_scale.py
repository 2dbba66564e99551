"""Every busy page runs the same number of queries for N pupils as for 3N (issue 7).

One school world grown in two steps: pupils with four weeks of marks (some absent, some
late, some with no reason yet today), contacts, and the nightly sweep's figures and cases.
The counts are compared between the two sizes, on the pages staff open all day: the
dashboard, the trust view, the day's registers, a class register, the calling list and the
caseload. (Pinned to 20 October 2025 by tests/reporting/conftest.py.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.services.sweep import run_sweep
from registers.models import Contact
from tests.registers.factories import MarkFactory, PupilFactory
from tests.reporting.conftest import TODAY, sessions_from

N = 8
DAY = TODAY.date()  # Monday 20 October 2025
FIRST = dt.date(2025, 9, 22)


def _codes(i: int, count: int) -> list[str]:
    """Present, except: every 4th pupil misses a lot (cases), every 5th is late twice."""
    codes = ["/" if n % 2 == 0 else "\\" for n in range(count)]
    if i % 4 == 0:
        for n in range(0, count, 3):
            codes[n] = "O" if n % 2 else "I"
    if i % 5 == 0:
        codes[1], codes[4] = "L", "U"
    return codes


def _grow(school, forms, start: int, count: int) -> None:
    """`count` more pupils with marks up to today's morning, contacts, then the sweep."""
    sessions = [s for s in sessions_from(FIRST, 40) if s[0] < DAY] + [(DAY, "AM")]
    contacts = []
    for i in range(start, start + count):
        pupil = PupilFactory(
            school=school,
            form=forms[i % len(forms)],
            pupil_premium=i % 2 == 0,
            sen="K" if i % 3 == 0 else "N",
            cin=i % 7 == 0,
        )
        codes = _codes(i, len(sessions))
        if i % 3 == 1:
            codes[-1] = "N"  # absent this morning, no reason yet: on the calling list
        MarkFactory.create_many(
            pupil, ((d, s, c) for (d, s), c in zip(sessions, codes, strict=True))
        )
        contacts += [
            Contact(school=school, pupil=pupil, name=f"Parent {i}", phone="01632 960000"),
            Contact(school=school, pupil=pupil, name=f"Carer {i}", priority=2),
        ]
    Contact.objects.bulk_create(contacts)
    # The last night's sweep stores figures and opens cases, as it would have.
    run_sweep(school=school, as_of=DAY - dt.timedelta(days=3))


PAGES = [
    ("head", lambda s, f: reverse("reporting:dashboard", args=[s.urn])),
    ("trust_lead", lambda s, f: reverse("reporting:trust", args=[s.urn])),
    ("officer", lambda s, f: reverse("registers:day", args=[s.urn])),
    ("teacher", lambda s, f: reverse("registers:take", args=[s.urn, f.pk, DAY, "AM"])),
    ("officer", lambda s, f: reverse("escalation:calling", args=[s.urn])),
    ("officer", lambda s, f: reverse("escalation:caseload", args=[s.urn])),
]


def _queries(client, url: str) -> int:
    client.get(url)  # warm: the session, content types, the user's memberships
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("persona", "page"),
    PAGES,
    ids=["dashboard", "trust", "day-registers", "class-register", "calling", "caseload"],
)
def test_the_page_runs_as_many_queries_for_3n_pupils_as_for_n(
    request, login, school, form, other_form, persona, page
):
    client = login(request.getfixturevalue(persona))
    url = page(school, form)
    forms = [form, other_form]
    _grow(school, forms, 0, N)
    few = _queries(client, url)
    _grow(school, forms, N, 2 * N)
    assert school.pupils.count() == 3 * N
    assert _queries(client, url) == few
