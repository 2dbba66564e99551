from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from registers.models import CallAttempt, Contact

HEADER = (
    "upn,priority,name,relationship,phone,email,parental_responsibility,receives_messages,"
    "lives_with_pupil"
)


def rows(pupils) -> list[str]:
    first, second = pupils[0].upn, pupils[1].upn
    return [
        f"{first},1,Mary Lovelace,Mother,07700 900123,mary@example.com,Y,Y,Y",
        f"{first},2,George Byron,Father,+44 (0)7700 900456,,Y,Y,N",
        f"{second},1,Jane Turing,Grandmother,,jane@example.com,N,N,Y",
    ]


def write(tmp_path: Path, lines: list[str], name: str = "contacts.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    return str(path)


def run(school, path: str) -> str:
    out = StringIO()
    call_command("import_contacts", "--school", school.urn, path, stdout=out)
    return out.getvalue().strip()


def snapshot(school):
    return list(Contact.objects.for_school(school).order_by("pk").values())


def refused(school, path: str) -> str:
    before = snapshot(school)
    with pytest.raises(CommandError) as exc:
        run(school, path)
    assert snapshot(school) == before  # all or nothing
    return str(exc.value)


def test_it_stores_contacts_in_calling_order_with_phones_in_e164(school, pupils, tmp_path):
    output = run(school, write(tmp_path, rows(pupils)))
    assert output == "contacts for 2 pupil(s): 3 created, 0 updated, 0 removed, 0 unchanged"
    mary, george = Contact.objects.filter(pupil=pupils[0]).order_by("priority")
    assert (mary.phone, mary.email, mary.lives_with_pupil) == (
        "+447700900123",
        "mary@example.com",
        True,
    )
    assert (george.phone, george.email, george.lives_with_pupil) == ("+447700900456", "", False)
    jane = Contact.objects.get(pupil=pupils[1])
    assert (jane.parental_responsibility, jane.receives_messages) == (False, False)
    assert jane.school == school


def test_a_second_run_of_the_same_file_changes_nothing(school, pupils, tmp_path):
    path = write(tmp_path, rows(pupils))
    run(school, path)
    before = snapshot(school)
    assert run(school, path) == (
        "contacts for 2 pupil(s): 0 created, 0 updated, 0 removed, 3 unchanged"
    )
    assert snapshot(school) == before


def test_the_file_replaces_a_named_pupils_contacts_and_keeps_the_same_people(
    school, pupils, tmp_path, officer
):
    run(school, write(tmp_path, rows(pupils)))
    mary = Contact.objects.get(name="Mary Lovelace")
    mary.opted_out_at = timezone.now()
    mary.save(update_fields=["opted_out_at"])
    call = CallAttempt.objects.create(
        school=school,
        pupil=pupils[0],
        date=timezone.localdate(),
        contact=mary,
        outcome=CallAttempt.Outcome.NO_ANSWER,
    )
    # The parents swap places, George's number changes and Jane's row is not in the file:
    # Jane's pupil is not named, so her contact stays.
    first = pupils[0].upn
    swapped = [
        f"{first},2,Mary Lovelace,Mother,07700 900123,mary@example.com,Y,Y,Y",
        f"{first},1,George Byron,Father,07700 900789,,Y,Y,N",
    ]
    assert run(school, write(tmp_path, swapped, "second.csv")) == (
        "contacts for 1 pupil(s): 0 created, 2 updated, 0 removed, 0 unchanged"
    )
    mary.refresh_from_db()
    assert mary.priority == 2 and mary.opted_out  # the same row: the opt-out survives
    call.refresh_from_db()
    assert call.contact == mary
    assert Contact.objects.get(name="George Byron").phone == "+447700900789"
    assert Contact.objects.filter(pupil=pupils[1]).count() == 1

    only_george = [f"{first},1,George Byron,Father,07700 900789,,Y,Y,N"]
    assert "1 removed" in run(school, write(tmp_path, only_george, "third.csv"))
    call.refresh_from_db()
    assert call.contact is None  # the call log keeps the attempt


def test_a_bad_phone_a_repeated_priority_and_an_unknown_upn_refuse_the_whole_file(
    school, pupils, tmp_path
):
    run(school, write(tmp_path, rows(pupils)))
    first = pupils[0].upn
    bad = [
        f"{first},1,Ann Newcomer,Aunt,07700 900111,,Y,Y,Y",
        f"{first},2,Bob Wrongnumber,Uncle,12345,,Y,Y,Y",
        f"{first},1,Cat Twice,Aunt,,cat@example.com,Y,Y,Y",
        "Z99999999999Z,1,Dan Nobody,Father,,,Y,Y,Y",
        f"{first},3,Eve Mail,Aunt,,not-an-email,Y,Y,Y",
        f"{first},4,Fay Flag,Aunt,,,yes,Y,Y",
    ]
    message = refused(school, write(tmp_path, bad, "bad.csv"))
    assert "row 2: phone '12345' is not a valid telephone number" in message
    assert f"row 3: priority 1 for {first} is also on row 1" in message
    assert "row 4: upn 'Z99999999999Z' is not a pupil of this school" in message
    assert "row 5: email 'not-an-email' is not an email address" in message
    assert "row 6: parental_responsibility 'yes' is not one of Y, N" in message
    assert "row 1" not in message.replace("on row 1", "")


def test_a_pupil_of_another_school_is_unknown(school, pupils, other_school, tmp_path):
    message = refused(other_school, write(tmp_path, rows(pupils)))
    assert f"row 1: upn '{pupils[0].upn}' is not a pupil of this school" in message


@pytest.mark.parametrize(
    "header",
    [HEADER.replace(",lives_with_pupil", ""), HEADER + ",address"],
)
def test_the_header_must_be_the_contract(school, pupils, tmp_path, header):
    path = tmp_path / "contacts.csv"
    path.write_text(header + "\n")
    assert "header" in refused(school, str(path))
