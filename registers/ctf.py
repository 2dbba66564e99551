"""Common Transfer File (CTF) attendance: export a pupil's year, import a previous school's.

Shape (docs/domain.md §7, CTF specification "Attendance"; the structure emitted is written down
as an XML schema in registers/ctf.xsd and every export is validated against it in the
tests): <CTfile><Header> with DocumentName, CTFversion, DateTime, DocumentQualifier,
SupplierID, <SourceSchool> (LEA, Estab, SchoolName, AcademicYear: no URN, which neither
the DfE's serializer nor a vendor's export carries) and <DestSchool> (LEA, Estab: `XXX` and
`XXXX` where the destination is unknown, so the file reaches the Lost Pupil Database); then
<CTFpupilData><Pupil> with UPN, Surname, Forename, DOB, Sex and <Attendance><YearData>
(Year: the calendar year the academic year began, LEA, Estab, SchoolName,
SessionsPossible, SessionsAuthorised, SessionsAttended, SessionsUnauthorised and
<AttendSessions><AttendanceStartDate><AttendanceMarks>). The file is named
`<LAEstab>_CTF_<LAEstab>_<nnn>.xml` (source, destination, a serial number).

The mark string: two characters per calendar day, morning then afternoon, for every day
from AttendanceStartDate to the last day reported, weekends and holidays included, so a
receiving school can read the date of any character without the sender's calendar.
  - a one-character code is itself (/ \\ L K V P W B D M S X C T R I E Q G N O U Z #);
  - a session with no school (weekend, holiday, closure) is "#";
  - an open session on roll with no mark is "-" (the CTF's no-mark character);
  - the two-character 2024 codes: how the CTF carries them is not settled by any
    specification text we could confirm (docs/domain.md §8 item 7), so we choose the safest
    reading for every receiver, old or new: the legacy letter whose meaning *contains* the
    2024 code, never one with another meaning. C1, C2 and J1 (leave of absence granted by
    the school) are written "C" (leave of absence / other authorised circumstances:
    authorised absence in every year's code set); Y1-Y7 (unable to attend: unavoidable
    cause) are written "Y" (unable to attend due to exceptional circumstances: not a
    possible session, before 2024 as after). No receiver counts them in the wrong
    category; the exact 2024 code is not carried (the counts are exact). The letters
    withdrawn in 2024 with another meaning (H agreed holiday, J interview, F extended
    holiday) are never written.
Sessions attended = present (/ \\ L) + approved educational activity (K V P W B).

Reading: a year's mark string is decoded by that year's own code set (`codes_for_year`):
data for a year before 2024/25 may hold the legacy codes (H, J, Y, and F before 2014/15)
with their own meanings (J an interview counted as attending, H an agreed holiday); data
for 2024/25 on, the 2024 set (with "C" and "Y" as above), where H, J and F are refused.

Parsing uses the standard library's ElementTree; defusedxml is not installed, so any
DOCTYPE or ENTITY declaration is refused before parsing (entity-expansion attacks). A CTF
never needs one.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from attendance_portal.errors import DomainError
from registers import codes

CTF_VERSION = "25.0"
MAX_BYTES = 10 * 1024 * 1024
NO_SCHOOL = "#"
NO_MARK = "-"
UNKNOWN_LEA, UNKNOWN_ESTAB = "XXX", "XXXX"  # destination unknown: the Lost Pupil Database
FIRST_2024_YEAR = 2024  # the 2024 codes are in force from 19 August 2024 (2024/25 on)
# The two-character 2024 codes, written as the legacy letter whose meaning contains them.
TWO_CHAR = {"C1": "C", "C2": "C", "J1": "C", **{f"Y{n}": "Y" for n in range(1, 8)}}
CHAR_OF = {c: TWO_CHAR.get(c, c) for c in codes.BY_CODE}
C = codes.Category
# What a character means in data from 2024/25 on: its 2024 code, or for C and Y the code
# set they stand for (written back as C and Y: the exact two-character code is not carried).
CATEGORY_2024 = {code.code: code.category for code in codes.CODES if len(code.code) == 1}
CATEGORY_2024["Y"] = C.NOT_POSSIBLE  # one of Y1-Y7
# Before 2024/25 (the 2006 regulations' codes as amended, docs/domain.md §1): the same letters
# less the ones new in 2024 (K, Q), plus the withdrawn ones with their own meanings.
CATEGORY_LEGACY = {k: v for k, v in CATEGORY_2024.items() if k not in {"K", "Q"}}
CATEGORY_LEGACY.update(
    {
        "H": C.AUTHORISED,  # agreed family holiday (withdrawn in 2024)
        "J": C.AEA,  # interview: an approved educational activity, counted as attending
        "Y": C.NOT_POSSIBLE,  # unable to attend due to exceptional circumstances
        "C": C.AUTHORISED,  # other authorised circumstances
    }
)
FIRST_YEAR_WITHOUT_F = 2014  # F, agreed extended family holiday, discontinued September 2014
CATEGORY_PRE_2014 = {**CATEGORY_LEGACY, "F": C.AUTHORISED}
_COUNTED = {
    "possible": {C.PRESENT, C.AEA, C.AUTHORISED, C.UNAUTHORISED},
    "attended": {C.PRESENT, C.AEA},
    "authorised": {C.AUTHORISED},
    "unauthorised": {C.UNAUTHORISED},
}


def codes_for_year(year: int) -> dict[str, codes.Category]:
    """The mark characters valid in a year's data (the year its academic year began),
    each with the category it counts in, by that year's own code set."""
    if year >= FIRST_2024_YEAR:
        return CATEGORY_2024
    return CATEGORY_LEGACY if year >= FIRST_YEAR_WITHOUT_F else CATEGORY_PRE_2014


