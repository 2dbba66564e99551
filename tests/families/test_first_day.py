"""The first-day job: who is messaged, by what, once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from registers.actors import Actor
from registers.families import providers
from registers.families.models import FamilyPolicy, Message
from registers.families.services.absence import report_absence
from registers.families.services.first_day import queue_first_day_messages, schools_due
from registers.families.services.messages import send_message
from registers.models import Register
from registers.services.marks import Entry, save_register
from tests.registers.factories import ContactFactory

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2025, 9, 15)
AFTER = dt.datetime(2025, 9, 15, 9, 50, tzinfo=LONDON)  # 08:45 + 30 open + 30 minutes + 5


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(AFTER, tick=False)


@pytest.fixture(autouse=True)
def _send_after_commit(django_capture_on_commit_callbacks):
    """The sends go after commit; the test's transaction never commits, so each run of the
    job runs its callbacks as the commit would."""
    global _commit
    _commit = django_capture_on_commit_callbacks
    yield


_commit = None


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "locmem"
    backend = providers.sms_backend()
    backend.outbox.clear()
    return backend


@pytest.fixture
def families(pupils):
    """Two contacts each: the first by text and email, the second too."""
    return {
        p.pk: [
            ContactFactory(pupil=p, priority=1, name=f"First {i}"),
            ContactFactory(pupil=p, priority=2, name=f"Second {i}"),
        ]
        for i, p in enumerate(pupils)
    }


def take_register(form, teacher, codes: dict):
    register = Register.objects.filter(form=form, date=MONDAY, session="AM").first()
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(pk, code) for pk, code in codes.items()],
        actor=Actor.for_membership(teacher),
        expected_version=register.version if register else 0,
    )


def run(school, now=AFTER):
    with _commit(execute=True):
        return queue_first_day_messages(school=school, day=MONDAY, session="AM", now=now)


def test_pupils_marked_n_or_left_unmarked_are_messaged_once_by_each_channel(
    school, form, pupils, teacher, families, sms
):
    n, unmarked, present = pupils[0], pupils[1], pupils[2:]
    take_register(form, teacher, {n.pk: "N", **{p.pk: "/" for p in present}})

    result = run(school)

    assert (result.pupils, result.queued) == (2, 4)
    sent = Message.objects.order_by("pupil_id", "channel")
    assert {(m.pupil_id, m.contact.priority, m.channel, m.status) for m in sent} == {
        (n.pk, 1, "email", "sent"),
        (n.pk, 1, "sms", "delivered"),
        (unmarked.pk, 1, "email", "sent"),
        (unmarked.pk, 1, "sms", "delivered"),
    }
    assert len(sms.outbox) == 2 and len(mail.outbox) == 2
    texts = dict(sms.outbox)
    assert n.forename in texts[families[n.pk][0].phone]
    assert unmarked.forename in texts[families[unmarked.pk][0].phone]
    assert "Oakfield Primary" in texts[families[n.pk][0].phone]

    again = run(school)
    assert again.queued == 0 and Message.objects.count() == 4
    assert len(sms.outbox) == 2 and len(mail.outbox) == 2


def test_a_form_whose_register_was_not_taken_is_not_messaged(school, pupils, families, sms):
    assert run(school).pupils == 0 and not sms.outbox


def test_a_reported_absence_and_opted_out_contacts_are_not_messaged(
    school, form, pupils, teacher, families, sms
):
    take_register(form, teacher, {p.pk: "N" for p in pupils})
    first = families[pupils[0].pk][0]
    report_absence(
        contact=first,
        pupil=pupils[0],
        start_date=MONDAY,
        end_date=MONDAY,
        reason="illness",
        details="",
        today=MONDAY,
    )
    for contact in families[pupils[1].pk]:
        contact.opted_out_at = timezone.now()
        contact.save(update_fields=["opted_out_at"])
    families[pupils[2].pk][0].receives_messages = False
    families[pupils[2].pk][0].save(update_fields=["receives_messages"])

    run(school)

    by_pupil = {m.pupil_id: m for m in Message.objects.filter(channel="sms")}
    assert pupils[0].pk not in by_pupil  # reported by a parent
    assert pupils[1].pk not in by_pupil  # everyone opted out
    assert by_pupil[pupils[2].pk].contact.priority == 2  # the first takes no messages
    assert set(by_pupil) == {pupils[2].pk, pupils[3].pk, pupils[4].pk}


def test_the_school_chooses_the_channels_the_time_and_the_daily_cap(
    school, form, pupils, teacher, families, sms, time_machine
):
    take_register(form, teacher, {p.pk: "N" for p in pupils})
    FamilyPolicy.objects.create(school=school, channels="sms", first_day_minutes=60, daily_cap=3)
    assert run(school).skipped == "not yet due"
    time_machine.move_to(AFTER + dt.timedelta(minutes=30), tick=False)
    result = run(school, now=AFTER + dt.timedelta(minutes=30))
    assert (result.queued, result.over_cap) == (3, 2)
    assert set(Message.objects.values_list("channel", flat=True)) == {"sms"}
    assert Message.objects.filter(status="failed", error__contains="daily limit").count() == 2
    assert len(sms.outbox) == 3


def test_quiet_hours_hold_a_message_until_morning(school, form, pupils, teacher, families, sms):
    take_register(form, teacher, {pupils[0].pk: "N", **{p.pk: "/" for p in pupils[1:]}})
    FamilyPolicy.objects.create(school=school, quiet_from=dt.time(9, 0), quiet_until=dt.time(11, 0))
    run(school)
    assert not sms.outbox
    held = Message.objects.filter(channel="sms").get()
    assert held.status == "queued" and held.not_before == dt.datetime(
        2025, 9, 15, 11, 0, tzinfo=LONDON
    )
    assert send_message(message_id=held.pk).status == "queued"  # not yet
    assert send_message(message_id=held.pk, now=held.not_before).status == "delivered"
    assert send_message(message_id=held.pk, now=held.not_before).status == "delivered"
    assert len(sms.outbox) == 1


def test_a_transient_provider_error_is_retried_with_backoff_then_given_up(
    school, form, pupils, teacher, families, settings, monkeypatch
):
    settings.FAMILY_MESSAGE_RETRIES = 2
    settings.SMS_BACKEND = "locmem"
    FamilyPolicy.objects.create(school=school, channels="sms")
    calls = []

    def down(*, to, text):
        calls.append(to)
        raise providers.ProviderError("503 - busy", transient=True)

    monkeypatch.setattr(providers, "send_sms", down)
    take_register(form, teacher, {pupils[0].pk: "N", **{p.pk: "/" for p in pupils[1:]}})
    run(school)
    message = Message.objects.get()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.not_before == AFTER + dt.timedelta(minutes=1)
    assert send_message(message_id=message.pk, now=message.not_before).retry_in == 120
    message.refresh_from_db()
    outcome = send_message(message_id=message.pk, now=message.not_before)
    message.refresh_from_db()
    assert (outcome.status, message.status, message.attempts) == ("failed", "failed", 3)
    assert "busy" in message.error and len(calls) == 3


def test_beat_finds_a_school_once_its_time_has_come(school):
    assert schools_due(now=AFTER - dt.timedelta(minutes=10)) == []
    assert schools_due(now=AFTER) == [(school.pk, "AM")]


def test_a_contact_who_opts_out_after_queueing_is_not_sent_to(
    school, form, pupils, teacher, families, sms
):
    from registers.families.services.optout import set_opt_out

    take_register(form, teacher, {pupils[0].pk: "N", **{p.pk: "/" for p in pupils[1:]}})
    FamilyPolicy.objects.create(school=school, quiet_from=dt.time(9, 0), quiet_until=dt.time(11, 0))
    run(school)  # held by the quiet hours
    first = families[pupils[0].pk][0]
    set_opt_out(contact=first, opted_out=True, actor=None)
    held = Message.objects.filter(channel="sms").get()
    assert send_message(message_id=held.pk, now=held.not_before).status == "failed"
    held.refresh_from_db()
    assert "opted out" in held.error and not sms.outbox
    set_opt_out(contact=first, opted_out=False, actor=None)
    first.refresh_from_db()
    assert not first.opted_out
