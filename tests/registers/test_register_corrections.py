"""No correction silently undone (issue 22): a class register opened before someone else
changed one of its marks cannot be saved over that change, and the refused page starts
from the current marks, puts back only the user's own changes and shows whose mark is whose.

Client tests that post the register page exactly as a browser would (every field the page
holds, hidden ones included), from the page the server rendered.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registers import codes
from registers.actors import Actor
from registers.models import Mark, MarkAmendment, Register
from registers.services.marks import Entry, record_mark, save_register

MONDAY = dt.date(2025, 9, 8)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2025, 9, 8, 9, 30, tzinfo=LONDON), tick=False)


def take_url(form, session: str = "AM") -> str:
    return reverse("registers:take", args=[form.school.urn, form.pk, MONDAY, session])


class _FormFields(HTMLParser):
    """The fields a browser would submit from the page's register form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "register-form":
            self._in_form = True
        if not self._in_form or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            self.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
                self.fields.setdefault(self._select, value)
            if "selected" in a:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_fields(response) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(response.content.decode())
    assert parser.fields, "the page has no register form"
    return parser.fields


def code_of(pupil, session: str = "AM") -> str:
    return Mark.objects.get(pupil=pupil, date=MONDAY, session=session).code_id


@pytest.fixture
def taken(teacher, form, pupils):
    """This morning's register, taken by the teacher with everyone present."""
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, "/") for p in pupils],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )


def amend_page(client, pupil, school):
    return client.post(
        reverse("registers:amend", args=[school.urn, pupil.pk, MONDAY, "AM"]),
        {"code": "I", "minutes_late": "", "comment": "", "reason": "Parent phoned: ill"},
    )


def calling_list(client, pupil, school):
    return client.post(
        reverse("escalation:calling_log", args=[school.urn, pupil.pk]),
        {"date": MONDAY.isoformat(), "outcome": "reason", "code": "I", "note": "ill"},
    )


@pytest.mark.parametrize("office_writes", [amend_page, calling_list], ids=["amend", "calling"])
def test_an_office_correction_is_not_undone_by_a_register_opened_before_it(
    login, teacher, officer, school, form, pupils, office_writes
):
    # The teacher took the register with pupils[0] absent (N) and still has it open.
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, "/") for p in pupils[1:]] + [Entry(pupils[0].pk, "N")],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )
    teacher_client = login(teacher)
    opened = page_fields(teacher_client.get(take_url(form)))

    # The office corrects pupils[0]: N → I.
    assert office_writes(login(officer), pupils[0], school).status_code == 302
    assert code_of(pupils[0]) == "I"

    # The teacher records a late arrival for another pupil and saves the page as it was.
    late = pupils[2]
    opened[f"p{late.pk}-code"] = "L"
    opened[f"p{late.pk}-minutes_late"] = "10"
    opened["reason"] = "Arrived 9:10 with a note"
    refused = teacher_client.post(take_url(form), opened)

    assert refused.status_code == 200  # refused as stale, nothing written
    page = refused.content.decode()
    assert "Someone else changed this register" in page
    assert code_of(pupils[0]) == "I" and code_of(late) == "/"
    lines = {line.row.pupil: line for line in refused.context["form"].lines}
    # The office's mark is the starting point and is highlighted; the teacher's own
    # change is put back.
    assert lines[pupils[0]].chosen_code == "I" and lines[pupils[0]].changed_meanwhile
    assert lines[late].chosen_code == "L" and not lines[late].changed_meanwhile
    assert "changed-meanwhile" in page

    # Saving the refused page as shown keeps the office's I and records the late arrival.
    again = teacher_client.post(take_url(form), page_fields(refused))
    assert again.status_code == 302
    assert code_of(pupils[0]) == "I"
    assert Mark.objects.get(pupil=late).minutes_late == 10
    history = MarkAmendment.objects.filter(pupil=pupils[0]).order_by("id")
    assert [(h.old_code, h.new_code) for h in history] == [("N", "I")]


def test_a_second_click_on_save_never_reverts_the_winners_change(
    login, teacher, officer, form, pupils, taken
):
    """The double save: the office saves the whole register with one correction while
    the teacher has it open; the teacher's refused page, saved again, must not put the
    teacher's old value back under the teacher's reason."""
    teacher_client = login(teacher)
    opened = page_fields(teacher_client.get(take_url(form)))

    office = login(officer)
    office_page = page_fields(office.get(take_url(form)))
    office_page[f"p{pupils[0].pk}-code"] = "I"
    office_page["reason"] = "Parent phoned: ill"
    assert office.post(take_url(form), office_page).status_code == 302

    opened[f"p{pupils[1].pk}-code"] = "L"
    opened[f"p{pupils[1].pk}-minutes_late"] = "5"
    opened["reason"] = "Arrived at 9:05"
    refused = teacher_client.post(take_url(form), opened)
    assert refused.status_code == 200
    assert code_of(pupils[0]) == "I" and code_of(pupils[1]) == "/"

    again = teacher_client.post(take_url(form), page_fields(refused))
    assert again.status_code == 302
    assert code_of(pupils[0]) == "I"  # the office's correction stands
    assert code_of(pupils[1]) == "L"
    late = MarkAmendment.objects.get(pupil=pupils[1])
    assert (late.old_code, late.new_code, late.reason) == ("/", "L", "Arrived at 9:05")
    assert not MarkAmendment.objects.filter(pupil=pupils[0], changed_by=teacher.user).exists()