def alphabet_for_year(year: int) -> frozenset[str]:
    return frozenset(codes_for_year(year)) | {NO_MARK}


_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class CtfError(DomainError, ValueError):
    """A CTF that cannot be read; `errors` names each element that is wrong."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class YearData:
    year: int
    lea: str
    estab: str
    school_name: str
    possible: int
    authorised: int
    attended: int
    unauthorised: int
    start_date: dt.date | None = None
    marks: str = ""


@dataclass(frozen=True)
class PupilRecord:
    upn: str
    surname: str
    forename: str
    date_of_birth: dt.date | None
    years: tuple[YearData, ...]
    sex: str = ""  # M or F


@dataclass(frozen=True)
class Source:
    lea: str
    estab: str
    name: str
    academic_year: int
    dest_lea: str = UNKNOWN_LEA
    dest_estab: str = UNKNOWN_ESTAB


def file_name(*, source: Source, serial: int) -> str:
    """The CTF convention: <source LAEstab>_CTF_<destination LAEstab>_<nnn>.xml."""
    dest = f"{source.dest_lea}{source.dest_estab}"
    return f"{source.lea}{source.estab}_CTF_{dest}_{serial % 1000:03d}.xml"


def mark_string(*, start: dt.date, end: dt.date, open_sessions, marks) -> str:
    """Two characters a day from `start` to `end`: `open_sessions` is a set of (date,
    session) and `marks` maps (date, session) to a code."""
    chars = []
    day = start
    while day <= end:
        for session in ("AM", "PM"):
            if (day, session) not in open_sessions:
                chars.append(NO_SCHOOL)
            else:
                code = marks.get((day, session))
                chars.append(CHAR_OF[code] if code else NO_MARK)
        day += dt.timedelta(days=1)
    return "".join(chars)


def decode_marks(*, start: dt.date, marks: str) -> list[tuple[dt.date, str, str]]:
    """(date, session, character) of every open session of a mark string ("" for no mark):
    the character is the code as written (read its meaning with codes_for_year)."""
    found = []
    for i, char in enumerate(marks):
        if char == NO_SCHOOL:
            continue
        day = start + dt.timedelta(days=i // 2)
        found.append((day, "AM" if i % 2 == 0 else "PM", "" if char == NO_MARK else char))
    return found


def count_marks(marks: str, *, year: int) -> dict[str, int]:
    """possible, attended, authorised and unauthorised sessions of a mark string, each
    character read by its own year's code set."""
    meaning = codes_for_year(year)
    found = [meaning[c] for c in marks if c in meaning and c != NO_SCHOOL]
    return {name: sum(1 for c in found if c in cats) for name, cats in _COUNTED.items()}


