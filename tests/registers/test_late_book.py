"""The late book (issue 17): search, confirm; minutes from the clock; L or U by the
register's closing time; an audited amendment that advances the register's version."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from registers.actors import Actor
from registers.models import Mark, MarkAmendment, Register
from registers.services.latebook import late_arrival, record_late_arrival
from registers.services.marks import MarkError

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2025, 10, 20)


def at(hour, minute):
    return dt.datetime.combine(MONDAY, dt.time(hour, minute), LONDON)


def test_minutes_and_code_come_from_the_clock(school):
    assert school.register_open_minutes == 30
    early = late_arrival(school=school, now=at(9, 5))
    assert (early.session, early.minutes_late, early.code) == ("AM", 20, "L")
    closing = late_arrival(school=school, now=at(9, 15))
    assert (closing.minutes_late, closing.code) == (30, "L")
    after = late_arrival(school=school, now=at(9, 16))
    assert (after.minutes_late, after.code) == (31, "U")
    afternoon = late_arrival(school=school, now=at(13, 25))
    assert (afternoon.session, afternoon.minutes_late, afternoon.code) == ("PM", 10, "L")


def test_an_n_mark_becomes_l_with_an_audit_entry_and_a_new_register_version(pupil, officer):
    Mark.objects.create(school=pupil.school, pupil=pupil, date=MONDAY, session="AM", code_id="N")
    mark, _ = record_late_arrival(
        pupil=pupil, actor=Actor.for_membership(officer), now=at(9, 2), comment="bus late"
    )
    mark.refresh_from_db()
    assert (mark.code_id, mark.minutes_late, mark.comment) == ("L", 17, "bus late")
    amendment = MarkAmendment.objects.get(mark=mark)
    assert (amendment.old_code, amendment.new_code) == ("N", "L")
    assert amendment.reason == "Late book: arrived at 09:02: bus late"
    register = Register.objects.get(form=pupil.form, date=MONDAY, session="AM")
    assert register.version >= 1


def test_a_pupil_already_present_is_not_booked_late(pupil, officer):
    Mark.objects.create(school=pupil.school, pupil=pupil, date=MONDAY, session="AM", code_id="/")
    with pytest.raises(MarkError, match="already marked"):
        record_late_arrival(pupil=pupil, actor=Actor.for_membership(officer), now=at(9, 30))


def test_a_pupil_who_arrives_on_time_is_not_booked_l_with_0_minutes(pupil, officer, client):
    with pytest.raises(MarkError, match="is not late: the morning session begins at 08:45"):
        record_late_arrival(pupil=pupil, actor=Actor.for_membership(officer), now=at(8, 45))
    assert not Mark.objects.filter(pupil=pupil).exists()
    url = reverse("registers:late_book", args=[pupil.school.urn])
    client.force_login(officer.user)
    with time_machine.travel(at(8, 40), tick=False):
        assert "not late" in client.get(url, {"pupil": pupil.pk}).content.decode()
        refused = client.post(url, {"pupil": pupil.pk, "comment": ""})
    assert refused.status_code == 422 and "is not late" in refused.content.decode()
    assert not Mark.objects.filter(pupil=pupil).exists()


def test_the_two_steps_in_the_browserless_page(client, officer, pupil, school, teacher):
    url = reverse("registers:late_book", args=[school.urn])
    client.force_login(officer.user)
    with time_machine.travel(at(9, 40), tick=False):
        found = client.get(url, {"q": pupil.surname})
        assert pupil.surname in found.content.decode()
        confirm = client.get(url, {"pupil": pupil.pk})
        assert "Record U, 55 min late" in confirm.content.decode()
        done = client.post(url, {"pupil": pupil.pk, "comment": ""}, follow=True)
    mark = Mark.objects.get(pupil=pupil, date=MONDAY, session="AM")
    assert (mark.code_id, mark.minutes_late) == ("U", 55)
    assert "Late today" in done.content.decode() and "55" in done.content.decode()
    # Bad input is a 400, not a 500; a teacher may not use the late book.
    assert client.post(url, {"pupil": "x"}).status_code == 400
    client.force_login(teacher.user)
    assert client.get(url).status_code == 403


def test_the_late_book_reads_the_schools_own_session_times(school, time_machine):
    """A school whose morning starts at 08:30: a pupil arriving at 08:50 is 20 minutes late
    (the school's setting, not the default 08:45)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from registers.services.latebook import late_arrival

    school.am_starts = dt.time(8, 30)
    school.save(update_fields=["am_starts"])
    now = dt.datetime(2025, 9, 8, 8, 50, tzinfo=ZoneInfo("Europe/London"))
    arrival = late_arrival(school=school, now=now)
    assert (arrival.session, arrival.minutes_late, arrival.code) == ("AM", 20, "L")
