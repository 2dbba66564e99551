"""Every page and download is `Cache-Control: no-store` (staff share office computers), and
a NUL character anywhere in a request is a 400 that never reaches the database
(issue 14, part 5)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from tests.portal import test_permission_matrix as matrix
from tests.portal.world import NOW, World, blank_pdf, build_world, client_for


@pytest.fixture
def world(school, form, other_form, officer) -> World:
    with time_machine.travel(NOW, tick=False):
        yield build_world(school=school, form=form, other_form=other_form, office=officer, tag="Qx")


@pytest.fixture
def quick_pdfs(monkeypatch):
    monkeypatch.setattr("weasyprint.HTML.write_pdf", lambda self, *a, **kw: blank_pdf())


def _no_store(response) -> bool:
    directives = {d.strip().lower() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


def test_every_page_and_download_a_member_opens_is_no_store(
    world, officer, teacher, head, governor, trust_lead, la_lead, quick_pdfs
):
    """Every URL of the permission matrix, as every role that may open it (pupil pages,
    registers, cases, letters and their PDFs, CSV/XLSX/PDF exports, the CTF file)."""
    personas = {
        "officer": officer,
        "teacher": teacher,
        "head": head,
        "governor": governor,
        "trust_lead": trust_lead,
        "la_lead": la_lead,
    }
    clients = {name: client_for(m) for name, m in personas.items()}
    cached, seen = [], 0
    with time_machine.travel(NOW, tick=False):
        for row in matrix.ROWS:
            url = matrix.url_for(row, world)
            answers = dict(zip(matrix.PERSONAS, matrix.answers(row, "get"), strict=True))
            for name, client in clients.items():
                if answers[name] != "200":
                    continue
                response = client.get(url)
                seen += 1
                if response.status_code == 200 and not _no_store(response):
                    cached.append(f"{url} as {name}: {response.get('Cache-Control')!r}")
        # The subject-access ZIP is a POST; the report exports are ?format=… of a page.
        dashboard = reverse("reporting:dashboard", args=[world.urn])
        extra = [
            ("post", reverse("registers:pupil_export", args=[world.urn, world.value("pupil")])),
            ("get", dashboard + "?format=csv&table=headline"),
            ("get", dashboard + "?format=xlsx"),
            ("get", dashboard + "?format=pdf"),
            ("get", reverse("reporting:trust", args=[world.urn]) + "?format=csv"),
        ]
        for method, url in extra:
            who = "trust_lead" if "trust" in url else "head"
            response = getattr(clients[who], method)(url)
            assert response.status_code == 200, url
            seen += 1
            if not _no_store(response):
                cached.append(f"{method.upper()} {url}: {response.get('Cache-Control')!r}")
    assert seen > 60
    assert not cached, "\n".join(cached)


def test_pupil_pages_forbid_caching(login, officer, school, pupil):
    # The CTF needs the school's DfE number and the pupil's sex; the test's pupil has no
    # marks, so the download is asked for with its unmarked sessions written as such.
    school.la_number, school.establishment_number = "999", "2001"
    school.save(update_fields=["la_number", "establishment_number"])
    pupil.gender = "F"
    pupil.save(update_fields=["gender"])
    for name, query in (("registers:pupil", {}), ("registers:pupil_ctf", {"allow_unmarked": 1})):
        response = login(officer).get(reverse(name, args=[school.urn, pupil.pk]), query)
        assert response.status_code == 200
        assert _no_store(response), name


def test_the_sign_in_page_and_errors_are_no_store_too(client, school):
    assert _no_store(client.get(reverse("login")))
    assert _no_store(client.get("/s/999999/"))  # a redirect to sign in


# --- NUL characters -------------------------------------------------------------------------


def _nul_requests(school, pupil):
    urn = school.urn
    return [
        ("get", f"/s/{urn}%00/", {}),
        ("get", f"/s/{urn}/pupils/%00/", {}),
        ("get", reverse("registers:pupils", args=[urn]), {"q": "Smith\x00"}),
        ("get", reverse("reporting:dashboard", args=[urn]), {"period": "\x00"}),
        ("get", reverse("reporting:dashboard", args=[urn]), {"table\x00": "x"}),
        ("get", reverse("reporting:trust", args=[urn]), {"sort": "name\x00"}),
        ("get", reverse("registers:leave_new", args=[urn]), {"pupil": "1\x00"}),
        ("get", reverse("escalation:calling", args=[urn]), {"date": "2025-10-06\x00"}),
        ("post", reverse("login"), {"username": "officer\x00", "password": "x"}),
        (
            "post",
            reverse("escalation:calling_log", args=[urn, pupil.pk]),
            {"date": "2025-10-06", "outcome": "no_answer", "note": "rang\x00"},
        ),
        ("post", reverse("escalation:case_open", args=[urn, pupil.pk]), {"summary": "\x00"}),
    ]


def test_a_nul_anywhere_in_a_request_is_a_400(login, officer, school, pupil):
    client = login(officer)
    for method, url, data in _nul_requests(school, pupil):
        response = getattr(client, method)(url, data)
        assert response.status_code == 400, (method, url, data, response.status_code)


def test_a_nul_in_a_cookie_or_header_is_a_400(client, school):
    assert client.get(f"/s/{school.urn}/", HTTP_USER_AGENT="x\x00y").status_code == 400
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get(f"/s/{school.urn}/").status_code == 400


def test_requests_without_nul_are_untouched(login, officer, school, pupil):
    client = login(officer)
    assert client.get(reverse("registers:pupils", args=[school.urn]), {"q": "Smith"}).status_code
    assert client.get(f"/s/{school.urn}/").status_code == 200


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses NUL in text")
def test_on_postgresql_a_nul_never_reaches_the_database(client, officer, school, pupil):
    """PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"): without the
    check these were 500s. The client raises any server error, so this would fail loudly."""
    client.force_login(officer.user)
    for method, url, data in _nul_requests(school, pupil):
        response = getattr(client, method)(url, data)
        assert response.status_code == 400, (method, url, data)
