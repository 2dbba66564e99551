"""Isolation: nobody sees another school's pupils, teachers see their own forms' pupils,
trust leads see aggregates of their own trust only.

Two schools in two trusts get the same world (tests/portal/world.py). The URLs come from
the permission matrix, so a new page is covered here as soon as it has a row there.
"""

from __future__ import annotations

import dataclasses

import pytest
import time_machine
from django.http import Http404
from django.urls import reverse

from attendance_portal import permissions
from conftest import AUTUMN1_END, AUTUMN1_START
from registers.models import Membership
from tests.portal.test_permission_matrix import PERSONAS, ROWS, Row, answers, url_for
from tests.portal.world import NOW, World, blank_pdf, build_world, client_for, crawl, leaks
from tests.registers.factories import FormFactory, SchoolFactory, make_half_term, make_member

Role = Membership.Role


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def quick_pdfs(monkeypatch):
    """Who gets a PDF matters here, not its layout (WeasyPrint takes seconds a file)."""
    monkeypatch.setattr("weasyprint.HTML.write_pdf", lambda self, *a, **kw: blank_pdf())


@pytest.fixture
def here(frozen_now, school, form, other_form, officer) -> World:
    return build_world(school=school, form=form, other_form=other_form, office=officer, tag="Qx")


@pytest.fixture
def there(frozen_now, other_school, outsider) -> World:
    form = FormFactory(school=other_school, name="4A")
    return build_world(school=other_school, form=form, other_form=None, office=outsider, tag="Zy")


def answer(row: Row, method: str, persona: str) -> str:
    return answers(row, method)[PERSONAS.index(persona)]


def url_mixing(row: Row, here: World, there: World, swapped: set[str]) -> str:
    """The row's URL under `here`'s school with the `swapped` arguments taken from `there`."""
    ids = {**here.ids, **{name: there.ids[name] for name in swapped}}
    return url_for(row, dataclasses.replace(here, ids=ids))


def _object_arguments(row: Row, world: World) -> set[str]:
    return {*row.kwargs.values(), *row.query.values()} & set(world.ids)


def test_another_schools_ids_are_not_found_under_this_schools_address(
    here, there, officer, quick_pdfs
):
    """Every argument that names a row, swapped alone and all together for the other
    school's row: the officer who may open the page gets 404 (405 where the method is
    refused before anything is looked up; the parent pages send staff to the parents'
    sign-in before any row is looked up, and tests/parents/test_isolation.py swaps their
    children between families)."""
    client = client_for(officer)
    wrong = []
    for row in ROWS:
        names = _object_arguments(row, here)
        if not names:
            continue
        swaps = [{n} for n in sorted(names)] + ([names] if len(names) > 1 else [])
        for swapped in swaps:
            url = url_mixing(row, here, there, swapped)
            for method in ("get", "post"):
                expected = answer(row, method, "officer")
                if expected in ("405", "403", "302"):
                    continue
                response = client.get(url) if method == "get" else client.post(url, {})
                if response.status_code != 404:
                    wrong.append(f"{method.upper()} {url} ({row.name}): {response.status_code}")
    assert not wrong, "another school's rows were found:\n" + "\n".join(wrong)


def test_no_page_of_this_school_names_another_schools_pupils(here, there, officer, quick_pdfs):
    # The officer sees every pupil-level page of the school (the head sees the same ones).
    starts = [url_for(r, here) for r in ROWS if answer(r, "get", "officer") == "200"]
    pages = crawl(client_for(officer), starts)
    assert len([p for p in pages.values() if p[0] == 200]) > 15
    found = leaks(pages, there.names())
    assert not found, "\n".join(found)


def test_a_teacher_meets_only_the_pupils_of_their_forms(here, there, teacher):
    starts = [url_for(r, here) for r in ROWS if answer(r, "get", "teacher") == "200"]
    pages = crawl(client_for(teacher), starts)
    own = [p.surname for p in here.pupils]
    pupils_page = pages[reverse("registers:pupils", args=[here.urn])][1]
    assert all(name in pupils_page for name in own)
    outside = [here.other_form_pupil.surname, here.other_form_pupil.upn, *there.names()]
    found = leaks(pages, outside)
    assert not found, "\n".join(found)