def year_data(*, year: int, lea: str, estab: str, school_name: str, start, marks: str) -> YearData:
    """Counts derived from the mark string itself, so the two always agree."""
    counted = count_marks(marks, year=year)
    return YearData(
        year=year,
        lea=lea,
        estab=estab,
        school_name=school_name,
        possible=counted["possible"],
        authorised=counted["authorised"],
        attended=counted["attended"],
        unauthorised=counted["unauthorised"],
        start_date=start,
        marks=marks,
    )


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def build_ctf(*, source: Source, pupils: list[PupilRecord], now: dt.datetime) -> bytes:
    root = ET.Element("CTfile")
    header = _sub(root, "Header")
    _sub(header, "DocumentName", "Common Transfer File")
    _sub(header, "CTFversion", CTF_VERSION)
    _sub(header, "DateTime", now.replace(microsecond=0, tzinfo=None).isoformat())
    _sub(header, "DocumentQualifier", "partial")
    _sub(header, "SupplierID", "Attendance portal")
    school = _sub(header, "SourceSchool")
    for tag, value in (
        ("LEA", source.lea),
        ("Estab", source.estab),
        ("SchoolName", source.name),
        ("AcademicYear", source.academic_year),
    ):
        _sub(school, tag, value)
    destination = _sub(header, "DestSchool")
    _sub(destination, "LEA", source.dest_lea)
    _sub(destination, "Estab", source.dest_estab)
    data = _sub(root, "CTFpupilData")
    for record in pupils:
        pupil = _sub(data, "Pupil")
        _sub(pupil, "UPN", record.upn)
        _sub(pupil, "Surname", record.surname)
        _sub(pupil, "Forename", record.forename)
        if record.date_of_birth:
            _sub(pupil, "DOB", record.date_of_birth.isoformat())
        if record.sex:
            _sub(pupil, "Sex", record.sex)
        attendance = _sub(pupil, "Attendance")
        for year in record.years:
            _year_element(attendance, year)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _year_element(parent: ET.Element, year: YearData) -> None:
    element = _sub(parent, "YearData")
    _sub(element, "Year", year.year)
    if year.lea:  # a previous school's year may come without its DfE number
        _sub(element, "LEA", year.lea)
    if year.estab:
        _sub(element, "Estab", year.estab)
    _sub(element, "SchoolName", year.school_name)
    _sub(element, "SessionsPossible", year.possible)
    _sub(element, "SessionsAuthorised", year.authorised)
    _sub(element, "SessionsAttended", year.attended)
    _sub(element, "SessionsUnauthorised", year.unauthorised)
    if year.start_date is not None:
        sessions = _sub(element, "AttendSessions")
        _sub(sessions, "AttendanceStartDate", year.start_date.isoformat())
        _sub(sessions, "AttendanceMarks", year.marks)


# ---- reading --------------------------------------------------------------------------


