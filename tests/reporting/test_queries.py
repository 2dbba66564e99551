"""The heavy counting stays in the database: the number of queries of each report page is
the same whatever the number of pupils."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.registers.factories import FormFactory, MarkFactory, PupilFactory
from tests.reporting.conftest import PRESENT, WEEK

PAGES = [
    ("head", "reporting:dashboard", {}),
    ("head", "reporting:group", {"dimension": "school", "group": "all"}),
    ("governor", "reporting:governors", {}),
    ("trust_lead", "reporting:trust", {}),
    ("teacher", "reporting:celebration", {"week": "2025-09-08"}),
]
MAX_QUERIES = 30


def _add_pupils(school, n: int) -> None:
    forms = [FormFactory(school=school) for _ in range(3)]
    for i in range(n):
        pupil = PupilFactory(
            school=school, form=forms[i % 3], pupil_premium=i % 2 == 0, sen="NK"[i % 2]
        )
        MarkFactory.run(pupil, PRESENT if i % 4 else ["I", "O", *PRESENT[2:]], start=WEEK)


def _count(client, name: str, params: dict, urn: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name, args=[urn]), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("persona", "name", "params"), PAGES)
def test_queries_do_not_grow_with_the_number_of_pupils(
    request, client, school, form, persona, name, params, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(persona).user)
    _add_pupils(school, 6)
    few = _count(client, name, params, school.urn)
    _add_pupils(school, 40)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = _count(client, name, params, school.urn)
    assert many == few


def test_the_dashboard_exports_run_a_fixed_number_of_queries(
    client, school, head, django_assert_max_num_queries
):
    client.force_login(head.user)
    _add_pupils(school, 20)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("reporting:dashboard", args=[school.urn]), {"format": "xlsx"})