def test_a_teacher_cannot_reach_another_forms_pupil_by_address(here, teacher):
    client = client_for(teacher)
    elsewhere = here.other_form_pupil.pk
    assert client.get(reverse("registers:pupil", args=[here.urn, elsewhere])).status_code == 403
    searched = client.get(reverse("registers:pupils", args=[here.urn]), {"q": "Marigold"})
    assert here.other_form_pupil.surname not in searched.content.decode()
    other_register = reverse(
        "registers:take", args=[here.urn, here.other_form_pupil.form_id, "2025-10-20", "AM"]
    )
    assert client.get(other_register).status_code == 403


def test_a_trust_lead_sees_no_pupil_of_their_trust(here, there, trust_lead):
    starts = [url_for(r, here) for r in ROWS if answer(r, "get", "trust_lead") == "200"]
    dashboard = reverse("reporting:dashboard", args=[here.urn])
    # The exports are the same figures as files: no pupil-level table may slip into them.
    starts += [f"{dashboard}?format=csv", f"{dashboard}?format=xlsx"]
    pages = crawl(client_for(trust_lead), starts)
    found = leaks(pages, here.names() + there.names())
    assert not found, "\n".join(found)


def test_a_trust_lead_cannot_open_a_school_of_another_trust(here, there, trust_lead):
    client = client_for(trust_lead)
    wrong = []
    for row in ROWS:
        url = url_for(row, there)
        if f"/s/{there.urn}/" not in url:
            continue  # the portal's own pages (sign-in, health) belong to no school
        for method in ("get", "post"):
            response = client.get(url) if method == "get" else client.post(url, {})
            # Method-first views answer 405 before they look at the school.
            if response.status_code not in (404, 405):
                wrong.append(f"{method.upper()} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_trust_view_lists_only_the_leads_own_schools(here, there, trust_lead):
    sister = SchoolFactory(urn="111222", name="Acorn Juniors", trust=here.school.trust)
    make_half_term(sister, "Autumn 1", AUTUMN1_START, AUTUMN1_END)
    html = client_for(trust_lead).get(reverse("reporting:trust", args=[here.urn])).content
    text = html.decode()
    assert here.school.name in text and sister.name in text
    assert there.school.name not in text
    # From the sister school's address the trust lead reaches the same trust view...
    assert client_for(trust_lead).get(reverse("reporting:trust", args=[sister.urn])).status_code
    # ...but a lead of another trust cannot see this one at all.
    stranger = make_member(Role.TRUST, trust=there.school.trust, username="elm-lead")
    response = client_for(stranger).get(reverse("reporting:trust", args=[here.urn]))
    assert response.status_code == 404


# -- the permission functions themselves ---------------------------------------------------------


def test_pupil_lookups_are_scoped_to_the_school(here, there, officer, teacher):
    with pytest.raises(Http404):
        permissions.get_pupil_for_user(officer, here.school, there.pupil.pk)
    assert not permissions.can_view_pupil(officer, there.pupil)
    assert not permissions.can_view_pupil(teacher, here.other_form_pupil)
    assert permissions.can_view_pupil(teacher, here.pupil)
    assert not permissions.can_take_register(officer, there.form)
    assert set(permissions.visible_pupils(officer, here.school)) == {
        *here.pupils,
        here.other_form_pupil,
    }
    assert set(permissions.visible_pupils(teacher, here.school)) == set(here.pupils)


@pytest.mark.parametrize("persona", ["governor", "trust_lead"])
def test_aggregate_roles_see_no_pupils_through_the_helpers(request, here, persona):
    membership = request.getfixturevalue(persona)
    assert not permissions.visible_pupils(membership, here.school).exists()
    assert not permissions.can_view_pupil(membership, here.pupil)


def test_membership_does_not_cross_trusts(here, there, trust_lead, outsider):
    assert permissions.membership_for(trust_lead.user, there.school) is None
    assert permissions.membership_for(outsider.user, here.school) is None
    assert permissions.schools_for(trust_lead.user) == [here.school]
