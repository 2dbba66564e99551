from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from attendance_portal import bulk
from registers.actors import Actor
from registers.models import Closure, Mark, MarkAmendment
from registers.services.calendar import rebuild_school_days
from registers.services.imports import CsvFile, ImportFailed
from registers.services.imports.marks import import_marks
from registers.services.marks import Entry, record_mark
from tests.registers.factories import PupilFactory

HEADER = "upn,date,session,code,minutes_late,comment"
MONDAY = dt.date(2025, 9, 8)


def write(tmp_path: Path, text: str | bytes, name: str = "marks.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def run(school, path: str) -> str:
    out = StringIO()
    call_command("import_marks", "--school", school.urn, path, stdout=out)
    return out.getvalue()


def snapshot(school):
    marks = Mark.objects.for_school(school).order_by("pk").values()
    return list(marks), MarkAmendment.objects.count()


def refused(school, path: str) -> str:
    before = snapshot(school)
    with pytest.raises(CommandError) as exc:
        run(school, path)
    assert snapshot(school) == before  # all or nothing
    return str(exc.value)


def csv(*rows: str) -> str:
    return HEADER + "\n" + "\n".join(rows) + "\n"


def test_it_creates_marks(school, pupils, tmp_path):
    a, b = pupils[0].upn, pupils[1].upn
    text = csv(
        f"{a},2025-09-08,AM,/,,", f"{a},2025-09-08,PM,L,12,bus late", f"{b},2025-09-08,AM,I,,"
    )
    output = run(school, write(tmp_path, text))
    assert output.strip() == "marks: 3 created, 0 amended (0 only in the comment), 0 unchanged"
    late = Mark.objects.get(pupil=pupils[0], session="PM")
    assert (late.code_id, late.minutes_late, late.comment, late.source) == (
        "L",
        12,
        "bus late",
        "import",
    )
    assert not MarkAmendment.objects.exists()


def test_a_changed_mark_is_an_amendment_with_the_audit_trail(school, pupil, tmp_path):
    run(school, write(tmp_path, csv(f"{pupil.upn},2025-09-08,AM,N,,"), "monday.csv"))
    output = run(school, write(tmp_path, csv(f"{pupil.upn},2025-09-08,AM,I,,"), "fixed.csv"))
    assert "0 created, 1 amended" in output
    history = MarkAmendment.objects.get()
    assert (history.old_code, history.new_code) == ("N", "I")
    assert history.reason == "imported from fixed.csv"
    assert history.changed_by_name.startswith("import_marks")
    assert history.created_at is not None
    assert (history.pupil, history.date, history.session) == (pupil, MONDAY, "AM")
    assert Mark.objects.get().code_id == "I"


def test_a_change_of_minutes_late_is_an_amendment_too(school, pupil, tmp_path):
    run(school, write(tmp_path, csv(f"{pupil.upn},2025-09-08,AM,L,5,")))
    run(school, write(tmp_path, csv(f"{pupil.upn},2025-09-08,AM,L,15,")))
    history = MarkAmendment.objects.get()
    assert (history.old_minutes_late, history.new_minutes_late) == (5, 15)


def test_a_new_comment_alone_is_an_amendment_with_old_and_new_values(school, pupil, tmp_path):
    run(school, write(tmp_path, csv(f"{pupil.upn},2025-09-08,AM,I,,cold")))
    output = run(school, write(tmp_path, csv(f"{pupil.upn},2025-09-08,AM,I,,flu"), "fix.csv"))
    assert "0 created, 1 amended (1 only in the comment), 0 unchanged" in output
    mark = Mark.objects.get()
    assert (mark.comment, mark.version) == ("flu", 1)
    history = MarkAmendment.objects.get()
    assert (history.old_code, history.new_code) == ("I", "I")
    assert (history.old_comment, history.new_comment) == ("cold", "flu")
    assert (history.reason, history.mark_version) == ("imported from fix.csv", 1)


def test_the_same_file_twice_changes_nothing_the_second_time(school, pupils, tmp_path):
    present = {"AM": "/", "PM": "\\"}
    rows = [
        f"{p.upn},2025-09-0{d},{s},{present[s]},,"
        for p in pupils
        for d in (8, 9)
        for s in ("AM", "PM")
    ]
    path = write(tmp_path, csv(*rows))
    run(school, path)
    run(school, write(tmp_path, csv(rows[0].replace(",/,", ",N,")), "other.csv"))
    run(school, path)  # puts the / back: one more amendment
    before = snapshot(school)
    output = run(school, path)
    assert snapshot(school) == before
    assert "0 created, 0 amended (0 only in the comment), 20 unchanged" in output
    assert MarkAmendment.objects.count() == 2


@pytest.fixture
def leaver(school, form):
    return PupilFactory(
        school=school,
        form=form,
        admission_date=dt.date(2025, 9, 10),
        leaving_date=dt.date(2025, 9, 30),
    )


def test_each_refused_row_is_reported_and_nothing_is_written(school, pupil, leaver, tmp_path):
    Closure.objects.create(
        school=school, date=dt.date(2025, 9, 12), session="PM", reason="Sports day"
    )
    Closure.objects.create(school=school, date=dt.date(2025, 9, 19), session="AM", reason="INSET")
    Closure.objects.create(school=school, date=dt.date(2025, 9, 19), session="PM", reason="INSET")
    rebuild_school_days(school=school)
    rows = [
        f"{pupil.upn},2025-09-08,AM,/,,",  # 1: good
        "Z99999999999Z,2025-09-08,AM,/,,",  # 2: unknown UPN
        f"{leaver.upn},2025-09-08,AM,/,,",  # 3: before admission
        f"{leaver.upn},2025-10-01,AM,/,,",  # 4: after leaving
        f"{pupil.upn},2025-09-06,AM,/,,",  # 5: Saturday
        f"{pupil.upn},2025-10-28,AM,/,,",  # 6: half-term holiday
        f"{pupil.upn},2025-09-12,PM,\\,,",  # 7: closed session
        f"{pupil.upn},2025-09-19,AM,/,,",  # 8: closed all day
        f"{pupil.upn},2025-09-09,AM,H,,",  # 9: withdrawn code
        f"{pupil.upn},2025-09-08,AM,I,,",  # 10: duplicate of row 1
        f"{pupil.upn},08/09/2025,AM,/,,",  # 11: not ISO
        f"{pupil.upn},2025-09-09,am,/,,",  # 12: bad session
        f"{pupil.upn},2025-09-10,AM,L,ten,",  # 13: minutes not a number
        f"{pupil.upn},2025-09-11,AM,L,601,",  # 14: minutes out of range
        f"{pupil.upn},2025-09-15,AM,/,,{'x' * 501}",  # 15: comment too long
        ",2025-09-16,AM,/,,",  # 16: empty UPN
        f"{pupil.upn},2025-09-17,AM,/",  # 17: too few values
    ]
    message = refused(school, write(tmp_path, csv(*rows)))
    expected = {
        2: "unknown UPN 'Z99999999999Z'",
        3: f"pupil {leaver.upn} is not on roll on 2025-09-08",
        4: f"pupil {leaver.upn} is not on roll on 2025-10-01",
        5: "2025-09-06 is a Saturday, not a school day",
        6: "2025-10-28 is not a school day (outside the half-terms)",
        7: "the PM session on 2025-09-12 is closed (Sports day)",
        8: "2025-09-19 is not a school day (school closed all day)",
        9: "code 'H' is not a DfE attendance code",
        10: f"{pupil.upn} 2025-09-08 AM is also on row 1",
        11: "date '08/09/2025' is not a date (use YYYY-MM-DD)",
        12: "session 'am' is not AM or PM",
        13: "minutes_late 'ten' is not a whole number from 0 to 600",
        14: "minutes_late '601' is not a whole number from 0 to 600",
        15: "comment is longer than 500 characters",
        16: "upn is empty",
        17: "expected 6 values, found 4",
    }
    for row, problem in expected.items():
        assert f"marks.csv, row {row}: {problem}" in message
    assert "row 1:" not in message
    assert not Mark.objects.exists()


def test_a_file_with_one_bad_row_writes_nothing(school, pupils, tmp_path):
    rows = [f"{p.upn},2025-09-08,AM,/,," for p in pupils] + ["X00000000000X,2025-09-08,AM,/,,"]
    assert "row 6: unknown UPN" in refused(school, write(tmp_path, csv(*rows)))


def test_a_pupil_of_another_school_is_an_unknown_upn(school, other_school, tmp_path):
    stranger = PupilFactory(school=other_school)
    assert "unknown UPN" in refused(
        school, write(tmp_path, csv(f"{stranger.upn},2025-09-08,AM,/,,"))
    )


def test_bom_crlf_whitespace_and_blank_trailing_lines_are_accepted(school, pupil, tmp_path):
    text = f"\ufeff{HEADER}\r\n {pupil.upn} , 2025-09-08 , AM , L , 7 , late \r\n\r\n"
    run(school, write(tmp_path, text.encode("utf-8")))
    mark = Mark.objects.get()
    assert (mark.code_id, mark.minutes_late, mark.comment) == ("L", 7, "late")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "marks.csv: the file is empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "marks.csv: the file is empty"),
        (b"upn,date,session,code\n", "header is missing column(s) minutes_late, comment"),
        (b"upn,date,session,mark,minutes_late,comment\n", "unknown column(s) mark"),
        (f"{HEADER}\nA000000000010,2025-09-08,AM,/,,caf\xe9\n".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_unreadable_files_are_refused(school, pupil, tmp_path, content, message):
    assert message in refused(school, write(tmp_path, content))


def test_a_missing_file_and_an_unknown_school_are_refused(school, tmp_path):
    assert "file not found" in refused(school, str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="no school with URN '000000'"):
        call_command("import_marks", "--school", "000000", write(tmp_path, csv()))


def test_a_header_only_file_imports_nothing(school, tmp_path):
    assert "0 created, 0 amended (0 only in the comment), 0 unchanged" in run(
        school, write(tmp_path, csv())
    )


def test_the_service_raises_import_failed_with_every_row(school, pupil):
    data = csv(f"{pupil.upn},2025-09-06,AM,/,,", f"{pupil.upn},2025-09-07,AM,/,,").encode()
    with pytest.raises(ImportFailed) as exc:
        import_marks(school=school, file=CsvFile("upload.csv", data), changed_by_name="web")
    assert [(e.file, e.row) for e in exc.value.errors] == [("upload.csv", 1), ("upload.csv", 2)]


def test_awkward_comments_survive_the_round_trip(school, pupils, tmp_path):
    comments = ['said "ill"', "back\\slash", "{braces}, commas", "NULL", "café ☕"]
    rows = [
        f'{p.upn},2025-09-08,AM,I,,"{c.replace(chr(34), chr(34) * 2)}"'
        for p, c in zip(pupils, comments, strict=True)
    ]
    run(school, write(tmp_path, csv(*rows)))
    stored = dict(Mark.objects.values_list("pupil__upn", "comment"))
    assert stored == {p.upn: c for p, c in zip(pupils, comments, strict=True)}


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the guard is checked in PostgreSQL's UPDATE"
)


@postgres_only
def test_a_mark_changed_by_someone_else_mid_import_refuses_the_import(
    school, pupil, tmp_path, monkeypatch
):
    run(school, write(tmp_path, csv(f"{pupil.upn},2025-09-08,AM,N,,")))
    real_insert = bulk.insert

    def register_saved_meanwhile(model, fields, rows):
        if model is Mark:  # the office amends the mark between the import's read and write
            record_mark(
                pupil=pupil,
                day=MONDAY,
                session="AM",
                entry=Entry(pupil.pk, "M"),
                actor=Actor(None, "office"),
                reason="dentist",
            )
        real_insert(model, fields, rows)

    monkeypatch.setattr(bulk, "insert", register_saved_meanwhile)
    with pytest.raises(CommandError, match="changed by someone else"):
        run(school, write(tmp_path, csv(f"{pupil.upn},2025-09-08,AM,I,,")))
    assert Mark.objects.get().code_id == "N"
    assert not MarkAmendment.objects.exists()


def test_a_mark_recorded_by_someone_else_mid_import_refuses_the_import(
    school, pupil, tmp_path, monkeypatch
):
    real_insert = bulk.insert

    def register_saved_meanwhile(model, fields, rows):
        Mark.objects.create(school=school, pupil=pupil, date=MONDAY, session="AM", code_id="/")
        real_insert(model, fields, rows)

    monkeypatch.setattr(bulk, "insert", register_saved_meanwhile)
    with pytest.raises(CommandError, match="changed by someone else"):
        run(school, write(tmp_path, csv(f"{pupil.upn},2025-09-08,AM,I,,")))
    assert not Mark.objects.exists()
