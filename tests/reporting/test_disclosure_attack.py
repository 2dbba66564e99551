"""The attacker's test of issue 14: a parent governor (and a trust lead, and the local
authority's attendance team, issue 18) who knows every
child of the school by year, gender, SEND, pupil premium, FSM, EAL, social worker, care
and young-carer status tries every differencing route through everything they can
download, to find the one severely absent pupil. They must not narrow that pupil down to
fewer than 5 candidates.

The attacker is written from the outside: it reads the pages (HTML tables and their
notes), the CSV and XLSX of each table, and the PDF's text, the way a person with a
spreadsheet would, and it knows the symbols' legend ("c": 1 to 4; "x": 0 or 5 and more,
unless the note says the measure is not shown by group). It uses no code of the portal.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from registers.models import Mark
from registers.services.stored_figures import refresh
from tests.registers.factories import FormFactory, PupilFactory
from tests.reporting.conftest import sessions_from

SESSIONS = 20
START = __import__("datetime").date(2025, 9, 8)

# The pupil to protect: a Year 5 boy with an EHC plan, not PP, FSM or EAL, no social
# worker, not looked after, not a young carer; the only one of the school with that profile.
TARGET = dict(
    year_group="5",
    gender="M",
    sen="E",
    pupil_premium=False,
    fsm=False,
    eal=False,
    cin=False,
    cla=False,
    young_carer=False,
)
# Each attribute a governor knows, as the breakdown tables label its groups.
DIMENSIONS = {
    "year_group": ("year_group", lambda v: f"Year {v}"),
    "gender": ("gender", lambda v: {"F": "Female", "M": "Male"}.get(v, "Not recorded")),
    "sen": ("sen", lambda v: {"N": "No SEN", "K": "SEN support", "E": "EHC plan"}[v]),
    "pupil_premium": ("pupil_premium", lambda v: "Pupil premium" if v else "Not pupil premium"),
    "fsm": ("fsm", lambda v: "FSM eligible" if v else "Not FSM eligible"),
    "eal": ("eal", lambda v: "EAL" if v else "Not EAL"),
    "cin": ("cin", lambda v: "Has a social worker" if v else "No social worker"),
    "cla": ("cla", lambda v: "Looked after" if v else "Not looked after"),
    "young_carer": ("young_carer", lambda v: "Young carer" if v else "Not a young carer"),
}


@dataclass
class Known:
    """What the attacker knows of each child (no marks, of course)."""

    pupils: list[dict]
    target: int  # index of the severely absent pupil (for the test's own checks only)


def _profile(rng: random.Random, year: int) -> dict:
    return dict(
        year_group=str(year),
        gender=rng.choice("FM"),
        sen=rng.choices("NKE", weights=[84, 13, 3])[0],
        pupil_premium=rng.random() < 0.25,
        fsm=rng.random() < 0.2,
        eal=rng.random() < 0.15,
        cin=rng.random() < 0.03,
        cla=rng.random() < 0.02,
        young_carer=rng.random() < 0.03,
    )


@pytest.fixture
def generated_school(school) -> Known:
    """120 pupils of Years 1 to 6 over 20 sessions; 18 persistently absent (10–45%), and
    one, the target, severely absent (60%)."""
    rng = random.Random(14)
    profiles = []
    while len(profiles) < 119:
        profile = _profile(rng, 1 + len(profiles) % 6)
        if all(profile[k] == TARGET[k] for k in ("year_group", "gender", "sen")):
            continue  # the target's profile stays unique
        profiles.append(profile)
    target = 57
    profiles.insert(target, dict(TARGET))
    forms = {y: FormFactory(school=school, name=f"{y}A") for y in "123456"}
    persistent = set(rng.sample([i for i in range(120) if i != target], 18))
    marks = []
    for index, profile in enumerate(profiles):
        pupil = PupilFactory(school=school, form=forms[profile["year_group"]], **profile)
        if index == target:
            absent = 12
        elif index in persistent:
            absent = rng.randint(2, 9)
        else:
            absent = rng.choice([0, 0, 0, 1])
        codes = ["O" if n < absent else "/" for n in range(SESSIONS)]
        rng.shuffle(codes)
        marks += [
            Mark(school_id=school.pk, pupil=pupil, date=day, session=session, code_id=code)
            for (day, session), code in zip(sessions_from(START, SESSIONS), codes, strict=True)
        ]
    Mark.objects.bulk_create(marks)
    # Set-based, past the services: the stored figures as a writer keeps them.
    refresh(school=school)
    return Known(profiles, target)


# -- reading what was published ---------------------------------------------------------------


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: dict[str, list[str]]  # row label -> its cells as printed, label left out
    note: str = ""


class _Tables(HTMLParser):
    """Every <table> of a page: caption, header row, body rows, and the note after it."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self._in: str | None = None
        self._text = ""
        self._row: list[str] | None = None
        self._head: list[str] = []
        self._note = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "report-table" in (attrs.get("class") or ""):
            self.tables.append(Table("", [], {}))
            self._head = []
        elif tag in ("caption", "th", "td"):
            self._in, self._text = tag, ""
        elif tag == "tr":
            self._row = []
        elif tag == "p" and "text-body-secondary" in (attrs.get("class") or "") and self.tables:
            self._note, self._text = True, ""

    def handle_data(self, data):
        if self._in or self._note:
            self._text += data

    def handle_endtag(self, tag):
        text = " ".join(self._text.split())
        if tag == "caption" and self._in:
            self.tables[-1].title = text.split(" · ")[0]
        elif tag in ("th", "td") and self._in and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._row is not None and self.tables:
            table = self.tables[-1]
            if not table.headers:
                table.headers = self._row
            elif self._row:
                table.rows[self._row[0]] = self._row[1:]
            self._row = None
        elif tag == "p" and self._note:
            if not self.tables[-1].note:
                self.tables[-1].note = text
            self._note = False
        if tag in ("caption", "th", "td"):
            self._in = None


