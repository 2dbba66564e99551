"""403, 404 and 500 in the site's layout with a way back, with DEBUG off (issue 17)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _assert_site_page(response, status: int, title: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert "Skip to content" in body  # base.html's layout
    assert 'aria-label="Main"' in body  # the navigation bar
    assert title in body
    assert f'href="{reverse("home")}"' in body and "Go to your start page" in body


def test_a_missing_page_is_the_sites_404_with_a_way_back(settings, client, officer):
    settings.DEBUG = False
    client.force_login(officer.user)
    response = client.get("/no-such-page/")
    _assert_site_page(response, 404, "Page not found")
    # The user's own school is offered as a way back.
    assert reverse("registers:school_home", args=[officer.school.urn]) in response.content.decode()


def test_a_forbidden_page_is_the_sites_403(settings, client, teacher):
    settings.DEBUG = False
    client.force_login(teacher.user)
    response = client.get(reverse("escalation:caseload", args=[teacher.school.urn]))
    _assert_site_page(response, 403, "You cannot open this page")


def test_a_server_error_is_the_sites_500(settings, officer, monkeypatch):
    settings.DEBUG = False

    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr("attendance_portal.permissions.schools_for", broken)
    client = Client(raise_request_exception=False)
    client.force_login(officer.user)
    response = client.get(reverse("home"))
    _assert_site_page(response, 500, "Something went wrong")
    assert "boom" not in response.content.decode()
