"""Assigning cases (issue 17): one or many at once, "my cases", a timeline note each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from escalation.models import Case, EscalationEvent
from escalation.services import cases as case_services
from registers.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_cases(pupils, head):
    actor = Actor.for_membership(head)
    made = [
        case_services.open_case(pupil=p, actor=actor, summary="Sweep", on=dt.date(2025, 10, 1))
        for p in pupils[:3]
    ]
    Case.objects.filter(pk__in=[c.pk for c in made]).update(owner=None)  # as the sweep opens
    return made


def test_bulk_assign_then_my_cases(client, officer, school, open_cases):
    client.force_login(officer.user)
    url = reverse("escalation:caseload", args=[school.urn])
    page = client.get(url).content.decode()
    assert page.count('name="case"') == 3 and "Unassigned" in page
    response = client.post(
        reverse("escalation:caseload_assign", args=[school.urn]),
        {"case": [open_cases[0].pk, open_cases[1].pk], "owner": officer.user.pk, "next": url},
    )
    assert response.status_code == 302 and response["Location"] == url
    owners = dict(Case.objects.values_list("pk", "owner_id"))
    assert owners[open_cases[0].pk] == owners[open_cases[1].pk] == officer.user.pk
    assert owners[open_cases[2].pk] is None
    notes = EscalationEvent.objects.filter(summary__startswith="Case assigned to")
    assert notes.count() == 2
    mine = client.get(url, {"mine": "on"}).content.decode()
    assert mine.count('name="case"') == 2
    assert client.get(url, {"unassigned": "on"}).content.decode().count('name="case"') == 1


def test_cases_go_only_to_the_schools_office(client, officer, teacher, school, open_cases):
    client.force_login(officer.user)
    client.post(
        reverse("escalation:caseload_assign", args=[school.urn]),
        {"case": [open_cases[0].pk], "owner": teacher.user.pk},
    )
    assert Case.objects.get(pk=open_cases[0].pk).owner is None
    with pytest.raises(case_services.CaseError):
        case_services.assign_cases(
            school=school,
            case_ids=[open_cases[0].pk],
            owner=teacher.user,
            actor=Actor.for_membership(officer),
            on=dt.date(2025, 10, 2),
        )


def test_the_caseload_sorts_by_its_columns(client, officer, school, open_cases, pupils):
    names = sorted((p.surname, p.forename, p.pk) for p in pupils[:3])
    client.force_login(officer.user)
    url = reverse("escalation:caseload", args=[school.urn])
    up = client.get(url, {"sort": "pupil"})
    down = client.get(url, {"sort": "-pupil"})
    order = [c.case.pupil.pk for c in up.context["rows"]]
    assert order == [pk for *_, pk in names]
    assert [c.case.pupil.pk for c in down.context["rows"]] == order[::-1]
    assert 'aria-sort="ascending"' in up.content.decode()
    # An unknown column is the default order, not an error.
    assert client.get(url, {"sort": "nonsense"}).status_code == 200
