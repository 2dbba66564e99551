"""Common Transfer File: the mark string, export → import round trip, malformed files,
the commands and the pupil page."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import xmlschema
from django.core.management import CommandError, call_command
from django.urls import reverse

from registers import codes, ctf, figures
from registers.models import Closure, PriorAttendance
from registers.services.calendar import open_sessions, rebuild_school_days
from registers.services.transfer import ExportRefused, export_pupil_ctf, import_ctf, pupil_year
from tests.registers.factories import MarkFactory, PupilFactory

TODAY = dt.date(2025, 9, 15)
WED = dt.date(2025, 9, 3)  # the first day of Autumn 1
SCHEMA = xmlschema.XMLSchema(Path(ctf.__file__).with_name("ctf.xsd"))


def valid(data: bytes) -> bytes:
    """Every export must match the schema of what we say we emit (registers/ctf.xsd)."""
    SCHEMA.validate(data.decode("utf-8"))
    return data


def io() -> StringIO:
    return StringIO()


def export(**kwargs) -> tuple[str, str, bytes]:
    name, kind, data = export_pupil_ctf(**kwargs)
    valid(data)
    return name, kind, data


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(
        dt.datetime(2025, 9, 15, 17, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


@pytest.fixture
def history(school, pupil):
    """Wed 3 – Mon 15 Sep with one of each kind of mark, a closure and a blank."""
    school.la_number, school.establishment_number = "873", "2001"
    school.save(update_fields=["la_number", "establishment_number"])
    pupil.gender = "F"
    pupil.save(update_fields=["gender"])
    Closure.objects.create(school=school, date=dt.date(2025, 9, 5), session="PM", reason="INSET")
    rebuild_school_days(school=school)
    marks = {
        (WED, "AM"): "/",
        (WED, "PM"): "\\",
        (dt.date(2025, 9, 4), "AM"): "C1",
        (dt.date(2025, 9, 4), "PM"): "J1",
        (dt.date(2025, 9, 5), "AM"): "Y1",
        (dt.date(2025, 9, 8), "AM"): "C2",
        (dt.date(2025, 9, 8), "PM"): "G",
        (dt.date(2025, 9, 9), "AM"): "L",
        (dt.date(2025, 9, 9), "PM"): "V",
        (dt.date(2025, 9, 10), "AM"): "I",
        (dt.date(2025, 9, 10), "PM"): "N",
    }
    for (day, session), code in marks.items():
        MarkFactory(pupil=pupil, date=day, session=session, code_id=code)
    return marks


def test_the_mark_string_has_two_characters_a_day_and_maps_two_character_codes(
    school, pupil, history
):
    year = pupil_year(school=school, pupil=pupil, start_year=2025, today=TODAY)
    assert year.start_date == WED
    # Wed Thu Fri | Sat Sun | Mon Tue Wed | Thu Fri Sat Sun Mon(unmarked)
    # C1 and J1 are written C, Y1 is Y, C2 is C: never H, J or another letter's meaning.
    assert year.marks == "/\\CCY#" + "####" + "CGLVIN" + "----####--"
    assert (year.possible, year.attended, year.authorised, year.unauthorised) == (10, 4, 4, 2)


def test_every_code_is_written_as_a_letter_of_the_same_meaning_old_and_new():
    """Issue 15 §6: J1 written "J" is read by older systems as an interview counted as
    present, C2 as "H" an agreed holiday. Each character written must count in its code's
    category under the 2024 code set and under the legacy one."""
    assert all(len(char) == 1 for char in ctf.CHAR_OF.values())
    assert ctf.NO_MARK not in ctf.CHAR_OF.values()
    assert not {"H", "J", "F", "A"} & set(ctf.CHAR_OF.values())
    assert {ctf.CHAR_OF[c] for c in ("C1", "C2", "J1")} == {"C"}
    assert {ctf.CHAR_OF[f"Y{n}"] for n in range(1, 8)} == {"Y"}
    for code in codes.CODES:
        char = ctf.CHAR_OF[code.code]
        assert ctf.CATEGORY_2024[char] is code.category, code.code
        if char in ctf.CATEGORY_LEGACY:  # K and Q are new in 2024
            assert ctf.CATEGORY_LEGACY[char] is code.category, code.code


def test_counts_agree_with_the_portals_figures(school, pupil, history):
    year = pupil_year(school=school, pupil=pupil, start_year=2025, today=TODAY)
    totals = figures.totals(school=school, start=WED, end=TODAY, pupil_ids=[pupil.pk])
    assert (year.possible, year.attended, year.authorised, year.unauthorised) == (
        totals.possible,
        totals.attended,
        totals.authorised,
        totals.unauthorised,
    )


def test_round_trip_into_another_school_gives_the_same_counts_and_marks(
    school, pupil, history, other_school
):
    arriving = PupilFactory(school=other_school, upn=pupil.upn, surname=pupil.surname)
    _, _, data = export(
        school=school,
        pupil=pupil,
        start_year=2025,
        today=TODAY,
        lea="123",
        estab="4567",
        allow_unmarked=True,
    )
    assert data.startswith(b"<?xml") and b"<CTfile>" in data
    result = import_ctf(school=other_school, data=data, source_file="a.xml")
    assert (result.pupils, result.created) == (1, 1)
    prior = PriorAttendance.objects.get()
    sent = pupil_year(school=school, pupil=pupil, start_year=2025, today=TODAY)
    assert (prior.school, prior.pupil, prior.year) == (other_school, arriving, 2025)
    assert (prior.source_lea, prior.source_estab, prior.source_school_name) == (
        "123",
        "4567",
        school.name,
    )
    assert (
        prior.sessions_possible,
        prior.sessions_attended,
        prior.sessions_authorised,
        prior.sessions_unauthorised,
    ) == (sent.possible, sent.attended, sent.authorised, sent.unauthorised)
    assert (prior.start_date, prior.marks) == (WED, sent.marks)
    decoded = {
        (day, session): char
        for day, session, char in ctf.decode_marks(start=prior.start_date, marks=prior.marks)
        if char
    }
    assert decoded == {key: ctf.CHAR_OF[code] for key, code in history.items()}
    # The same file again changes nothing.
    again = import_ctf(school=other_school, data=data, source_file="a.xml")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_the_prior_attendance_shows_on_the_pupil_page(login, officer, other_school, school):
    arriving = PupilFactory(school=school)
    PriorAttendance.objects.create(
        school=school,
        pupil=arriving,
        year=2024,
        source_school_name="Elmwood Academy",
        sessions_possible=300,
        sessions_attended=270,
        sessions_authorised=20,
        sessions_unauthorised=10,
        start_date=dt.date(2024, 9, 4),
        marks="//",
    )
    page = login(officer).get(reverse("registers:pupil", args=[school.urn, arriving.pk]))
    text = page.content.decode()
    assert "Attendance at previous schools" in text and "Elmwood Academy" in text
    assert "2024/25" in text and "90.0%" in text


def xml(pupil_body: str, *, root: str = "CTfile") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{root}><Header><DocumentName>Common Transfer '
        f"File</DocumentName></Header><CTFpupilData>{pupil_body}</CTFpupilData></{root}>"
    ).encode()


def pupil_xml(upn: str, year_body: str) -> str:
    return (
        f"<Pupil><UPN>{upn}</UPN><Attendance><YearData>{year_body}</YearData></Attendance></Pupil>"
    )


GOOD_YEAR = (
    "<Year>2024</Year><LEA>201</LEA><Estab>3456</Estab><SchoolName>Elmwood</SchoolName>"
    "<SessionsPossible>10</SessionsPossible><SessionsAuthorised>2</SessionsAuthorised>"
    "<SessionsAttended>7</SessionsAttended><SessionsUnauthorised>1</SessionsUnauthorised>"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<CTfile><Header/><CTFpupilData>&lol2;</CTFpupilData></CTfile>"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"UPN,Year\nA1,2024\n", "not well-formed XML"),
        (b"\xff\xfe<\x00C\x00", "not UTF-8"),
        (xml("", root="SchoolCensus"), "root element is <SchoolCensus>, not <CTfile>"),
        (b"<CTfile><Header/></CTfile>", "CTfile/CTFpupilData: missing"),
        (BILLION_LAUGHS, "DOCTYPE or ENTITY declaration"),
        (b'<!ENTITY x SYSTEM "file:///etc/passwd"><CTfile/>', "DOCTYPE or ENTITY"),
        (
            xml(
                pupil_xml("{upn}", GOOD_YEAR.replace("<SessionsPossible>10</SessionsPossible>", ""))
            ),
            "Pupil[1] (UPN {upn})/Attendance/YearData[1]/SessionsPossible: missing",
        ),
        (
            xml(pupil_xml("{upn}", GOOD_YEAR.replace("<Year>2024</Year>", ""))),
            "YearData[1]/Year: missing",
        ),
        (xml(pupil_xml("{upn}", GOOD_YEAR.replace(">7<", ">9<"))), "is not attended + authorised"),
        (xml(pupil_xml("{upn}", GOOD_YEAR.replace(">2<", ">two<"))), "'two' is not a whole number"),
        (xml(pupil_xml("{upn}", GOOD_YEAR.replace(">201<", ">21<"))), "three-digit LA number"),
        (
            xml(
                pupil_xml(
                    "{upn}",
                    GOOD_YEAR + "<AttendSessions><AttendanceStartDate>2024-13-01"
                    "</AttendanceStartDate><AttendanceMarks>//?</AttendanceMarks></AttendSessions>",
                )
            ),
            "'2024-13-01' is not a date",
        ),
        (
            xml(
                pupil_xml(
                    "{upn}",
                    GOOD_YEAR + "<AttendSessions><AttendanceStartDate>2024-09-04"
                    "</AttendanceStartDate><AttendanceMarks>//?</AttendanceMarks></AttendSessions>",
                )
            ),
            "AttendanceMarks: unknown mark character(s) '?'",
        ),
        (xml("<Pupil><UPN>{upn}</UPN></Pupil>"), "Pupil[1] (UPN {upn})/Attendance: missing"),
        (xml(pupil_xml("Z99999999999Z", GOOD_YEAR)), "no pupil with this UPN"),
    ],
)
def test_malformed_files_are_refused_with_a_clear_message_and_nothing_written(
    school, pupil, data, message
):
    data = data.replace(b"{upn}", pupil.upn.encode())
    with pytest.raises(ctf.CtfError) as refused:
        import_ctf(school=school, data=data)
    assert message.replace("{upn}", pupil.upn) in str(refused.value)
    assert not PriorAttendance.objects.exists()


def test_one_bad_pupil_means_nothing_is_imported(school, pupils):
    body = pupil_xml(pupils[0].upn, GOOD_YEAR) + pupil_xml(
        pupils[1].upn, GOOD_YEAR.replace("<SchoolName>Elmwood</SchoolName>", "")
    )
    with pytest.raises(ctf.CtfError, match=r"Pupil\[2\]"):
        import_ctf(school=school, data=xml(body))
    assert not PriorAttendance.objects.exists()


def test_the_commands_export_and_import_and_fail_loudly(
    tmp_path, capsys, school, pupil, history, other_school
):
    PupilFactory(school=other_school, upn=pupil.upn)
    path = tmp_path / "out.xml"
    call_command(
        "export_ctf",
        school=school.urn,
        upn=pupil.upn,
        year=2025,
        output=str(path),
        allow_unmarked=True,
    )
    assert valid(path.read_bytes()).startswith(b"<?xml")
    call_command("export_ctf", school=school.urn, upn=pupil.upn, allow_unmarked=True)
    out = capsys.readouterr().out
    assert b"<AttendanceMarks>" in valid(out.encode())
    call_command("import_ctf", str(path), school=other_school.urn)
    assert "1 year record(s) added" in capsys.readouterr().out
    bad = tmp_path / "bad.xml"
    bad.write_bytes(BILLION_LAUGHS)
    with pytest.raises(CommandError, match=r"nothing was imported:\n.*bad.xml: The file contains"):
        call_command("import_ctf", str(bad), school=other_school.urn)
    with pytest.raises(CommandError, match="no pupil with UPN"):
        call_command("export_ctf", school=school.urn, upn="A00000000000X")
    with pytest.raises(CommandError, match="no school with URN"):
        call_command("import_ctf", str(path), school="999999")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_ctf", str(tmp_path / "missing.xml"), school=other_school.urn)
    assert PriorAttendance.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 200),
        ("head", 200),
        ("teacher", 200),
        ("other_teacher", 403),
        ("governor", 403),
        ("trust_lead", 403),
        ("outsider", 404),
    ],
)
def test_the_ctf_download_is_for_staff_who_can_see_the_pupil(
    request, login, pupil, history, persona, status
):
    client = login(request.getfixturevalue(persona))
    url = reverse("registers:pupil_ctf", args=[pupil.school.urn, pupil.pk])
    response = client.get(url, {"year": 2025, "allow_unmarked": "1"})
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/xml"
        assert b"<UPN>" + pupil.upn.encode() + b"</UPN>" in valid(response.content)
        assert "8732001_CTF_XXXXXXX_" in response["Content-Disposition"]


def test_the_ctf_names_the_school_by_its_own_dfe_number_unless_told_otherwise(
    tmp_path, school, pupil, history
):
    path = tmp_path / "out.xml"
    call_command(
        "export_ctf",
        school=school.urn,
        upn=pupil.upn,
        year=2025,
        output=str(path),
        allow_unmarked=True,
    )
    xml = valid(path.read_bytes()).decode()
    assert "<LEA>873</LEA>" in xml and "<Estab>2001</Estab>" in xml
    call_command(
        "export_ctf",
        school=school.urn,
        upn=pupil.upn,
        year=2025,
        output=str(path),
        lea="330",
        estab="4000",
        allow_unmarked=True,
    )
    assert "<LEA>330</LEA>" in valid(path.read_bytes()).decode()


# --- A CTF other systems accept (issue 15 §6) -------------------------------------------

MIS_EXPORT = Path(__file__).with_name("ctf_files") / "8812345_CTF_8732001_007.xml"


def test_the_header_names_source_and_destination_by_dfe_number_without_a_urn(
    school, pupil, history
):
    name, _, data = export(
        school=school, pupil=pupil, start_year=2025, today=TODAY, allow_unmarked=True
    )
    root = SCHEMA.to_dict(data.decode())
    assert root["Header"]["SourceSchool"] == {
        "LEA": "873",
        "Estab": "2001",
        "SchoolName": school.name,
        "AcademicYear": "2025",
    }
    assert b"<URN>" not in data
    # Destination unknown: XXX/XXXX, so the file can reach the Lost Pupil Database.
    assert root["Header"]["DestSchool"] == {"LEA": "XXX", "Estab": "XXXX"}
    assert root["CTFpupilData"]["Pupil"][0]["Sex"] == "F"
    assert name == "8732001_CTF_XXXXXXX_001.xml"
    name, _, data = export(
        school=school,
        pupil=pupil,
        start_year=2025,
        today=TODAY,
        dest_lea="330",
        dest_estab="4000",
        allow_unmarked=True,
    )
    assert name == "8732001_CTF_3304000_002.xml"  # the serial goes up
    assert b"<DestSchool>\n      <LEA>330</LEA>\n      <Estab>4000</Estab>" in data


def test_export_is_refused_without_the_schools_dfe_number_until_setup_school_sets_it(
    tmp_path, school, pupil, history
):
    school.la_number = school.establishment_number = ""
    school.save(update_fields=["la_number", "establishment_number"])
    path = tmp_path / "out.xml"
    args = {"school": school.urn, "upn": pupil.upn, "year": 2025, "output": str(path)}
    with pytest.raises(CommandError, match=r"no DfE number.*setup_school .*--lea NNN"):
        call_command("export_ctf", allow_unmarked=True, **args)
    assert not path.exists()
    setup = ["--urn", school.urn, "--name", school.name, "--phase", school.phase]
    call_command("setup_school", *setup, "--lea", "873", "--estab", "2001", stdout=io())
    call_command("setup_school", *setup, stdout=io())  # without the flags: kept
    call_command("export_ctf", allow_unmarked=True, **args)
    assert b"<LEA>873</LEA>" in valid(path.read_bytes())
    with pytest.raises(CommandError, match="LA number is three digits"):
        call_command("setup_school", *setup, "--lea", "87", stdout=io())


def test_export_is_refused_while_the_pupils_sex_is_not_recorded(school, pupil, history):
    pupil.gender = ""
    pupil.save(update_fields=["gender"])
    with pytest.raises(ExportRefused, match="sex is not recorded"):
        export_pupil_ctf(
            school=school, pupil=pupil, start_year=2025, today=TODAY, allow_unmarked=True
        )


def test_a_leavers_ctf_is_refused_with_unmarked_sessions_unless_told(tmp_path, school, history):
    """A leaver on roll for 34 sessions (Monday 8 to Tuesday 30 September) with 26 marked:
    the export stops and says so; told to, it writes "-" for each of the 8 and says 26
    possible (the recorded sessions), not 34."""
    leaver = PupilFactory(
        school=school,
        gender="M",
        admission_date=dt.date(2025, 9, 8),
        leaving_date=dt.date(2025, 9, 30),
    )
    on_roll = open_sessions(school=school, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 30))
    assert len(on_roll) == 34
    for day, session in on_roll[:26]:
        MarkFactory(
            pupil=leaver, date=day, session=session, code_id="/" if session == "AM" else "\\"
        )
    args = {"school": school.urn, "upn": leaver.upn, "year": 2025}
    path = tmp_path / "leaver.xml"
    with time_machine.travel(dt.datetime(2025, 10, 1, 12, tzinfo=ZoneInfo("Europe/London"))):
        with pytest.raises(CommandError, match="8 sessions on roll with no mark"):
            call_command("export_ctf", output=str(path), **args)
        call_command("export_ctf", output=str(path), allow_unmarked=True, **args)
    root = SCHEMA.to_dict(valid(path.read_bytes()).decode())
    year = root["CTFpupilData"]["Pupil"][0]["Attendance"]["YearData"][0]
    assert year["SessionsPossible"] == 26
    assert year["AttendSessions"]["AttendanceMarks"].count(ctf.NO_MARK) == 8


def test_the_download_refusal_is_told_on_the_pupil_page(login, officer, school, pupil, history):
    client = login(officer)
    url = reverse("registers:pupil_ctf", args=[school.urn, pupil.pk])
    response = client.get(url, {"year": 2025}, follow=True)
    assert response.status_code == 200
    assert "with no mark" in response.content.decode()


def test_a_hand_written_mis_export_imports_with_each_year_read_by_its_own_codes(school):
    a = PupilFactory(school=school, upn="H801200001001")
    b = PupilFactory(school=school, upn="H801200001002")
    data = MIS_EXPORT.read_bytes()
    result = import_ctf(school=school, data=data, source_file=MIS_EXPORT.name)
    assert (result.pupils, result.created) == (2, 3)
    years = {(p.pupil_id, p.year): p for p in PriorAttendance.objects.all()}
    assert set(years) == {(a.pk, 2023), (a.pk, 2024), (b.pk, 2024)}
    # The file's counts agree with its mark strings, each read by its year's code set:
    # in 2023/24 J (interview) counted as attending and H (agreed holiday) authorised.
    for prior in years.values():
        counted = ctf.count_marks(prior.marks, year=prior.year)
        assert counted == {
            "possible": prior.sessions_possible,
            "attended": prior.sessions_attended,
            "authorised": prior.sessions_authorised,
            "unauthorised": prior.sessions_unauthorised,
        }
    assert ctf.count_marks("J\\", year=2023)["attended"] == 2
    assert ctf.count_marks("C\\", year=2024) == {
        "possible": 2,
        "attended": 1,
        "authorised": 1,
        "unauthorised": 0,
    }


@pytest.mark.parametrize(
    ("year", "marks", "refused"),
    [
        (2023, "Y/", None),  # a legacy Y: one rejected the whole file before
        (2023, "J/", None),
        (2012, "F/", None),  # F until 2013/14
        (2016, "F/", "'F' (not codes in force in 2016/17)"),
        (2023, "K/", "'K' (not codes in force in 2023/24)"),  # new in 2024
        (2024, "H/", "'H' (not codes in force from 2024/25)"),
        (2024, "J/", "'J'"),
        (2025, "Y/", None),  # one of Y1-Y7
    ],
)
def test_older_years_accept_their_own_codes_and_newer_years_refuse_withdrawn_ones(
    school, pupil, year, marks, refused
):
    body = (
        f"<Year>{year}</Year><SchoolName>Elmwood</SchoolName>"
        "<SessionsPossible>1</SessionsPossible><SessionsAuthorised>0</SessionsAuthorised>"
        "<SessionsAttended>1</SessionsAttended><SessionsUnauthorised>0</SessionsUnauthorised>"
        f"<AttendSessions><AttendanceStartDate>{year}-09-04</AttendanceStartDate>"
        f"<AttendanceMarks>{marks}</AttendanceMarks></AttendSessions>"
    )
    data = xml(pupil_xml(pupil.upn, body))
    if refused is None:
        import_ctf(school=school, data=data)
        assert PriorAttendance.objects.get().marks == marks
    else:
        with pytest.raises(ctf.CtfError) as exc:
            import_ctf(school=school, data=data)
        assert refused in str(exc.value)
        assert not PriorAttendance.objects.exists()
