from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from registers.models import Form, Pupil
from tests.registers.factories import MarkFactory

HEADER = (
    "upn,surname,forename,date_of_birth,year_group,form,admission_date,leaving_date,"
    "pupil_premium,fsm,sen,eal,cin,cla,young_carer"
)
ADA = "A12345678901B,Lovelace,Ada,2016-12-10,4,4A,2020-09-01,,Y,N,K,N,N,N,N"
ALAN = "B98765432109C,Turing,Alan,2017-06-23,3,3C,2021-09-01,,N,N,N,Y,Y,N,Y"


def write(tmp_path: Path, text: str | bytes, name: str = "pupils.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def run(school, path: str) -> str:
    out = StringIO()
    call_command("import_pupils", "--school", school.urn, path, stdout=out)
    return out.getvalue()


def snapshot(school):
    return list(Pupil.objects.for_school(school).order_by("upn").values()), list(
        Form.objects.for_school(school).values_list("name", flat=True)
    )


def refused(school, path: str) -> str:
    before = snapshot(school)
    with pytest.raises(CommandError) as exc:
        run(school, path)
    assert snapshot(school) == before  # all or nothing
    return str(exc.value)


def test_it_creates_pupils_and_their_forms(school, form, tmp_path):
    output = run(school, write(tmp_path, f"{HEADER}\n{ADA}\n{ALAN}\n"))
    ada = Pupil.objects.get(upn="A12345678901B")
    assert (ada.surname, ada.year_group, ada.form, ada.sen) == ("Lovelace", "4", form, "K")
    assert (ada.pupil_premium, ada.fsm, ada.leaving_date) == (True, False, None)
    alan = Pupil.objects.get(upn="B98765432109C")
    assert alan.form.name == "3C" and alan.eal and alan.cin and alan.young_carer
    assert output.strip() == "pupils: 2 created, 0 updated, 0 unchanged; forms created: 1"


def test_reimport_updates_by_upn_and_a_second_run_changes_nothing(school, tmp_path):
    run(school, write(tmp_path, f"{HEADER}\n{ADA}\n{ALAN}\n"))
    left = ADA.replace("2020-09-01,,", "2020-09-01,2025-12-19,").replace(",4A,", ",5A,")
    path = write(tmp_path, f"{HEADER}\n{left}\n{ALAN}\n", "second.csv")
    assert "0 created, 1 updated, 1 unchanged" in run(school, path)
    ada = Pupil.objects.get(upn="A12345678901B")
    assert (ada.leaving_date, ada.form.name) == (dt.date(2025, 12, 19), "5A")
    before = snapshot(school)
    assert "0 created, 0 updated, 2 unchanged; forms created: 0" in run(school, path)
    assert snapshot(school) == before


def test_pupils_not_in_the_file_are_left_alone(school, pupils, tmp_path):
    run(school, write(tmp_path, f"{HEADER}\n{ADA}\n"))
    assert Pupil.objects.for_school(school).count() == len(pupils) + 1


def test_the_optional_gender_column_is_accepted(school, tmp_path):
    text = f"{HEADER},gender\n{ADA},F\n{ALAN},\n"
    run(school, write(tmp_path, text))
    assert Pupil.objects.get(upn="A12345678901B").gender == "F"
    assert Pupil.objects.get(upn="B98765432109C").gender == ""
    assert "gender 'X' is not one of" in refused(
        school, write(tmp_path, f"{HEADER},gender\n{ADA},X\n")
    )


def test_bom_crlf_whitespace_and_blank_trailing_lines_are_accepted(school, tmp_path):
    padded = ", ".join(f" {v} " for v in ADA.split(","))
    text = f"\ufeff{HEADER}\r\n{padded}\r\n\r\n  \r\n"
    run(school, write(tmp_path, text.encode("utf-8")))
    assert Pupil.objects.get(upn="A12345678901B").forename == "Ada"


def with_value(column: str, value: str) -> str:
    values = ADA.split(",")
    values[HEADER.split(",").index(column)] = value
    return ",".join(values)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("upn", "A1234567890", "upn 'A1234567890' is not a UPN"),
        ("upn", "a12345678901B", "upn 'a12345678901B' is not a UPN"),
        ("upn", "A1234567890AB", "upn 'A1234567890AB' is not a UPN"),
        ("surname", "", "surname is empty"),
        ("forename", "x" * 101, "forename is longer than 100 characters"),
        (
            "date_of_birth",
            "10/12/2016",
            "date_of_birth '10/12/2016' is not a date (use YYYY-MM-DD)",
        ),
        ("date_of_birth", "2016-02-30", "date_of_birth '2016-02-30' is not a date"),
        ("year_group", "Y4", "year_group 'Y4' is not one of N1, N2, R, 1"),
        ("year_group", "15", "year_group '15' is not one of"),
        ("form", "x" * 31, "form is longer than 30 characters"),
        ("admission_date", "", "admission_date is empty"),
        (
            "leaving_date",
            "2019-07-20",
            "leaving_date 2019-07-20 is before admission_date 2020-09-01",
        ),
        ("leaving_date", "soon", "leaving_date 'soon' is not a date"),
        ("admission_date", "2015-09-01", "admission_date 2015-09-01 is before date_of_birth"),
        ("sen", "S", "sen 'S' is not one of N, K, E"),
        ("pupil_premium", "yes", "pupil_premium 'yes' is not one of Y, N"),
        ("fsm", "", "fsm '' is not one of Y, N"),
        ("eal", "1", "eal '1' is not one of Y, N"),
        ("cin", "n", "cin 'n' is not one of Y, N"),
        ("cla", "T", "cla 'T' is not one of Y, N"),
        ("young_carer", "x", "young_carer 'x' is not one of Y, N"),
    ],
)
def test_each_bad_value_is_refused_with_file_row_and_reason(
    school, tmp_path, column, value, message
):
    path = write(tmp_path, f"{HEADER}\n{ALAN}\n{with_value(column, value)}\n")
    assert f"pupils.csv, row 2: {message}" in refused(school, path)


