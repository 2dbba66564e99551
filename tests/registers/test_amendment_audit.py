"""The audit trail (issue 14, part 4): every change to a mark (its code, minutes late or
comment) is an amendment with old and new values and the reason, and the database refuses
a change to a mark that comes without its amendment row."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from registers.actors import Actor
from registers.models import Mark, MarkAmendment
from registers.services.marks import Entry, MarkError, record_mark, save_register

MONDAY = dt.date(2025, 9, 8)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2025, 9, 8, 10, 0, tzinfo=LONDON), tick=False)


@pytest.fixture
def late(teacher, form, pupils) -> Mark:
    """This morning's register with pupils[0] late, commented."""
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(pupils[0].pk, "L", 10, "bus")] + [Entry(p.pk, "/") for p in pupils[1:]],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )
    return Mark.objects.get(pupil=pupils[0], date=MONDAY, session="AM")


def register_post(pupils, late: Mark, comment: str, minutes: str = "10", reason: str = ""):
    post = {"version": "1", "reason": reason}
    for p in pupils:
        code = "L" if p.pk == late.pupil_id else "/"
        post[f"p{p.pk}-code"] = code
        post[f"p{p.pk}-minutes_late"] = minutes if code == "L" else ""
        post[f"p{p.pk}-comment"] = comment if code == "L" else ""
    return post


def test_a_comment_changed_on_the_register_is_an_amendment_with_its_reason(
    login, teacher, form, pupils, late
):
    url = reverse("registers:take", args=[form.school.urn, form.pk, MONDAY, "AM"])
    client = login(teacher)
    refused = client.post(url, register_post(pupils, late, "bus cancelled"))
    assert refused.status_code == 200
    assert "Give a reason to change it" in refused.content.decode()
    assert Mark.objects.get(pk=late.pk).comment == "bus"

    saved = client.post(url, register_post(pupils, late, "bus cancelled", reason="Mum's note"))
    assert saved.status_code == 302
    history = MarkAmendment.objects.get(mark=late)
    assert (history.old_code, history.new_code) == ("L", "L")
    assert (history.old_minutes_late, history.new_minutes_late) == (10, 10)
    assert (history.old_comment, history.new_comment) == ("bus", "bus cancelled")
    assert (history.reason, history.mark_version) == ("Mum's note", 1)
    late.refresh_from_db()
    assert (late.comment, late.version) == ("bus cancelled", 1)


def test_minutes_late_changed_on_the_register_keep_the_comment_in_the_amendment(
    login, teacher, form, pupils, late
):
    url = reverse("registers:take", args=[form.school.urn, form.pk, MONDAY, "AM"])
    post = register_post(pupils, late, "bus", minutes="25", reason="Clock was wrong")
    assert login(teacher).post(url, post).status_code == 302
    history = MarkAmendment.objects.get(mark=late)
    assert (history.old_minutes_late, history.new_minutes_late) == (10, 25)
    assert (history.old_comment, history.new_comment) == ("bus", "bus")


def test_a_comment_changed_on_the_amend_page_is_an_amendment(login, officer, late):
    pupil = late.pupil
    url = reverse("registers:amend", args=[pupil.school.urn, pupil.pk, MONDAY, "AM"])
    post = {"code": "L", "minutes_late": "10", "comment": "", "reason": "Comment was wrong"}
    assert login(officer).post(url, post).status_code == 302
    history = MarkAmendment.objects.get(mark=late)
    assert (history.old_comment, history.new_comment, history.reason) == (
        "bus",
        "",
        "Comment was wrong",
    )
    assert history.changed_by == officer.user


def test_record_mark_refuses_a_comment_change_without_a_reason(officer, late):
    with pytest.raises(MarkError, match="Give a reason"):
        record_mark(
            pupil=late.pupil,
            day=MONDAY,
            session="AM",
            entry=Entry(late.pupil_id, "L", 10, "traffic"),
            actor=Actor.for_membership(officer),
        )
    assert not MarkAmendment.objects.exists()


# --- The database's guard ----------------------------------------------------------------


def refused(sql: str, *params) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except (DatabaseError, IntegrityError):
        return True
    return False


def add_amendment(mark: Mark, *, new_code: str, version: int, old_code: str | None = None):
    MarkAmendment.objects.create(
        school_id=mark.school_id,
        mark=mark,
        pupil_id=mark.pupil_id,
        date=mark.date,
        session=mark.session,
        old_code=old_code or mark.code_id,
        new_code=new_code,
        old_minutes_late=mark.minutes_late,
        new_minutes_late=mark.minutes_late,
        old_comment=mark.comment,
        new_comment=mark.comment,
        mark_version=version,
        reason="test",
        changed_by_name="test",
    )


def test_a_raw_update_of_a_mark_without_its_amendment_is_refused(late):
    assert refused("UPDATE registers_mark SET code_id = 'I' WHERE id = %s", late.pk)
    assert refused("UPDATE registers_mark SET comment = 'x' WHERE id = %s", late.pk)
    assert refused("UPDATE registers_mark SET minutes_late = 1 WHERE id = %s", late.pk)
    # Raising the version without the amendment of that version.
    assert refused("UPDATE registers_mark SET code_id = 'I', version = 1 WHERE id = %s", late.pk)
    assert Mark.objects.get(pk=late.pk).code_id == "L"


UPDATE = "UPDATE registers_mark SET code_id = %s, version = %s WHERE id = %s"


def test_an_amendment_must_match_the_change_and_its_version(late):
    with transaction.atomic():
        add_amendment(late, new_code="I", version=1)
        # The amendment says I, the update writes M: refused.
        assert refused(UPDATE, "M", 1, late.pk)
        # Skipping a version: refused.
        assert refused(UPDATE, "I", 2, late.pk)
        # The change its amendment describes goes through.
        assert not refused(UPDATE, "I", 1, late.pk)
    assert Mark.objects.get(pk=late.pk).code_id == "I"


def test_what_changes_no_entry_still_goes_through(late):
    """Django sets recorded_by to NULL when a user is deleted: that is no amendment."""
    assert not refused("UPDATE registers_mark SET recorded_by_id = NULL WHERE id = %s", late.pk)


def test_one_amendment_per_version(late):
    add_amendment(late, new_code="I", version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        add_amendment(late, new_code="M", version=1)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigger")
def test_on_postgresql_a_bulk_update_without_amendments_is_refused_as_one(late, pupils):
    """The statement trigger checks a whole set-based UPDATE (as the import sends)."""
    assert refused("UPDATE registers_mark SET comment = 'all present' WHERE date = %s", MONDAY)
    assert refused(
        "UPDATE registers_mark SET code_id = 'I', version = version + 1 WHERE id = %s", late.pk
    )
    assert set(Mark.objects.values_list("comment", flat=True)) == {"bus", ""}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT action_timing, action_orientation FROM information_schema.triggers "
            "WHERE trigger_name = 'registers_mark_amended_only'"
        )
        assert set(cursor.fetchall()) == {("AFTER", "STATEMENT")}


def test_the_history_shows_a_comment_change(login, officer, late):
    record_mark(
        pupil=late.pupil,
        day=MONDAY,
        session="AM",
        entry=Entry(late.pupil_id, "L", 10, "bus cancelled"),
        actor=Actor.for_membership(officer),
        reason="Mum's note",
    )
    pupil = late.pupil
    url = reverse("registers:amend", args=[pupil.school.urn, pupil.pk, MONDAY, "AM"])
    page = login(officer).get(url).content.decode()
    assert 'Comment: “bus” <span aria-label="changed to">→</span> “bus cancelled”' in page