def html_tables(response) -> dict[str, Table]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return {t.title: t for t in parser.tables}


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(Decimal(str(value)).quantize(Decimal("0.1")))
    return str(value)


def csv_table(response, like: Table) -> Table:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return Table(like.title, rows[0], {r[0]: r[1:] for r in rows[1:]}, like.note)


def xlsx_tables(response, like: list[Table]) -> dict[str, Table]:
    """The workbook's sheets, in the page's order of tables (sheet names are cut short)."""
    book = load_workbook(io.BytesIO(response.content))
    found = {}
    for sheet, page in zip(book.worksheets, like, strict=True):
        rows = [[_xlsx_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        found[page.title] = Table(page.title, rows[0], {r[0]: r[1:] for r in rows[1:]}, page.note)
    return found


def pdf_tables(response, like: dict[str, Table]) -> dict[str, Table]:
    """The PDF's text cut into sections by the tables' titles; each row of a known label
    read as that label followed by as many cells as the table has columns (the last such
    run in the section: the bar chart above the table comes first)."""
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("fewer than 5", "fewer").replace("not shown", "notshown")
    lines = text.split("\n")
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line.strip() in like:
            current = line.strip()
            sections[current] = []
        elif current:
            sections[current].append(line)
    found = {}
    for title, table in like.items():
        body = "\n".join(sections.get(title, []))
        width = len(table.headers) - 1
        rows = {}
        for label in table.rows:
            words = r"\s+".join(re.escape(w) for w in label.split())
            cells = r"\s+".join([r"(\S+)"] * width)
            matches = re.findall(rf"^{words}\s+{cells}", body, re.MULTILINE)
            if matches:
                last = matches[-1]
                rows[label] = list(last) if isinstance(last, tuple) else [last]
        found[title] = Table(title, table.headers, rows, table.note)
    return found


# -- what the attacker works out ----------------------------------------------------------------

WITHHELD_ROW = ("c", "x", "fewer", "fewer than 5")


def number(cell: str) -> Decimal | None:
    cleaned = cell.replace("%", "").replace(",", "").replace("−", "-").replace("+", "")
    try:
        return Decimal(cleaned)
    except ArithmeticError:
        return None


def counts_from(
    cell: str, of: int, *, withheld_row: bool = False, count: bool = False
) -> set[int] | None:
    """The pupils a cell (a percentage of `of` pupils, or a `count`) can stand for; None
    when it says nothing."""
    if withheld_row:
        return None
    value = number(cell)
    if value is not None and count:
        return {int(value)}
    if value is not None:
        return {
            k
            for k in range(of + 1)
            if abs(Decimal(k * 100) / of - value) <= Decimal("0.05") + Decimal("1e-9")
        }
    if cell == "c":
        return set(range(1, 5))
    if cell == "x":
        return {0, *range(5, of + 1)}
    return None


def column(table: Table, starts: str) -> int | None:
    for index, title in enumerate(table.headers[1:]):
        if title.startswith(starts):
            return index
    return None


@dataclass
class Attack:
    known: Known
    roll: int = 0
    severe_total: set[int] = field(default_factory=set)
    persistent_total: set[int] = field(default_factory=set)
    # (dimension, group label) -> counts of severely absent pupils it may hold
    groups: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    routes: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.roll = len(self.known.pupils)
        self.severe_total = set(range(self.roll + 1))
        self.persistent_total = set(range(self.roll + 1))
        for dim, (attr, label) in DIMENSIONS.items():
            for pupil in self.known.pupils:
                key = (dim, label(pupil[attr]))
                self.groups[key] = set(range(self.size(*key) + 1))

    def size(self, dim: str, label: str) -> int:
        attr, name = DIMENSIONS[dim]
        return sum(1 for p in self.known.pupils if name(p[attr]) == label)

    def narrow(self, key, found: set[int] | None, route: str) -> None:
        if found is not None:
            before = self.groups[key]
            self.groups[key] = before & found
            if self.groups[key] != before:
                self.routes.append(route)

    def read(self, tables: dict[str, Table], source: str) -> None:
        headline = tables.get("Attendance and absence")
        if headline is not None:
            for label, cells in headline.rows.items():
                if label.startswith("Severe absence"):
                    found = counts_from(cells[0], self.roll)
                    if found is not None:
                        self.severe_total &= found
                if label.startswith("Persistent absence"):
                    found = counts_from(cells[0], self.roll)
                    if found is not None:
                        self.persistent_total &= found
        bands = tables.get("Pupils in each band")
        if bands is not None:
            band_rows = {label.split(" (")[0]: cells for label, cells in bands.rows.items()}
            severe = band_rows.get("Severe absence")
            if severe is not None:
                for cell, count in zip(severe, (True, False), strict=True):
                    found = counts_from(cell, self.roll, count=count)
                    if found is not None:
                        self.severe_total &= found
            persistent = band_rows.get("Persistent absence")
            if persistent is not None:
                found = counts_from(persistent[0], self.roll, count=True)
                if found is not None:
                    # The persistent band leaves out the severe ones: headline minus band.
                    self.severe_total &= {
                        p - b for p in self.persistent_total for b in found if p >= b
                    }
        for side_by_side in ("Schools of the trust", "Schools of the local authority"):
            self._schools(tables.get(side_by_side))
        for table in tables.values():
            dim = self._dimension(table)
            if dim is not None:
                self._breakdown(dim, table, source)

    def _schools(self, trust: Table | None) -> None:
        """A row of the trust's or the local authority's schools side by side."""
        if trust is not None:
            for label, cells in trust.rows.items():
                if label == "Oakfield Primary":
                    for starts, total in (
                        ("Severe", self.severe_total),
                        ("Persistent", self.persistent_total),
                    ):
                        index = column(trust, starts)
                        found = counts_from(cells[index], self.roll)
                        if found is not None:
                            total &= found

    def _dimension(self, table: Table) -> str | None:
        for dim in DIMENSIONS:
            labels = {label for (d, label) in self.groups if d == dim}
            if table.rows and set(table.rows) <= labels and len(table.rows) >= 2:
                return dim
        return None

    def _breakdown(self, dim: str, table: Table, source: str) -> None:
        pupils_at, severe_at = column(table, "Pupils"), column(table, "Severe absence")
        persistent_at = column(table, "Persistent absence")
        severe_by_group = "Severe absence is not shown by group" not in table.note
        persistent_by_group = "Persistent absence is not shown by group" not in table.note
        for label, cells in table.rows.items():
            key, size = (dim, label), self.size(dim, label)
            withheld = cells[pupils_at] in WITHHELD_ROW
            route = f"{source}: {table.title}, {label}"
            if severe_by_group:
                self.narrow(key, counts_from(cells[severe_at], size, withheld_row=withheld), route)
            if persistent_by_group:
                at_most = counts_from(cells[persistent_at], size, withheld_row=withheld)
                if at_most is not None:  # the severely absent are persistently absent too
                    self.narrow(key, set(range(max(at_most) + 1)), route + " (persistent)")

    def may_hold(self) -> dict[tuple[str, str], bool]:
        """Whether each group can hold a severely absent pupil, given that every breakdown
        adds up to the school's total: a subset-sum over each dimension's groups."""
        found = {}
        for dim in DIMENSIONS:
            keys = [k for k in self.groups if k[0] == dim]
            for key in keys:
                others = {0}
                for other in keys:
                    if other != key:
                        others = {
                            a + b for a in others for b in self.groups[other] if a + b <= self.roll
                        }
                found[key] = any(
                    v >= 1 and total - v in others
                    for v in self.groups[key]
                    for total in self.severe_total
                )
        return found

    def candidates(self) -> list[int]:
        hold = self.may_hold()
        return [
            index
            for index, pupil in enumerate(self.known.pupils)
            if all(hold[(dim, name(pupil[attr]))] for dim, (attr, name) in DIMENSIONS.items())
        ]


# -- the attack -------------------------------------------------------------------------------


def governor_sources(client, school) -> dict[str, dict[str, Table]]:
    url = reverse("reporting:governors", args=[school.urn])
    page = html_tables(client.get(url))
    names = {t.name: t.title for t in client.get(url).context["report"].tables}
    sources = {"governors' page": page}
    csvs = {name: client.get(url, {"format": "csv", "table": name}) for name in names}
    if all(r["Content-Type"].startswith("text/csv") for r in csvs.values()):
        sources["governors' CSVs"] = {
            names[name]: csv_table(response, page[names[name]]) for name, response in csvs.items()
        }
    xlsx = client.get(url, {"format": "xlsx"})
    if xlsx.content[:2] == b"PK":
        sources["governors' Excel"] = xlsx_tables(xlsx, [page[t] for t in names.values()])
    pdf = client.get(reverse("reporting:governors_pdf", args=[school.urn]))
    sources["governors' PDF"] = pdf_tables(pdf, page)
    return sources


def trust_sources(client, school) -> dict[str, dict[str, Table]]:
    url = reverse("reporting:dashboard", args=[school.urn])
    page = html_tables(client.get(url))
    names = {t.name: t.title for t in client.get(url).context["report"].tables}
    sources = {"trust lead's dashboard": page}
    sources["trust lead's CSVs"] = {
        title: csv_table(client.get(url, {"format": "csv", "table": name}), page[title])
        for name, title in names.items()
    }
    sources["trust lead's Excel"] = xlsx_tables(
        client.get(url, {"format": "xlsx"}), [page[t] for t in names.values()]
    )
    sources["trust lead's PDF"] = pdf_tables(client.get(url, {"format": "pdf"}), page)
    trust_url = reverse("reporting:trust", args=[school.urn])
    (trust_table,) = html_tables(client.get(trust_url)).values()
    trust_table.title = "Schools of the trust"  # the caption names the trust
    sources["trust view"] = {trust_table.title: trust_table}
    sources["trust view CSV"] = {
        trust_table.title: csv_table(client.get(trust_url, {"format": "csv"}), trust_table)
    }
    sources["trust view Excel"] = xlsx_tables(
        client.get(trust_url, {"format": "xlsx"}), [trust_table]
    )
    # The year to date too: the trust view's own period.
    sources["trust lead's dashboard, year to date"] = html_tables(
        client.get(url, {"period": "ytd"})
    )
    return sources


def la_sources(client, school) -> dict[str, dict[str, Table]]:
    """Everything the local authority's team can read of the school: the governors' pages
    and downloads (they may open them), and its schools side by side in all three forms."""
    sources = {f"LA: {name}": tables for name, tables in governor_sources(client, school).items()}
    url = reverse("reporting:local_authority", args=[school.urn])
    tables = html_tables(client.get(url))
    (schools,) = [t for t in tables.values() if "Oakfield Primary" in t.rows]
    schools.title = "Schools of the local authority"  # the caption names the LA number
    sources["LA view"] = {schools.title: schools}
    sources["LA view CSV"] = {
        schools.title: csv_table(client.get(url, {"format": "csv", "table": "schools"}), schools)
    }
    workbook = xlsx_tables(
        client.get(url, {"format": "xlsx"}), [schools, tables["National figures"]]
    )
    sources["LA view Excel"] = {schools.title: workbook[schools.title]}
    return sources


def _attack(known: Known, sources: dict[str, dict[str, Table]]) -> Attack:
    attack = Attack(known)
    for name, tables in sources.items():
        attack.read(tables, name)
    return attack


def _check(known: Known, sources: dict[str, dict[str, Table]]) -> None:
    # Each source on its own, then everything together.
    for name, tables in [*sources.items(), ("everything", None)]:
        attack = _attack(known, sources if tables is None else {name: tables})
        found = attack.candidates()
        assert known.target in found, f"{name}: the attacker's reasoning is unsound"
        assert len(found) >= 5, (
            f"{name}: narrowed to {len(found)} candidate(s) through {attack.routes[:8]}"
        )


def test_a_governor_cannot_single_out_the_severely_absent_pupil(
    client, school, generated_school, governor
):
    client.force_login(governor.user)
    sources = governor_sources(client, school)
    # The attack reads what it should: every breakdown, the headline and the bands.
    page = sources["governors' page"]
    assert {"By year group", "By SEND", "By gender", "Pupils in each band"} <= set(page)
    # The PDF is read right: its rows are the page's, cell for cell.
    pdf = sources["governors' PDF"]
    for title in ("By year group", "By SEND", "By gender", "By pupil premium"):
        assert pdf[title].rows == page[title].rows, title
    _check(generated_school, sources)
    # Every download of the page was attacked.
    assert {"governors' CSVs", "governors' Excel", "governors' PDF"} <= set(sources)


def test_a_trust_lead_cannot_single_out_the_severely_absent_pupil(
    client, school, generated_school, trust_lead
):
    client.force_login(trust_lead.user)
    sources = trust_sources(client, school)
    assert "Oakfield Primary" in sources["trust view"]["Schools of the trust"].rows
    _check(generated_school, sources)


def test_the_local_authority_cannot_single_out_the_severely_absent_pupil(
    client, school, generated_school, la_lead
):
    client.force_login(la_lead.user)
    sources = la_sources(client, school)
    row = sources["LA view"]["Schools of the local authority"].rows["Oakfield Primary"]
    exported = sources["LA view CSV"]["Schools of the local authority"].rows["Oakfield Primary"]

    def same(cell: str):
        return number(cell) if number(cell) is not None else cell.replace("–", "")

    assert [same(c) for c in row] == [same(c) for c in exported]
    # The severe absence rate (1 pupil of 120) is withheld, as on the trust view.
    severe = column(sources["LA view"]["Schools of the local authority"], "Severe")
    assert row[severe] in ("c", "x")
    _check(generated_school, sources)


def test_the_attack_finds_the_pupil_in_the_exact_figures_staff_see(
    client, school, generated_school, head
):
    """The attacker is not toothless: given the head's exact figures (staff who already see
    the pupils), the same reasoning finds the one pupil."""
    client.force_login(head.user)
    page = html_tables(client.get(reverse("reporting:dashboard", args=[school.urn])))
    attack = _attack(generated_school, {"head's dashboard": page})
    assert attack.candidates() == [generated_school.target]