def test_every_bad_row_is_reported_and_nothing_is_written(school, tmp_path):
    rows = [ADA, with_value("sen", "Q"), ALAN, with_value("year_group", "0"), ADA]
    message = refused(school, write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n"))
    assert "row 2: sen 'Q'" in message
    assert "row 4: year_group '0'" in message
    assert "row 5: upn A12345678901B is also on row 1" in message
    assert "row 1:" not in message and "row 3:" not in message
    assert not Pupil.objects.exists() and not Form.objects.exists()


def test_a_row_with_several_problems_reports_each(school, tmp_path):
    bad = "A1,,Ada,2016-13-01,4,4A,2020-09-01,,Y,N,K,N,N,N,maybe"
    message = refused(school, write(tmp_path, f"{HEADER}\n{bad}\n"))
    for problem in ("upn 'A1'", "surname is empty", "date_of_birth '2016-13-01'", "young_carer"):
        assert problem in message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"upn,surname\n", "header is missing column(s) forename, date_of_birth"),
        (f"{HEADER},shoe_size\n".encode(), "unknown column(s) shoe_size"),
        (f"{HEADER},upn\n".encode(), "header repeats column(s) upn"),
        (f"{HEADER}\n{ADA},extra\n".encode(), "row 1: expected 15 values, found 16"),
        (f"{HEADER}\n{ADA}\n".encode().replace(b"Lovelace", b"Lovel\xe6ce"), "not UTF-8 text"),
    ],
)
def test_unreadable_files_are_refused(school, tmp_path, content, message):
    assert message in refused(school, write(tmp_path, content))


def test_a_missing_file_is_refused(school, tmp_path):
    assert "nope.csv: file not found" in refused(school, str(tmp_path / "nope.csv"))


def test_changing_roll_dates_cannot_strand_recorded_marks(school, tmp_path):
    run(school, write(tmp_path, f"{HEADER}\n{ADA}\n"))
    ada = Pupil.objects.get(upn="A12345678901B")
    MarkFactory(pupil=ada, date=dt.date(2025, 9, 8), session="AM", code_id="/")
    path = write(tmp_path, f"{HEADER}\n{with_value('leaving_date', '2025-09-05')}\n", "left.csv")
    message = refused(school, path)
    assert "left.csv, row 1: marks are recorded from 2025-09-08 to 2025-09-08" in message
