"""Data protection: the subject access export and the six-year retention purge."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from escalation.models import Case, EscalationEvent, Letter, PupilFigure
from escalation.services import cases as case_services
from registers.actors import Actor
from registers.models import (
    CallAttempt,
    Contact,
    LeaveRequest,
    Mark,
    MarkAmendment,
    PlannedAbsence,
    PriorAttendance,
    Pupil,
    RetentionPurge,
)
from registers.services.privacy import (
    PurgeRefused,
    export_pupil_data,
    purge_expired_pupils,
    retention_cutoff,
)
from tests.registers.factories import FormFactory, PupilFactory

TODAY = dt.date(2025, 9, 1)
SIX_YEARS_AGO = dt.date(2019, 9, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2025, 9, 1, 9, 0), tick=False):
        yield


def give_history(pupil: Pupil, office) -> Pupil:
    """Everything the portal can hold on a pupil, dated in their last year at school."""
    school, actor = pupil.school, Actor.for_membership(office)
    day = pupil.leaving_date or dt.date(2025, 9, 1)
    marks = Mark.objects.bulk_create(
        [
            Mark(school=school, pupil=pupil, date=day, session="AM", code_id="N"),
            Mark(school=school, pupil=pupil, date=day, session="PM", code_id="\\"),
        ]
    )
    MarkAmendment.objects.create(
        school=school,
        mark=marks[0],
        pupil=pupil,
        date=day,
        session="AM",
        old_code="N",
        new_code="I",
        reason="Mum phoned",
        changed_by_name="Officer",
        mark_version=1,
    )
    Mark.objects.filter(pk=marks[0].pk).update(code_id="I", version=1)
    contact = Contact.objects.create(school=school, pupil=pupil, name=f"Parent of {pupil.upn}")
    CallAttempt.objects.create(
        school=school, pupil=pupil, date=day, contact=contact, outcome="no_answer"
    )
    case = case_services.open_case(pupil=pupil, actor=actor, summary="Worried", on=day)
    case_services.close_case(case=case, actor=actor, summary="Improved", on=day)
    letter = Letter(
        school=school,
        pupil=pupil,
        kind=Letter.Kind.FIRST_CONCERN,
        period=str(day),
        as_of=day,
        case=case,
        status=Letter.Status.GENERATED,
        generated_at=dt.datetime(2019, 7, 1, tzinfo=dt.UTC),
    )
    letter.file.save(f"letter-{pupil.upn}.pdf", ContentFile(b"%PDF-1.4 letter"), save=False)
    letter.save()
    LeaveRequest.objects.create(
        school=school,
        pupil=pupil,
        start_date=day,
        end_date=day,
        requested_by_name="Parent",
        requested_by_relationship="Mother",
        requested_on=day,
        kind=LeaveRequest.Kind.EXCEPTIONAL,
        reason="Funeral",
    )
    PlannedAbsence.objects.create(
        school=school, pupil=pupil, start_date=day, end_date=day, code=PlannedAbsence.Code.MEDICAL
    )
    PriorAttendance.objects.create(
        school=school,
        pupil=pupil,
        year=2015,
        source_school_name="Infant school",
        sessions_possible=10,
        sessions_authorised=1,
        sessions_attended=9,
        sessions_unauthorised=0,
    )
    PupilFigure.objects.create(school=school, pupil=pupil, as_of=day)
    return pupil


def held_on(pupil_id: int) -> dict[str, int]:
    """How many rows of each kind still refer to the pupil."""
    return {
        "pupil": Pupil.objects.filter(pk=pupil_id).count(),
        "marks": Mark.objects.filter(pupil_id=pupil_id).count(),
        "amendments": MarkAmendment.objects.filter(pupil_id=pupil_id).count(),
        "contacts": Contact.objects.filter(pupil_id=pupil_id).count(),
        "calls": CallAttempt.objects.filter(pupil_id=pupil_id).count(),
        "cases": Case.objects.filter(pupil_id=pupil_id).count(),
        "events": EscalationEvent.objects.filter(pupil_id=pupil_id).count(),
        "letters": Letter.objects.filter(pupil_id=pupil_id).count(),
        "leave": LeaveRequest.objects.filter(pupil_id=pupil_id).count(),
        "planned": PlannedAbsence.objects.filter(pupil_id=pupil_id).count(),
        "prior": PriorAttendance.objects.filter(pupil_id=pupil_id).count(),
        "figures": PupilFigure.objects.filter(pupil_id=pupil_id).count(),
    }


def make_leaver(school, form, left: dt.date, **names) -> Pupil:
    return PupilFactory(
        school=school,
        form=form,
        admission_date=dt.date(2013, 9, 1),
        date_of_birth=dt.date(2009, 1, 1),
        year_group="6",
        leaving_date=left,
        **names,
    )


@pytest.fixture
def leaver(school, form, officer) -> Pupil:
    # A surname no random staff name can contain (an officer "Elliot King" once met a
    # leaver "King" and the purge's audit test saw the pupil's name in the actor's).
    pupil = make_leaver(
        school, form, dt.date(2019, 7, 19), upn="L12345678901A", surname="Quillanderby"
    )
    return give_history(pupil, officer)


@pytest.fixture
def actor(officer) -> Actor:
    return Actor.for_membership(officer)


# -- the cut-off ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        (dt.date(2025, 9, 1), dt.date(2019, 9, 1)),
        (dt.date(2028, 2, 29), dt.date(2022, 2, 28)),  # no 29 February six years back
        (dt.date(2026, 1, 1), dt.date(2020, 1, 1)),
    ],
)
def test_the_cutoff_is_six_full_years_back(today, cutoff):
    assert retention_cutoff(today) == cutoff


# -- the purge -----------------------------------------------------------------------------------


def test_the_purge_removes_a_leaver_and_everything_about_them(leaver, school, actor):
    before = held_on(leaver.pk)
    assert all(before.values()), before  # the fixture really gave them every kind of row
    result = purge_expired_pupils(school=school, today=TODAY, actor=actor)
    assert result.pupil_count == 1
    assert held_on(leaver.pk) == dict.fromkeys(before, 0)
    assert result.rows_removed["registers.Mark"] == 2
    assert result.rows_removed["escalation.EscalationEvent"] == before["events"]


def test_pupils_still_within_six_years_are_kept(school, form, other_school, officer, actor):
    on_roll = give_history(PupilFactory(school=school, form=form), officer)
    exactly_six = make_leaver(school, form, SIX_YEARS_AGO)  # six full years only today
    recent = make_leaver(school, form, dt.date(2022, 7, 22))
    elsewhere_form = FormFactory(school=other_school)
    elsewhere = make_leaver(other_school, elsewhere_form, dt.date(2015, 7, 17))
    result = purge_expired_pupils(school=school, today=TODAY, actor=actor)
    assert result.pupil_count == 0
    assert set(Pupil.objects.values_list("pk", flat=True)) >= {
        on_roll.pk,
        exactly_six.pk,
        recent.pk,
        elsewhere.pk,
    }
    assert held_on(on_roll.pk)["marks"] == 2
    assert not RetentionPurge.objects.exists()


def test_one_day_more_and_the_pupil_goes(school, form, actor):
    left = make_leaver(school, form, SIX_YEARS_AGO - dt.timedelta(days=1))
    assert purge_expired_pupils(school=school, today=TODAY, actor=actor).pupil_count == 1
    assert not Pupil.objects.filter(pk=left.pk).exists()


def test_the_audit_records_the_purge_without_naming_anyone(leaver, school, actor):
    upn, name = leaver.upn, leaver.surname
    purge_expired_pupils(school=school, today=TODAY, actor=actor)
    record = RetentionPurge.objects.get()
    assert (record.school, record.run_on, record.left_before) == (school, TODAY, SIX_YEARS_AGO)
    assert record.pupil_count == 1
    assert record.actor == actor.user and record.actor_name == actor.name
    digest = hashlib.sha256(f"{school.urn}:{upn}".encode()).hexdigest()
    assert record.upn_digests == [digest]
    stored = json.dumps([record.rows_removed, record.upn_digests, record.actor_name])
    assert upn not in stored and name not in stored


def test_an_open_case_stops_the_whole_purge(leaver, school, form, officer, actor):
    other = make_leaver(school, form, dt.date(2018, 7, 20), upn="L99999999999B")
    case_services.open_case(pupil=other, actor=actor, summary="Never closed", on=TODAY)
    with pytest.raises(PurgeRefused, match="L99999999999B"):
        purge_expired_pupils(school=school, today=TODAY, actor=actor)
    assert held_on(leaver.pk)["marks"] == 2
    assert not RetentionPurge.objects.exists()


def test_a_dry_run_counts_what_the_purge_removes_and_changes_nothing(leaver, school, actor):
    dry = purge_expired_pupils(school=school, today=TODAY, actor=actor, dry_run=True)
    assert dry.dry_run and dry.audit is None
    assert held_on(leaver.pk)["marks"] == 2
    assert not RetentionPurge.objects.exists()
    real = purge_expired_pupils(school=school, today=TODAY, actor=actor)
    assert dry.rows_removed == real.rows_removed
    assert "would remove 1 pupil(s)" in dry.summary()
    assert "removed 1 pupil(s)" in real.summary()


def test_the_letters_files_go_once_the_purge_is_committed(
    leaver, school, actor, django_capture_on_commit_callbacks
):
    stored = Letter.objects.get(pupil=leaver).file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        purge_expired_pupils(school=school, today=TODAY, actor=actor)
    assert not default_storage.exists(stored)


def test_running_it_again_finds_nothing(leaver, school, actor):
    purge_expired_pupils(school=school, today=TODAY, actor=actor)
    again = purge_expired_pupils(school=school, today=TODAY, actor=actor)
    assert again.pupil_count == 0
    assert RetentionPurge.objects.count() == 1


def test_a_date_in_the_future_is_refused(leaver, school, actor):
    with pytest.raises(PurgeRefused, match="future"):
        purge_expired_pupils(school=school, today=dt.date(2031, 1, 1), actor=actor)


# -- the command ---------------------------------------------------------------------------------


def test_the_command_reports_a_dry_run_then_purges(leaver, school, capsys):
    call_command("purge_expired_pupils", "--school", school.urn, "--dry-run")
    assert "would remove 1 pupil(s)" in capsys.readouterr().out
    assert Pupil.objects.filter(pk=leaver.pk).exists()
    call_command("purge_expired_pupils", "--school", school.urn, "--date", "2025-09-01")
    assert "removed 1 pupil(s)" in capsys.readouterr().out
    record = RetentionPurge.objects.get()
    assert record.actor is None and record.actor_name.startswith("purge_expired_pupils")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", "999999"], "no school with URN"),
        (["--school", "123456", "--date", "01/09/2025"], "use YYYY-MM-DD"),
        (["--school", "123456", "--date", "2031-01-01"], "future"),
    ],
)
def test_the_command_explains_what_it_refuses(school, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("purge_expired_pupils", *args)


def test_the_command_refuses_while_a_case_is_open(leaver, school, actor):
    case_services.open_case(pupil=leaver, actor=actor, summary="Reopened", on=TODAY)
    with pytest.raises(CommandError, match="open case"):
        call_command("purge_expired_pupils", "--school", school.urn)


# -- the subject access export -------------------------------------------------------------------


def read_export(content: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("pupil.json")), files


def test_the_export_holds_everything_about_the_pupil(leaver, school, form, officer):
    someone_else = give_history(PupilFactory(school=school, form=form), officer)
    document, files = read_export(export_pupil_data(pupil=leaver))
    assert document["pupil"]["upn"] == leaver.upn
    assert document["school"] == {"urn": school.urn, "name": school.name}
    records = document["records"]
    counts = {label: len(rows) for label, rows in records.items()}
    assert counts["registers.Mark"] == 2
    assert counts["registers.MarkAmendment"] == 1
    assert records["registers.MarkAmendment"][0]["reason"] == "Mum phoned"
    for label in (
        "registers.Contact",
        "registers.CallAttempt",
        "registers.LeaveRequest",
        "registers.PlannedAbsence",
        "registers.PriorAttendance",
        "escalation.Case",
        "escalation.Letter",
        "escalation.PupilFigure",
    ):
        assert counts[label] == 1, label
    assert counts["escalation.EscalationEvent"] == 2  # opened, closed
    # A letter reached twice (through the pupil and through the case) is listed once,
    # and its file comes with it.
    assert list(files) == [f"files/{Letter.objects.get(pupil=leaver).file.name}"]
    assert document["files_missing"] == []
    everything = json.dumps(document)
    assert someone_else.upn not in everything
    assert f"Parent of {someone_else.upn}" not in everything


def test_a_stored_file_gone_missing_is_listed_not_fatal(leaver):
    letter = Letter.objects.get(pupil=leaver)
    default_storage.delete(letter.file.name)
    document, files = read_export(export_pupil_data(pupil=leaver))
    assert document["files_missing"] == [letter.file.name]
    assert files == {}


def test_the_office_downloads_the_export_and_teachers_cannot(
    client, leaver, school, officer, teacher, outsider
):
    url = reverse("registers:pupil_export", args=[school.urn, leaver.pk])
    client.force_login(officer.user)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert f"pupil-{leaver.pk}-data-" in response["Content-Disposition"]
    assert read_export(response.content)[0]["pupil"]["upn"] == leaver.upn
    client.force_login(teacher.user)
    assert client.post(url).status_code == 403
    client.force_login(outsider.user)
    assert client.post(url).status_code == 404
