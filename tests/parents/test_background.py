"""The parents' background work: the sign-in code is sent by a task after commit, never by
the page (so its timing tells nothing), and beat deletes what the sign-in no longer needs
(docs/domain.md §13)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from attendance_portal.parents.models import ParentSession, ParentThrottle, SignInChallenge
from attendance_portal.parents.tasks import purge_expired_task, send_sign_in_code_task
from tests.parents.conftest import EMAIL_A
from tests.parents.helpers import sign_in

pytestmark = pytest.mark.django_db
START, CODE_URL = reverse("parents:start"), reverse("parents:code")
T0 = dt.datetime(2025, 10, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def provider(monkeypatch):
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "attendance_portal.parents.delivery.send_code",
        lambda contact, channel, code: sent.append((channel, contact.email)),
    )
    return sent


@pytest.mark.parametrize(("contact", "codes"), [(EMAIL_A, 1), ("nobody@example.org", 0)])
def test_the_page_never_calls_the_provider_the_task_does(
    family_a, provider, requests_commit, django_capture_on_commit_callbacks, contact, codes
):
    """The same work for a held contact and an unknown one: the page makes the challenge
    and queues one task; only the task, after commit, looks the contact up and sends."""
    requests_commit.run = False
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = Client().post(START, {"contact": contact})
    assert response.status_code == 302 and response["Location"] == CODE_URL
    assert provider == [] and not mail.outbox  # the page sent nothing itself
    challenge = SignInChallenge.objects.get()
    assert challenge.code_hash == ""
    assert len(queued) == 1
    queued[0]()  # the commit: the task runs (eagerly in tests)
    assert provider == [("email", EMAIL_A)] * codes
    challenge.refresh_from_db()
    assert bool(challenge.code_hash) == bool(codes)


def test_sending_the_code_twice_sends_it_once(family_a, provider, requests_commit):
    requests_commit.run = False
    Client().post(START, {"contact": EMAIL_A})
    challenge = SignInChallenge.objects.get()
    assert send_sign_in_code_task.delay(challenge.pk).get() is True
    first = SignInChallenge.objects.get().code_hash
    assert send_sign_in_code_task.delay(challenge.pk).get() is False
    assert provider == [("email", EMAIL_A)]
    assert SignInChallenge.objects.get().code_hash == first  # the code sent still works


def test_a_replaced_or_expired_challenge_gets_no_code(family_a, provider, requests_commit):
    requests_commit.run = False
    with time_machine.travel(T0, tick=False):
        Client().post(START, {"contact": EMAIL_A})
        Client().post(START, {"contact": EMAIL_A})
    old, new = SignInChallenge.objects.order_by("pk")
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        assert send_sign_in_code_task.delay(old.pk).get() is False  # replaced
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        assert send_sign_in_code_task.delay(new.pk).get() is False  # expired
    assert provider == []


def test_beat_deletes_expired_sessions_challenges_and_counts(family_a):
    with time_machine.travel(T0, tick=False):
        sign_in(Client(), EMAIL_A)  # a challenge, a session, counts for A and the address
        Client().post(START, {"contact": "nobody@example.org"})  # a challenge, a count
    assert ParentSession.objects.count() == 1
    assert SignInChallenge.objects.count() == 2 and ParentThrottle.objects.count() == 3
    with time_machine.travel(T0 + dt.timedelta(minutes=20), tick=False):
        # Nothing has expired yet (codes are kept an hour past their ten minutes).
        assert purge_expired_task.delay().get() == {"challenges": 0, "sessions": 0, "counts": 0}
    with time_machine.travel(T0 + dt.timedelta(minutes=70), tick=False):
        sign_in(Client(), EMAIL_A)  # a fresh challenge and session, A's count anew
    with time_machine.travel(T0 + dt.timedelta(minutes=75), tick=False):
        done = purge_expired_task.delay().get()
        again = purge_expired_task.delay().get()
    assert done == {"challenges": 2, "sessions": 1, "counts": 1}
    assert again == {"challenges": 0, "sessions": 0, "counts": 0}  # safe to run twice
    assert [c.created_at for c in SignInChallenge.objects.all()] == [T0 + dt.timedelta(minutes=70)]
    assert [s.created_at for s in ParentSession.objects.all()] == [T0 + dt.timedelta(minutes=70)]
    assert not ParentThrottle.objects.filter(key__contains="nobody").exists()


def test_a_session_older_than_the_longest_is_deleted_even_if_busy(family_a, settings):
    client = Client()
    with time_machine.travel(T0, tick=False):
        sign_in(client, EMAIL_A)
    longest = dt.timedelta(seconds=settings.PARENT_SESSION_MAX_SECONDS)
    session = ParentSession.objects.get()
    ParentSession.objects.filter(pk=session.pk).update(last_seen_at=T0 + longest)
    with time_machine.travel(T0 + longest, tick=False):
        assert purge_expired_task.delay().get()["sessions"] == 1
    assert not ParentSession.objects.exists()


def test_the_purge_is_on_beat():
    task = PeriodicTask.objects.get(task="parents.purge_expired")
    assert task.enabled and task.crontab.minute == "*/15"
