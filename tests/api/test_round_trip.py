"""A round trip: marks posted through the API equal marks imported from the same CSV with
import_marks (in another school of the same shape), and the figures read back through the
API equal attendance_stats's."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command

from attendance_portal.api.models import ApiToken
from registers.models import Mark, MarkAmendment
from registers.services.imports import CsvFile
from registers.services.imports.marks import import_marks
from tests.api.conftest import make_token
from tests.registers.factories import PupilFactory

Level, Access = ApiToken.Level, ApiToken.Access
NOW = dt.datetime(2025, 10, 1, 18, 0, tzinfo=dt.UTC)
DAYS = [dt.date(2025, 9, 8) + dt.timedelta(days=d) for d in range(5)]
CODES = ["present", "N", "I", "L", "M", "U", "present", "B"]
PRESENT = {"AM": "/", "PM": "\\"}  # each session's own present mark (the other is refused)


def marks_csv(upns: list[str]) -> str:
    lines = ["upn,date,session,code,minutes_late,comment"]
    for n, upn in enumerate(upns):
        for d, day in enumerate(DAYS):
            for s, session in enumerate(("AM", "PM")):
                code = CODES[(n + d + s) % len(CODES)]
                code = PRESENT[session] if code == "present" else code
                late = "12" if code in "LU" else ""
                comment = '=HYPERLINK("x")' if (n, d, s) == (0, 0, 0) else "bus, late"
                lines.append(
                    f'{upn},{day},{session},{code},{late},"{comment.replace(chr(34), chr(34) * 2)}"'
                )
    return "\n".join(lines) + "\n"


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def marks_of(school) -> list[tuple]:
    return sorted(
        Mark.objects.for_school(school).values_list(
            "pupil__upn", "date", "session", "code_id", "minutes_late", "comment", "source"
        )
    )


@pytest.fixture
def write_token(school):
    return make_token(school=school, level=Level.PUPIL, access=Access.READ_WRITE)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("body_type", ["json", "csv"])
def test_marks_posted_through_the_api_equal_marks_imported_from_the_same_csv(
    school, other_school, pupils, api, write_token, body_type
):
    upns = [p.upn for p in pupils]
    twins = [PupilFactory(school=other_school, form=None, upn=u) for u in upns]
    text = marks_csv(upns)
    import_marks(school=other_school, file=CsvFile("m.csv", text.encode()), changed_by_name="t")

    client = api(write_token)
    path = f"/api/v1/schools/{school.urn}/marks/"
    if body_type == "json":
        response = client.post(path, json.dumps({"marks": rows_of(text)}))
    else:
        response = client.post(path, text, content_type="text/csv")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": len(upns) * 10,
        "amended": 0,
        "comments_updated": 0,
        "unchanged": 0,
    }
    assert marks_of(school) == marks_of(other_school)
    assert len(twins) == len(pupils)


@time_machine.travel(NOW, tick=False)
def test_a_changed_mark_is_an_audited_amendment_and_a_retry_changes_nothing(
    school, pupils, api, write_token
):
    upn = pupils[0].upn
    client = api(write_token)
    path = f"/api/v1/schools/{school.urn}/marks/"
    first = {"marks": [{"upn": upn, "date": "2025-09-08", "session": "AM", "code": "/"}]}
    assert client.post(path, json.dumps(first), key="a").status_code == 200
    change = {"marks": [{"upn": upn, "date": "2025-09-08", "session": "AM", "code": "I"}]}
    answer = client.post(path, json.dumps(change), key="b")
    assert answer.json()["amended"] == 1
    amendment = MarkAmendment.objects.get()
    assert (amendment.old_code, amendment.new_code) == ("/", "I")
    assert amendment.changed_by_name == "API token test tool"
    assert amendment.changed_by_role == "MIS import"
    # The MIS retries request "b" (its answer was lost): the kept answer comes back and
    # nothing is written again.

    retry = client.post(path, json.dumps(change), key="b")
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == answer.json()
    assert MarkAmendment.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_key_used_for_another_request_is_409(school, pupils, api, write_token):
    client = api(write_token)
    path = f"/api/v1/schools/{school.urn}/marks/"
    one = {"marks": [{"upn": pupils[0].upn, "date": "2025-09-08", "session": "AM", "code": "/"}]}
    two = {"marks": [{"upn": pupils[1].upn, "date": "2025-09-08", "session": "AM", "code": "/"}]}
    assert client.post(path, json.dumps(one), key="same").status_code == 200
    response = client.post(path, json.dumps(two), key="same")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert not Mark.objects.filter(pupil=pupils[1]).exists()


@time_machine.travel(NOW, tick=False)
def test_bad_rows_refuse_the_whole_request_with_row_numbers(school, pupils, api, write_token):
    client = api(write_token)
    body = {
        "marks": [
            {"upn": pupils[0].upn, "date": "2025-09-08", "session": "AM", "code": "/"},
            {"upn": "NOBODY", "date": "2025-09-08", "session": "AM", "code": "/"},
            {"upn": pupils[1].upn, "date": "2025-09-06", "session": "XX", "code": "Q"},
        ]
    }
    response = client.post(f"/api/v1/schools/{school.urn}/marks/", json.dumps(body))
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422
    rows = {(e["row"], e["message"]) for e in problem["errors"]}
    assert (2, "unknown UPN 'NOBODY'") in rows
    assert {row for row, _ in rows} == {2, 3}
    assert not Mark.objects.exists()  # all or nothing
    # The refused request kept no answer: once mended, the same key writes.
    body["marks"] = body["marks"][:1]
    assert client.post(f"/api/v1/schools/{school.urn}/marks/", json.dumps(body)).status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("not json", "application/json", 400),
        ("[]", "application/json", 400),
        ('{"marks": [1]}', "application/json", 400),
        ('{"marks": [{"upn": ["x"]}]}', "application/json", 400),
        ('{"marks": [{"colour": "red"}]}', "application/json", 400),
        ('{"marks": [{"upn": "a\\u0000"}]}', "application/json", 400),
        ("upn\n", "text/csv", 422),
        ("\xff", "text/csv", 422),
        ("<marks/>", "application/xml", 415),
    ],
)
def test_bad_bodies_are_4xx_problems(school, api, write_token, body, content_type, status):
    response = api(write_token).post(
        f"/api/v1/schools/{school.urn}/marks/", body.encode("latin-1"), content_type=content_type
    )
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_a_write_without_an_idempotency_key_is_refused(school, api, write_token):
    response = api(write_token).post(
        f"/api/v1/schools/{school.urn}/marks/", '{"marks": []}', key=None
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


@time_machine.travel(NOW, tick=False)
def test_figures_through_the_api_equal_attendance_stats(school, pupils, api, write_token):
    text = marks_csv([p.upn for p in pupils])
    import_marks(school=school, file=CsvFile("m.csv", text.encode()), changed_by_name="t")
    out = io.StringIO()
    call_command(
        "attendance_stats",
        "--school",
        school.urn,
        "--from",
        "2025-09-01",
        "--to",
        "2025-10-01",
        stdout=out,
    )
    expected = json.loads(out.getvalue())
    response = api(write_token).get(
        f"/api/v1/schools/{school.urn}/figures/", {"from": "2025-09-01", "to": "2025-10-01"}
    )
    assert response.status_code == 200
    assert response.json()["results"] == expected
    assert any(r["unmarked_sessions"] for r in expected)  # the range has unmarked days too
    # Paged with a cursor, the pages add up to the same records.
    client, pages, url = (
        api(write_token),
        [],
        f"/api/v1/schools/{school.urn}/figures/?from=2025-09-01&to=2025-10-01&limit=2",
    )
    while url:
        body = client.get(url).json()
        pages += body["results"]
        url = body["next"]
    assert pages == expected


def test_contacts_posted_through_the_api_equal_import_contacts(
    school, other_school, pupils, api, write_token
):
    from registers.models import Contact
    from registers.services.imports.contacts import import_contacts

    twins = [PupilFactory(school=other_school, form=None, upn=p.upn) for p in pupils[:2]]
    text = (
        "upn,priority,name,relationship,phone,email,parental_responsibility,"
        "receives_messages,lives_with_pupil\n"
        f"{pupils[0].upn},1,Mary Lovelace,Mother,07700 900123,mary@example.com,Y,Y,Y\n"
        f"{pupils[0].upn},2,George Byron,Father,+44 (0)7700 900456,,Y,Y,N\n"
        f"{pupils[1].upn},1,Jane Turing,Grandmother,,jane@example.com,N,N,Y\n"
    )
    import_contacts(school=other_school, file=CsvFile("c.csv", text.encode()))
    response = api(write_token).post(
        f"/api/v1/schools/{school.urn}/contacts/", json.dumps({"contacts": rows_of(text)})
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 3

    def contacts_of(s):
        return sorted(
            Contact.objects.for_school(s).values_list(
                "pupil__upn", "priority", "name", "relationship", "phone", "email",
                "parental_responsibility", "receives_messages", "lives_with_pupil",
            )
        )  # fmt: skip

    assert contacts_of(school) == contacts_of(other_school)
    assert len(twins) == 2
    bad = api(write_token).post(
        f"/api/v1/schools/{school.urn}/contacts/",
        json.dumps({"contacts": [{**rows_of(text)[0], "phone": "not a phone"}]}),
        key="bad",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["row"] == 1