def parse_ctf(data: bytes) -> list[PupilRecord]:
    """Every pupil's attendance in the file, or CtfError listing every problem."""
    if len(data) > MAX_BYTES:
        raise CtfError([f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CtfError(["The file is not UTF-8 text, so it is not a CTF."]) from None
    if _DECLARATION.search(text):
        raise CtfError(
            [
                "The file contains a DOCTYPE or ENTITY declaration. A CTF never needs one, and "
                "such files are refused to prevent entity-expansion attacks."
            ]
        )
    try:
        root = ET.fromstring(text)  # noqa: S314 - declarations refused above
    except ET.ParseError as exc:
        raise CtfError([f"The file is not well-formed XML: {exc}."]) from None
    if root.tag != "CTfile":
        raise CtfError([f"The root element is <{root.tag}>, not <CTfile>: this is not a CTF."])
    errors: list[str] = []
    if root.find("Header") is None:
        errors.append("CTfile/Header: missing.")
    pupil_data = root.find("CTFpupilData")
    if pupil_data is None:
        raise CtfError([*errors, "CTfile/CTFpupilData: missing."])
    records = []
    for n, pupil in enumerate(pupil_data.findall("Pupil"), start=1):
        record = _read_pupil(pupil, f"CTFpupilData/Pupil[{n}]", errors)
        if record is not None:
            records.append(record)
    if not pupil_data.findall("Pupil"):
        errors.append("CTfile/CTFpupilData: no <Pupil> element.")
    if errors:
        raise CtfError(errors)
    return records


def _text(element: ET.Element, tag: str, path: str, errors: list[str], *, required=True) -> str:
    child = element.find(tag)
    value = (child.text or "").strip() if child is not None else ""
    if required and not value:
        errors.append(f"{path}/{tag}: missing.")
    return value


def _number(element: ET.Element, tag: str, path: str, errors: list[str]) -> int:
    value = _text(element, tag, path, errors)
    if value and not value.isdigit():
        errors.append(f"{path}/{tag}: {value!r} is not a whole number of sessions.")
        return 0
    return int(value) if value else 0


def _date(value: str, where: str, errors: list[str]) -> dt.date | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(f"{where}: {value!r} is not a date (YYYY-MM-DD).")
    return None


def _read_pupil(pupil: ET.Element, path: str, errors: list[str]) -> PupilRecord | None:
    upn = _text(pupil, "UPN", path, errors)
    if upn:
        path = f"{path} (UPN {upn})"
    dob_text = _text(pupil, "DOB", path, errors, required=False)
    dob = _date(dob_text, f"{path}/DOB", errors) if dob_text else None
    attendance = pupil.find("Attendance")
    if attendance is None:
        errors.append(f"{path}/Attendance: missing.")
        return None
    years = tuple(
        y
        for n, element in enumerate(attendance.findall("YearData"), start=1)
        if (y := _read_year(element, f"{path}/Attendance/YearData[{n}]", errors)) is not None
    )
    if not attendance.findall("YearData"):
        errors.append(f"{path}/Attendance: no <YearData> element.")
    surname = _text(pupil, "Surname", path, errors, required=False)
    forename = _text(pupil, "Forename", path, errors, required=False)
    # CTF 25 has Sex; older files Gender. Either is M or F; anything else is not kept.
    sex = _text(pupil, "Sex", path, errors, required=False) or _text(
        pupil, "Gender", path, errors, required=False
    )
    return PupilRecord(upn, surname, forename, dob, years, sex if sex in ("M", "F") else "")


def _read_year(element: ET.Element, path: str, errors: list[str]) -> YearData | None:
    before = len(errors)
    year = _text(element, "Year", path, errors)
    if year and not re.fullmatch(r"(19|20)\d\d", year):
        errors.append(f"{path}/Year: {year!r} is not a year such as 2025.")
    lea = _text(element, "LEA", path, errors, required=False)
    estab = _text(element, "Estab", path, errors, required=False)
    if lea and not re.fullmatch(r"\d{3}", lea):
        errors.append(f"{path}/LEA: {lea!r} is not a three-digit LA number.")
    if estab and not re.fullmatch(r"\d{4}", estab):
        errors.append(f"{path}/Estab: {estab!r} is not a four-digit establishment number.")
    name = _text(element, "SchoolName", path, errors)[:200]
    counts = [
        _number(element, tag, path, errors)
        for tag in ("SessionsPossible", "SessionsAuthorised", "SessionsAttended")
    ] + [_number(element, "SessionsUnauthorised", path, errors)]
    possible, authorised, attended, unauthorised = counts
    if len(errors) == before and possible != authorised + attended + unauthorised:
        errors.append(
            f"{path}/SessionsPossible: {possible} is not attended + authorised + unauthorised "
            f"({attended} + {authorised} + {unauthorised})."
        )
    start, marks = None, ""
    sessions = element.find("AttendSessions")
    if sessions is not None:
        where = f"{path}/AttendSessions"
        start_text = _text(sessions, "AttendanceStartDate", where, errors)
        start = _date(start_text, f"{where}/AttendanceStartDate", errors) if start_text else None
        marks = _text(sessions, "AttendanceMarks", where, errors, required=False)
        year_number = int(year) if year.isdigit() else FIRST_2024_YEAR
        bad = sorted({c for c in marks if c not in alphabet_for_year(year_number)})
        if bad:
            which = (
                "from 2024/25"
                if year_number >= FIRST_2024_YEAR
                else f"in {year_number}/{(year_number + 1) % 100:02d}"
            )
            errors.append(
                f"{where}/AttendanceMarks: unknown mark character(s) {''.join(bad)!r} "
                f"(not codes in force {which})."
            )
    if len(errors) != before:
        return None
    return YearData(
        int(year), lea, estab, name, possible, authorised, attended, unauthorised, start, marks
    )
