"""The reads: CSV as the commands write it, ETag and 304, the rate limit, and small
numbers withheld from aggregate-only tokens as from governors."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from attendance_portal.api.models import ApiToken
from registers.services.imports import CsvFile
from registers.services.imports.marks import import_marks
from tests.api.conftest import make_token
from tests.registers.factories import PupilFactory

Level, Access = ApiToken.Level, ApiToken.Access
NOW = dt.datetime(2025, 10, 1, 18, 0, tzinfo=dt.UTC)
RANGE = {"from": "2025-09-01", "to": "2025-10-01"}


def mark_all(school, pupils, code_of=lambda n: "/", comment=""):
    rows = ["upn,date,session,code,minutes_late,comment"]
    for n, p in enumerate(pupils):
        for d in range(5):
            day = dt.date(2025, 9, 8) + dt.timedelta(days=d)
            rows.append(f"{p.upn},{day},AM,{code_of(n)},,{comment}")
    import_marks(
        school=school, file=CsvFile("m.csv", "\n".join(rows).encode()), changed_by_name="t"
    )


@time_machine.travel(NOW, tick=False)
def test_csv_figures_are_the_attendance_stats_csv(school, pupils, api):
    mark_all(school, pupils, lambda n: "/N"[n % 2])
    out = io.StringIO()
    call_command(
        "attendance_stats", "--school", school.urn, "--from", RANGE["from"], "--to",
        RANGE["to"], "--format", "csv", stdout=out,
    )  # fmt: skip
    token = make_token(school=school, level=Level.PUPIL)
    response = api(token).get(
        f"/api/v1/schools/{school.urn}/figures/", RANGE, HTTP_ACCEPT="text/csv"
    )
    response = api(token).client.get(
        f"/api/v1/schools/{school.urn}/figures/",
        RANGE,
        headers={"Authorization": f"Bearer {token}", "Accept": "text/csv"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode() == out.getvalue()


@time_machine.travel(NOW, tick=False)
def test_csv_text_is_neutralised_against_formulas(school, pupils, api):
    mark_all(school, pupils[:1], comment="=1+2")
    token = make_token(school=school, level=Level.PUPIL)
    response = api(token).client.get(
        f"/api/v1/schools/{school.urn}/marks/",
        RANGE,
        headers={"Authorization": f"Bearer {token}", "Accept": "text/csv"},
    )
    lines = response.content.decode().splitlines()
    assert lines[0] == "upn,date,session,code,minutes_late,comment"
    assert lines[1].endswith(",'=1+2")


@time_machine.travel(NOW, tick=False)
def test_a_read_has_an_etag_and_an_unchanged_one_is_304(school, pupils, api):
    mark_all(school, pupils)
    client = api(make_token(school=school))
    path = f"/api/v1/schools/{school.urn}/groups/"
    first = client.get(path, RANGE)
    assert first.status_code == 200 and first["ETag"]
    again = client.get(path, RANGE, **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    mark_all(school, pupils, lambda n: "N")  # the figures change, so does the tag
    changed = client.get(path, RANGE, **{"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_past_the_rate_limit_a_token_gets_429_with_retry_after(school, api, settings):
    from django.core.cache import cache

    cache.clear()
    settings.API_RATE_PER_MINUTE = 2
    client = api(make_token(school=school))
    assert [client.get("/api/v1/schools/").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/v1/schools/")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert api(make_token(school=school)).get("/api/v1/schools/").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_aggregate_tokens_get_small_numbers_withheld_and_pupil_tokens_exact_figures(
    school, form, api
):
    pupils = [PupilFactory(school=school, form=form, pupil_premium=n < 3) for n in range(12)]
    mark_all(school, pupils, lambda n: "N" if n == 0 else "/")  # one severely absent pupil
    path = f"/api/v1/schools/{school.urn}/groups/"
    aggregate = api(make_token(school=school)).get(path, RANGE).json()["results"]
    exact = api(make_token(school=school, level=Level.PUPIL)).get(path, RANGE).json()["results"]
    whole = {r["dimension"]: r for r in aggregate}["school"]
    assert whole["severe"] == "c"  # one pupil of twelve: never shown to an aggregate token
    assert {r["dimension"]: r for r in exact}["school"]["severe"] == pytest.approx(8.3)
    pp = [r for r in aggregate if r["dimension"] == "pupil_premium"]
    assert {r["pupils"] for r in pp} == {"c", "x"}  # 3 of 12, and the 9 beside them
    assert not [r for r in aggregate if r["dimension"] == "form"]  # governors see no forms
    bands = api(make_token(school=school)).get(f"/api/v1/schools/{school.urn}/bands/", RANGE)
    severe = {b["band"]: b for b in bands.json()["results"]}["severe"]
    assert severe["pupils"] == "c"


@time_machine.travel(NOW, tick=False)
def test_trust_figures_count_the_trusts_schools_together(school, pupils, api):
    from tests.registers.factories import SchoolFactory, make_half_term

    sister = SchoolFactory(urn="222222", trust=school.trust)
    make_half_term(sister, "Autumn 1", dt.date(2025, 9, 3), dt.date(2025, 10, 24))
    more = [PupilFactory(school=sister, form=None) for _ in range(5)]
    mark_all(school, pupils)
    mark_all(sister, more)
    token = make_token(trust=school.trust)
    rows = api(token).get("/api/v1/trust/groups/", RANGE).json()["results"]
    assert rows[0]["dimension"] == "school" and rows[0]["pupils"] == 10
    schools = api(token).get("/api/v1/schools/").json()["results"]
    assert {s["urn"] for s in schools} == {school.urn, "222222"}


def test_open_cases_are_counts_for_aggregate_tokens_and_pupils_for_pupil_tokens(
    school, pupils, api
):
    from escalation.services import cases as case_services
    from registers.actors import Actor

    actor = Actor(None, "Officer", "Attendance officer")
    for p in pupils[:2]:
        case_services.open_case(pupil=p, actor=actor, summary="s", on=dt.date(2025, 10, 1))
    counts = api(make_token(school=school)).get(f"/api/v1/schools/{school.urn}/cases/counts/")
    by_stage = {r["stage"]: r["cases"] for r in counts.json()["results"]}
    assert set(by_stage.values()) == {"c"}  # two cases: a small number
    exact = api(make_token(school=school, level=Level.PUPIL)).get(
        f"/api/v1/schools/{school.urn}/cases/counts/"
    )
    assert sum(r["cases"] for r in exact.json()["results"]) == 2
    listed = api(make_token(school=school, level=Level.PUPIL)).get(
        f"/api/v1/schools/{school.urn}/cases/"
    )
    assert sorted(r["upn"] for r in listed.json()["results"]) == sorted(p.upn for p in pupils[:2])


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2025-13-01"},
        {"to": "1999-12-31"},
        {"from": "2025-10-02", "to": "2025-10-01"},
        {"limit": "0"},
        {"limit": "x"},
        {"cursor": "!!"},
        {"cursor": "WyJhIl0"},  # ["a"]: a figures cursor sent to the marks
    ],
)
def test_bad_query_parameters_are_400_problems(school, api, query):
    token = make_token(school=school, level=Level.PUPIL)
    response = api(token).get(f"/api/v1/schools/{school.urn}/marks/", query)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]
