from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from tests.parents.helpers import add_contact
from tests.registers.factories import PupilFactory

EMAIL_A = "alex.parent@example.org"
EMAIL_B = "blake.parent@example.org"


@pytest.fixture
def family_a(form):
    pupil = PupilFactory(school=form.school, form=form, forename="Amaris", surname="Quennell")
    add_contact(pupil, name="Alex Quennell", email=EMAIL_A, phone="+447700900111")
    return pupil


@pytest.fixture
def family_b(form):
    pupil = PupilFactory(school=form.school, form=form, forename="Bexley", surname="Tarrant")
    add_contact(pupil, name="Blake Tarrant", email=EMAIL_B, phone="+447700900222")
    return pupil


@pytest.fixture(autouse=True)
def requests_commit(monkeypatch, django_capture_on_commit_callbacks):
    """Each test request's after-commit work (the sign-in code's task, eager in tests) runs
    when the request ends, as it does in production when the request's writes commit: the
    test's own transaction never commits. `requests_commit.run = False` keeps it queued."""
    state = SimpleNamespace(run=True)
    original = Client.request

    def request(self, **kwargs):
        if not state.run:
            return original(self, **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, **kwargs)

    monkeypatch.setattr(Client, "request", request)
    return state