def test_when_both_changed_one_pupil_the_saved_mark_is_kept_and_theirs_offered(
    login, teacher, officer, form, pupils, taken
):
    teacher_client = login(teacher)
    opened = page_fields(teacher_client.get(take_url(form)))
    record_mark(
        pupil=pupils[0],
        day=MONDAY,
        session="AM",
        entry=Entry(pupils[0].pk, "M"),
        actor=Actor.for_membership(officer),
        reason="Dentist letter",
    )
    opened[f"p{pupils[0].pk}-code"] = "N"
    opened["reason"] = "Not seen"
    refused = teacher_client.post(take_url(form), opened)
    line = next(x for x in refused.context["form"].lines if x.row.pupil == pupils[0])
    assert line.chosen_code == "M" and line.conflict and line.yours_text == "N"
    page = refused.content.decode()
    assert "You chose: N (not applied)" in page
    assert "saved meanwhile M by" in page and "you chose N" in page
    # Nothing of the teacher's is left to save, so the reason goes too.
    assert refused.context["form"].data["reason"] == ""


def test_an_office_pm_save_first_shows_the_office_mark_beside_the_teachers(
    login, teacher, officer, form, pupils, time_machine
):
    # The afternoon: teachers take the PM register once its session has started (issue 17).
    time_machine.move_to(dt.datetime(2025, 9, 8, 13, 30, tzinfo=LONDON), tick=False)
    teacher_client = login(teacher)
    opened = page_fields(teacher_client.get(take_url(form, "PM")))
    office = login(officer)
    office_page = page_fields(office.get(take_url(form, "PM")))
    office_page[f"p{pupils[0].pk}-code"] = "I"
    assert office.post(take_url(form, "PM"), office_page).status_code == 302

    present = codes.present_code_for("PM")
    for p in pupils:
        opened[f"p{p.pk}-code"] = present
    refused = teacher_client.post(take_url(form, "PM"), opened)
    page = refused.content.decode()
    name = pupils[0].name
    assert f"{name}: saved meanwhile I by" in page
    assert f"you chose {present}" in page.replace("&#x27;", "'").replace("\\\\", "\\")
    assert code_of(pupils[0], "PM") == "I"
    # The teacher's present marks for everyone else are put back for the next save.
    again = teacher_client.post(take_url(form, "PM"), page_fields(refused))
    assert again.status_code == 302
    assert code_of(pupils[0], "PM") == "I"
    assert {code_of(p, "PM") for p in pupils[1:]} == {present}


# --- Every writer of marks advances the register's version ---------------------------


def version(form, session: str = "AM") -> int:
    register = Register.objects.filter(form=form, date=MONDAY, session=session).first()
    return register.version if register else 0


def test_record_mark_advances_the_version_only_when_the_mark_changes(officer, form, pupil):
    actor = Actor.for_membership(officer)
    record_mark(pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "N"), actor=actor)
    assert version(form) == 1
    # An untaken register row: the day's lists still count it as not taken.
    assert Register.objects.get(form=form, date=MONDAY, session="AM").taken_at is None
    record_mark(pupil=pupil, day=MONDAY, session="AM", entry=Entry(pupil.pk, "N"), actor=actor)
    assert version(form) == 1
    record_mark(
        pupil=pupil,
        day=MONDAY,
        session="AM",
        entry=Entry(pupil.pk, "I"),
        actor=actor,
        reason="ill",
    )
    assert version(form) == 2


def test_a_planned_absence_advances_the_registers_it_fills(officer, school, form, pupil):
    from registers.services.planned import record_planned_absence

    record_planned_absence(
        school=school,
        pupil=pupil,
        code="M",
        start_date=MONDAY,
        end_date=MONDAY,
        note="dentist",
        actor=Actor.for_membership(officer),
        today=MONDAY,
    )
    assert (version(form, "AM"), version(form, "PM")) == (1, 1)


def test_an_import_advances_the_registers_it_changes(school, form, pupils, tmp_path):
    from registers.services.imports.csvfile import CsvFile
    from registers.services.imports.marks import import_marks

    def run(rows: list[str]) -> None:
        path = tmp_path / "marks.csv"
        path.write_text("upn,date,session,code,minutes_late,comment\n" + "\n".join(rows) + "\n")
        import_marks(school=school, file=CsvFile.from_path(path), changed_by_name="MIS")

    run([f"{pupils[0].upn},2025-09-08,AM,N,,"])
    assert (version(form, "AM"), version(form, "PM")) == (1, 0)
    run([f"{pupils[0].upn},2025-09-08,AM,N,,"])  # nothing changes
    assert version(form, "AM") == 1
    run([f"{pupils[0].upn},2025-09-08,AM,N,,called twice"])  # the comment alone
    assert version(form, "AM") == 2
