"""The nightly sweep: figures, hysteresis, cases, letters, dips, idempotency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation.models import Case, EscalationEvent, PupilFigure, SweepRun
from escalation.services import sweep_steps
from escalation.services.sweep import SweepBusy, run_sweep
from registers.figures import fpn_candidates
from tests.escalation.conftest import LAST_DAY, LAST_NIGHTS
from tests.escalation.factories import CaseFactory, school_days
from tests.registers.factories import MarkFactory, PupilFactory, make_half_term

Action = EscalationEvent.Action


def upns(rows):
    return sorted(r["upn"] for r in rows)


def test_it_stores_each_pupil_on_rolls_figures(school, cast, sweep):
    leaver = PupilFactory(school=school, leaving_date=dt.date(2025, 10, 1))
    newcomer = PupilFactory(school=school, admission_date=LAST_DAY)
    summary = sweep(LAST_DAY)
    figures = {f.pupil_id: f for f in PupilFigure.objects.for_school(school).on(LAST_DAY)}
    assert leaver.pk not in figures
    assert figures[newcomer.pk].possible == 0
    assert figures[newcomer.pk].band == "" and figures[newcomer.pk].attendance is None
    monitor = figures[cast["monitor"].pk]
    assert (monitor.possible, monitor.present, monitor.unauthorised) == (76, 72, 4)
    assert monitor.attendance == Decimal("94.7") and monitor.band == "monitor"
    severe = figures[cast["severe"].pk]
    assert severe.severe and severe.persistent and severe.band == "severe"
    assert summary.pupils == 6
    assert summary.bands == {
        "none": 1,
        "expected": 1,
        "monitor": 1,
        "concern": 1,
        "persistent": 1,
        "severe": 1,
    }


def test_one_night_below_a_line_opens_no_case_and_queues_no_letter(cast, sweep):
    summary = sweep(LAST_DAY)
    assert summary.letters_queued == []
    # Penalty-notice candidates are put on the caseload at once, to consider.
    assert {(c["upn"], c["reason"]) for c in summary.cases_opened} == {
        (cast["persistent"].upn, "fpn_threshold"),
        (cast["severe"].upn, "fpn_threshold"),
    }
    assert upns(summary.fpn_candidates) == [cast["persistent"].upn, cast["severe"].upn]


def test_the_sweeps_penalty_notice_candidates_are_the_lists(school, form, cast, days, sweep):
    """The sweep counts the window from its own scan of the year (figures.fpn_from_counts);
    the candidates list and fpn_candidates count it with a query of their own."""
    holiday = PupilFactory(school=school, form=form)
    MarkFactory.days(holiday, days, absent_sessions=12, code="G")
    authorised = PupilFactory(school=school, form=form)
    MarkFactory.days(authorised, days, absent_sessions=14, code="I")
    leaver = PupilFactory(school=school, form=form, leaving_date=LAST_DAY - dt.timedelta(days=1))
    MarkFactory.days(leaver, days, absent_sessions=20, code="U")
    summary = sweep(LAST_DAY)
    listed = [
        {
            "upn": c.upn,
            "unauthorised_sessions": c.unauthorised_sessions,
            "window_start": c.window.start.isoformat(),
            "window_end": c.window.end.isoformat(),
        }
        for c in fpn_candidates(school=school, as_of=LAST_DAY)
        if c.pupil_id != leaver.pk  # left before tonight: not on roll, not swept
    ]
    assert summary.fpn_candidates == listed
    assert upns(listed) == sorted([cast["persistent"].upn, cast["severe"].upn, holiday.upn])


def test_three_nights_below_open_cases_queue_letters_and_move_formal_ones_to_letter(cast, sweep):
    sweep(*LAST_NIGHTS[:2])
    summary = sweep(LAST_NIGHTS[2])
    opened = {c["upn"]: c["reason"] for c in summary.cases_opened}
    assert opened == {cast["monitor"].upn: "band", cast["concern"].upn: "band"}
    letters = {row["upn"]: row["kind"] for row in summary.letters_queued}
    assert letters == {
        cast["monitor"].upn: "below_target",
        cast["concern"].upn: "meeting_invite",
        cast["persistent"].upn: "persistent",
        cast["severe"].upn: "severe",
    }
    advanced = {row["upn"]: row["to"] for row in summary.cases_advanced}
    assert advanced == {u: "letter" for u in letters if u != cast["monitor"].upn}
    stages = dict(Case.objects.open().values_list("pupil__surname", "stage"))
    assert stages == {
        "Monitor": "monitoring",
        "Concern": "letter",
        "Persistent": "letter",
        "Severe": "letter",
    }
    assert cast["expected"].pk not in Case.objects.values_list("pupil_id", flat=True)


def test_running_twice_changes_nothing_and_reports_the_same(cast, sweep, school):
    sweep(*LAST_NIGHTS[:2])
    first = sweep(LAST_DAY).as_dict()
    before = {m: m.objects.count() for m in (PupilFigure, Case, EscalationEvent)}
    stamps = list(PupilFigure.objects.order_by("pk").values_list("updated_at", flat=True))
    second = run_sweep(school=school, as_of=LAST_DAY).as_dict()
    assert second == first
    assert {m: m.objects.count() for m in before} == before
    assert list(PupilFigure.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    run = SweepRun.objects.get(school=school, as_of=LAST_DAY)
    assert (run.status, run.attempts, run.summary) == ("finished", 2, first)


def test_the_database_refuses_what_a_second_run_must_not_write(cast, sweep, school):
    sweep(*LAST_NIGHTS)
    figure = PupilFigure.objects.first()
    case = Case.objects.open().first()
    letter = EscalationEvent.objects.filter(action=Action.LETTER_QUEUED).first()
    duplicates = [
        lambda: PupilFigure.objects.create(
            school=school, pupil_id=figure.pupil_id, as_of=figure.as_of
        ),
        lambda: Case.objects.create(
            school=school, pupil_id=case.pupil_id, reason="band", opened_on=LAST_DAY
        ),
        lambda: EscalationEvent.objects.create(
            school=school,
            case=letter.case,
            pupil_id=letter.pupil_id,
            action=letter.action,
            occurred_on=LAST_DAY,
            actor_name="x",
            summary="again",
            key=letter.key,
        ),
        lambda: SweepRun.objects.create(school=school, as_of=LAST_DAY, started_at=timezone.now()),
    ]
    for write in duplicates:
        with pytest.raises(IntegrityError), transaction.atomic():
            write()


def test_later_nights_do_not_repeat_letters_within_the_cool_down(cast, sweep, school):
    make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    november = school_days(school, dt.date(2025, 11, 3), dt.date(2025, 11, 14))
    for pupil in cast.values():
        MarkFactory.days(pupil, november)
    sweep(*LAST_NIGHTS)
    queued = EscalationEvent.objects.filter(action=Action.LETTER_QUEUED).count()
    summary = sweep(*november)
    assert summary.letters_queued == []
    assert EscalationEvent.objects.filter(action=Action.LETTER_QUEUED).count() == queued


def test_a_run_stopped_midway_leaves_nothing_and_can_be_rerun(cast, sweep, school, monkeypatch):
    sweep(*LAST_NIGHTS[:2])
    counts = (PupilFigure.objects.count(), Case.objects.count(), EscalationEvent.objects.count())

    def crash(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(sweep_steps, "queue_letters", crash)
    with pytest.raises(RuntimeError):
        run_sweep(school=school, as_of=LAST_DAY)
    run = SweepRun.objects.get(school=school, as_of=LAST_DAY)
    assert run.status == "failed" and "worker killed" in run.error
    assert (
        PupilFigure.objects.count(),
        Case.objects.count(),
        EscalationEvent.objects.count(),
    ) == counts

    monkeypatch.undo()
    summary = run_sweep(school=school, as_of=LAST_DAY)
    assert len(summary.letters_queued) == 4
    assert SweepRun.objects.get(pk=run.pk).status == "finished"


def test_a_sweep_already_running_is_not_run_again(school, cast):
    SweepRun.objects.create(school=school, as_of=LAST_DAY, started_at=timezone.now())
    with pytest.raises(SweepBusy):
        run_sweep(school=school, as_of=LAST_DAY)


def test_a_run_left_running_by_a_killed_worker_is_taken_over(school, cast):
    started = timezone.now() - dt.timedelta(hours=2)
    SweepRun.objects.create(school=school, as_of=LAST_DAY, started_at=started)
    run_sweep(school=school, as_of=LAST_DAY)
    run = SweepRun.objects.get(school=school, as_of=LAST_DAY)
    assert (run.status, run.attempts) == ("finished", 2)


@pytest.mark.django_db(transaction=True)
def test_a_database_restart_midway_leaves_the_run_free_for_the_retry(school, cast, monkeypatch):
    """The connection dies under the sweep (as when PostgreSQL restarts): nothing half
    written stays, the run is marked failed rather than left running (the sweep's atomic
    block drops the dead connection, so recording the failure reconnects), and the task's
    retry (on OperationalError) sweeps the school in full."""
    if connection.vendor != "postgresql":
        pytest.skip("terminates its own PostgreSQL backend")
    from escalation.services import sweep as service

    real_sweep = service._sweep

    def connection_lost(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return real_sweep(**kwargs)

    monkeypatch.setattr(service, "_sweep", connection_lost)
    with pytest.raises(OperationalError):
        run_sweep(school=school, as_of=LAST_DAY)
    run = SweepRun.objects.get(school=school, as_of=LAST_DAY)
    assert run.status == "failed" and "OperationalError" in run.error
    assert not PupilFigure.objects.exists()

    monkeypatch.setattr(service, "_sweep", real_sweep)
    summary = run_sweep(school=school, as_of=LAST_DAY)  # the retry
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("finished", 2)
    assert summary.pupils == 5 and PupilFigure.objects.filter(as_of=LAST_DAY).count() == 5


def test_a_dip_between_monitoring_points_is_flagged_even_above_the_lines(school, form, sweep):
    make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    autumn1 = school_days(school, end=LAST_DAY)
    autumn2 = school_days(school, dt.date(2025, 11, 3))
    dipping = PupilFactory(school=school, form=form)
    steady = PupilFactory(school=school, form=form)
    MarkFactory.days(dipping, autumn1)
    MarkFactory.days(dipping, autumn2, absent_sessions=4, code="I")  # 100% → 97.3%
    MarkFactory.days(steady, autumn1)
    MarkFactory.days(steady, autumn2, absent_sessions=2, code="I")  # 100% → 98.6%

    summary = sweep(dt.date(2025, 12, 19))
    assert [(d["upn"], d["fall"], d["before"], d["after"]) for d in summary.dips] == [
        (dipping.upn, 2.7, 100.0, 97.3)
    ]
    case = Case.objects.get(pupil=dipping)
    assert (case.reason, case.stage) == ("dip", "monitoring")
    again = sweep(dt.date(2025, 12, 20))  # the next night: already flagged for this point
    assert again.dips == [] and again.cases_opened == []
    assert EscalationEvent.objects.filter(action=Action.DIP_FLAGGED).count() == 1


def test_pupils_ending_a_year_with_an_open_case_start_the_next_as_focus(school, pupil, sweep):
    case = CaseFactory(school=school, pupil=pupil, reason="band", opened_on=dt.date(2025, 3, 1))
    summary = sweep(LAST_DAY)
    assert summary.focus_pupils == [{"upn": pupil.upn}]
    case.refresh_from_db()
    assert case.focus
    assert sweep(LAST_DAY + dt.timedelta(days=1)).focus_pupils == []


def test_the_sweep_makes_the_same_number_of_queries_whatever_the_roll(school, form, days):
    def queries(n_pupils: int, night: dt.date) -> int:
        for _ in range(n_pupils):
            MarkFactory.days(PupilFactory(school=school, form=form), days, absent_sessions=12)
        with CaptureQueriesContext(connection) as captured:
            run_sweep(school=school, as_of=night)
        return len(captured)

    small = queries(3, LAST_NIGHTS[0])
    large = queries(30, LAST_NIGHTS[1])
    assert large == small


def test_marks_that_stop_after_a_week_take_no_step_on_the_incomplete_figure(
    school, form, cast, days, sweep
):
    """Issue 15 §2: ten O sessions, then no marks at all. On its recorded sessions the
    figure is "severe" and a penalty-notice candidate; with 66 sessions unmarked it is
    incomplete, so the sweep opens no case, queues no letter, and counts the pupil."""
    from registers.services.calendar import open_sessions

    gap = PupilFactory(school=school, form=form, upn="A000000000GAP", surname="Gap")
    first_week = open_sessions(school=school, start=days[0], end=days[-1])[:10]
    MarkFactory.at(gap, first_week, "O")
    summary = sweep(*LAST_NIGHTS)
    figure = PupilFigure.objects.get(pupil=gap, as_of=LAST_DAY)
    assert figure.possible == 10 and figure.band == "severe"  # the recorded figure
    assert gap.pk not in Case.objects.values_list("pupil_id", flat=True)
    assert gap.upn not in {row["upn"] for row in summary.letters_queued}
    assert gap.upn not in {row["upn"] for row in summary.cases_opened}
    assert summary.incomplete_pupils == 1
    # The fully marked cast is decided as before.
    assert {row["upn"] for row in summary.letters_queued} >= {cast["severe"].upn}
