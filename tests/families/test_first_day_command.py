"""`send_first_day_messages`: its summary says when quiet hours hold the messages back, so a
user running it at night is not left looking at "queued" and an empty outbox."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from registers.families.models import Message
from tests.families.test_first_day import take_register
from tests.registers.factories import ContactFactory

LONDON = ZoneInfo("Europe/London")


def run_command(school) -> dict:
    out = io.StringIO()
    call_command("send_first_day_messages", "--school", school.urn, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("clock", "held"),
    [
        (dt.datetime(2025, 9, 15, 6, 30, tzinfo=LONDON), True),
        (dt.datetime(2025, 9, 15, 9, 50, tzinfo=LONDON), False),
    ],
)
def test_the_summary_says_how_many_messages_quiet_hours_hold_and_until_when(
    time_machine,
    school,
    form,
    teacher,
    pupils,
    clock,
    held,
):
    time_machine.move_to(clock, tick=False)
    for pupil in pupils:
        ContactFactory(pupil=pupil, priority=1)
    take_register(form, teacher, {pupils[0].pk: "N"})
    summary = run_command(school)
    # The N and everyone left unmarked in the saved register are messaged.
    waiting = Message.objects.filter(kind=Message.Kind.FIRST_DAY, status="queued")
    assert waiting.exists()
    if held:
        assert summary["held"] == waiting.count()
        assert summary["held_until"] == "2025-09-15T08:00:00+01:00"
    else:
        assert (summary["held"], summary["held_until"]) == (0, None)
