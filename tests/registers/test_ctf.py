"""Common Transfer File: the mark string, export → import round trip, malformed files,
the commands and the pupil page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from registers import ctf, figures
from registers.models import Closure, Mark, PriorAttendance
from registers.services.calendar import rebuild_school_days
from registers.services.transfer import export_pupil_ctf, import_ctf, pupil_year
from tests.registers.factories import PupilFactory

TODAY = dt.date(2025, 9, 15)
WED = dt.date(2025, 9, 3)  # the first day of Autumn 1


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(
        dt.datetime(2025, 9, 15, 17, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


def mark(pupil, day, session, code):
    Mark.objects.create(school=pupil.school, pupil=pupil, date=day, session=session, code_id=code)


@pytest.fixture
def history(school, pupil):
    """Wed 3 – Mon 15 Sep with one of each kind of mark, a closure and a blank."""
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
        mark(pupil, day, session, code)
    return marks


def test_the_mark_string_has_two_characters_a_day_and_maps_two_character_codes(
    school, pupil, history
):
    year = pupil_year(school=school, pupil=pupil, start_year=2025, today=TODAY)
    assert year.start_date == WED
    # Wed Thu Fri | Sat Sun | Mon Tue Wed | Thu Fri Sat Sun Mon(unmarked)
    assert year.marks == "/\\AJ1#" + "####" + "HGLVIN" + "----####--"
    assert (year.possible, year.attended, year.authorised, year.unauthorised) == (10, 4, 4, 2)


def test_the_mapping_is_reversible_for_every_code():
    assert len(set(ctf.CHAR_OF.values())) == len(ctf.CHAR_OF)
    assert all(len(char) == 1 for char in ctf.CHAR_OF.values())
    assert ctf.NO_MARK not in ctf.CHAR_OF.values()
    assert {ctf.CHAR_OF[c] for c in ("C1", "C2", "J1", "Y1", "Y7")} == {"A", "H", "J", "1", "7"}


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
    _, _, data = export_pupil_ctf(
        school=school, pupil=pupil, start_year=2025, today=TODAY, lea="123", estab="4567"
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
        (day, session): code
        for day, session, code in ctf.decode_marks(start=prior.start_date, marks=prior.marks)
        if code
    }
    assert decoded == history
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
    call_command("export_ctf", school=school.urn, upn=pupil.upn, year=2025, output=str(path))
    assert path.read_bytes().startswith(b"<?xml")
    call_command("export_ctf", school=school.urn, upn=pupil.upn)
    assert "<AttendanceMarks>" in capsys.readouterr().out
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
    request, login, pupil, persona, status
):
    client = login(request.getfixturevalue(persona))
    url = reverse("registers:pupil_ctf", args=[pupil.school.urn, pupil.pk])
    response = client.get(url, {"year": 2025})
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/xml"
        assert b"<UPN>" + pupil.upn.encode() + b"</UPN>" in response.content


def test_the_ctf_names_the_school_by_its_own_dfe_number_unless_told_otherwise(
    tmp_path, school, pupil, history
):
    school.la_number, school.establishment_number = "873", "2001"
    school.save()
    path = tmp_path / "out.xml"
    call_command("export_ctf", school=school.urn, upn=pupil.upn, year=2025, output=str(path))
    xml = path.read_text()
    assert "<LEA>873</LEA>" in xml and "<Estab>2001</Estab>" in xml
    call_command(
        "export_ctf",
        school=school.urn,
        upn=pupil.upn,
        year=2025,
        output=str(path),
        lea="330",
        estab="4000",
    )
    assert "<LEA>330</LEA>" in path.read_text()
