"""Bulk marking (issue 17): a trip code for chosen pupils over days, previewed first, each
changed mark audited, through record_mark."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from registers.actors import Actor
from registers.models import Mark, MarkAmendment
from registers.services.bulk import apply_bulk_marks, plan_bulk_marks
from registers.services.marks import MarkError

pytestmark = pytest.mark.django_db
THU, FRI = dt.date(2025, 10, 16), dt.date(2025, 10, 17)
TODAY = dt.date(2025, 10, 20)


def test_preview_then_apply_writes_one_mark_per_session_and_audits_changes(school, pupils, officer):
    chosen = pupils[:2]
    Mark.objects.create(school=school, pupil=chosen[0], date=THU, session="AM", code_id="N")
    planned = plan_bulk_marks(
        school=school,
        pupils=chosen,
        start=THU,
        end=FRI,
        sessions=("AM", "PM"),
        code="V",
        today=TODAY,
    )
    assert len(planned) == 8
    assert [p.action for p in planned].count("change") == 1
    assert not Mark.objects.filter(code_id="V").exists()  # the preview writes nothing
    written = apply_bulk_marks(
        planned=planned, code="V", actor=Actor.for_membership(officer), reason="Museum visit"
    )
    assert len(written) == 8
    assert Mark.objects.filter(code_id="V").count() == 8
    changed = MarkAmendment.objects.get(old_code="N")
    assert (changed.new_code, changed.reason) == ("V", "Bulk marking: Museum visit")


def test_every_new_mark_has_its_history_row_naming_who_and_why(school, pupils, officer):
    planned = plan_bulk_marks(
        school=school,
        pupils=pupils[:2],
        start=THU,
        end=FRI,
        sessions=("AM", "PM"),
        code="V",
        today=TODAY,
    )
    written = apply_bulk_marks(
        planned=planned, code="V", actor=Actor.for_membership(officer), reason="Museum visit"
    )
    history = MarkAmendment.objects.filter(mark__in=written)
    assert history.count() == len(written) == 8
    assert {(h.old_code, h.new_code, h.mark_version) for h in history} == {("", "V", 0)}
    assert {h.reason for h in history} == {"Bulk marking: Museum visit"}
    assert {h.changed_by_id for h in history} == {officer.user_id}
    assert all(h.changed_by_name for h in history)


def test_only_activity_codes_and_never_in_advance(school, pupils):
    with pytest.raises(MarkError, match="not a code for a trip"):
        plan_bulk_marks(
            school=school,
            pupils=pupils,
            start=THU,
            end=FRI,
            sessions=("AM",),
            code="O",
            today=TODAY,
        )
    with pytest.raises(MarkError, match="in advance"):
        plan_bulk_marks(
            school=school,
            pupils=pupils,
            start=THU,
            end=TODAY + dt.timedelta(days=1),
            sessions=("AM",),
            code="V",
            today=TODAY,
        )


def test_the_page_previews_then_records(client, officer, school, pupils):
    url = reverse("registers:bulk_marks", args=[school.urn])
    data = {
        "pupils": [p.pk for p in pupils[:3]],
        "start": "2025-10-17",
        "end": "2025-10-17",
        "sessions": "AM",
        "code": "P",
        "reason": "Football tournament",
    }
    with time_machine.travel(dt.datetime(2025, 10, 20, 10, tzinfo=ZoneInfo("Europe/London"))):
        client.force_login(officer.user)
        preview = client.post(url, {**data, "action": "preview"})
        assert preview.status_code == 200
        assert "Record 3 marks" in preview.content.decode()
        assert not Mark.objects.filter(code_id="P").exists()
        done = client.post(url, {**data, "action": "confirm"})
        assert done.status_code == 302
        assert client.post(url, {**data, "start": "nonsense"}).status_code == 400
    assert Mark.objects.filter(code_id="P", date=FRI, session="AM").count() == 3
