"""The attack of tests/reporting/test_disclosure_attack.py through the API, across a trust
(issue 21): the holder of every aggregate token a trust can have (the trust's, and each
school's) reads the trust-wide figures by group and band, each school's own, and the trust
view, and subtracts the other schools from the trust to find Oakfield's one severely absent
pupil. They must be left with at least 5 candidates.

The second school of the trust has five severely absent pupils of the target's very profile
(Year 5 boys with an EHC plan): each of the target's groups then holds 6 across the trust,
enough to be shown, and 5 at Ashgrove, shown too: 6 − 5 names Oakfield's one.

The attacker reads JSON and the trust view's HTML, as a spreadsheet user would; it uses no
code of the portal. A hidden cell says only what its symbol promises in every context
("c": 1 to 4; "x": nothing, since an API row carries no table note).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from registers.models import Mark
from registers.services.stored_figures import refresh
from tests.api.conftest import ApiClient, make_token
from tests.registers.factories import FormFactory, PupilFactory, SchoolFactory, make_half_term
from tests.reporting.conftest import sessions_from
from tests.reporting.test_disclosure_attack import (
    SESSIONS,
    START,
    TARGET,
    Attack,
    Known,
    column,
    counts_from,
    generated_school,  # noqa: F401  (the fixture: Oakfield's 120 pupils)
    html_tables,
)

END = sessions_from(START, SESSIONS)[-1][0]
RANGE = {"from": START.isoformat(), "to": END.isoformat()}


@pytest.fixture
def second_school(school):
    """Ashgrove, of Oakfield's trust: 30 pupils present throughout, and 5 of the target's
    profile severely absent (12 sessions of 20)."""
    ashgrove = SchoolFactory(urn="111222", name="Ashgrove Primary", trust=school.trust)
    autumn = school.half_terms.get()
    make_half_term(ashgrove, "Autumn 1", autumn.start_date, autumn.end_date)
    forms = {y: FormFactory(school=ashgrove, name=f"{y}A") for y in "123456"}
    profiles = [dict(TARGET)] * 5 + [
        dict(TARGET, year_group=str(1 + n % 6), gender="F", sen="N") for n in range(30)
    ]
    marks = []
    for index, profile in enumerate(profiles):
        pupil = PupilFactory(school=ashgrove, form=forms[profile["year_group"]], **profile)
        codes = ["O" if index < 5 and n < 12 else "/" for n in range(SESSIONS)]
        marks += [
            Mark(school_id=ashgrove.pk, pupil=pupil, date=day, session=session, code_id=code)
            for (day, session), code in zip(sessions_from(START, SESSIONS), codes, strict=True)
        ]
    Mark.objects.bulk_create(marks)
    refresh(school=ashgrove)  # set-based, past the services: the stored figures kept in step
    return ashgrove


def _count(cell) -> int | None:
    return cell if isinstance(cell, int) else None


def severe_counts(row: dict) -> set[int] | None:
    """The severely absent pupils a row (of the API) can stand for; None: it says nothing."""
    pupils, severe = _count(row["pupils"]), row["severe"]
    if pupils is None or severe in (None, "x"):
        return None
    if severe == "c":
        return set(range(1, 5))
    value = Decimal(str(severe))
    return {
        k for k in range(pupils + 1) if abs(Decimal(k * 100) / pupils - value) <= Decimal("0.05")
    }


def by_group(rows: list[dict]) -> dict[tuple[str, str], set[int] | None]:
    """(dimension label as the attack names it, group label) -> severe counts."""
    return {(row["dimension"], row["label"]): severe_counts(row) for row in rows}


def minus(total: set[int] | None, parts: list[set[int] | None]) -> set[int] | None:
    """What one school's cell can be, given the trust's and the other schools' cells."""
    if total is None or any(p is None for p in parts):
        return None
    others = {0}
    for part in parts:
        others = {a + b for a in others for b in part}
    return {t - o for t in total for o in others if t >= o}


def api_sources(school, second) -> dict[str, dict]:
    """Every aggregate the tokens of an aggregate holder read: the trust's token, and each
    school's own aggregate token (the same figures of that school)."""
    trust_token = ApiClient(make_token(trust=school.trust))
    found = {
        "trust groups": trust_token.get(reverse("api:trust_groups"), RANGE).json()["results"],
        "trust bands": trust_token.get(reverse("api:trust_bands"), RANGE).json()["results"],
    }
    for each in (school, second):
        for client, who in (
            (trust_token, "trust token"),
            (ApiClient(make_token(school=each)), "school token"),
        ):
            found[f"{each.urn} groups, {who}"] = client.get(
                reverse("api:school_groups", args=[each.urn]), RANGE
            ).json()["results"]
    return found


def attack(known: Known, school, second, sources: dict, trust_view=None) -> Attack:
    result = Attack(known)
    trust = by_group(sources["trust groups"])
    others = [by_group(sources[f"{second.urn} groups, {who}"]) for who in ("trust token",)]
    own = by_group(sources[f"{school.urn} groups, school token"])
    for key in result.groups:
        dim, label = key
        result.narrow(key, own.get((dim, label)), f"Oakfield's groups, {label}")
        found = minus(trust.get((dim, label)), [o.get((dim, label)) for o in others])
        if found is not None:
            result.narrow(key, found, f"trust minus Ashgrove, {label}")
    whole = ("school", "Whole school")
    for found in (
        own.get(whole),
        minus(trust.get(whole), [o.get(whole) for o in others]),
    ):
        if found is not None:
            result.severe_total &= found
    if trust_view is not None:
        table = trust_view
        severe_at = column(table, "Severe")
        for label, cells in table.rows.items():
            if label == "Oakfield Primary":
                found = counts_from(cells[severe_at], result.roll)
                if found is not None:
                    result.severe_total &= found
    return result


def test_the_trust_figures_cannot_be_subtracted_to_single_out_a_pupil(
    client,
    school,
    generated_school,  # noqa: F811
    second_school,
    trust_lead,
):
    sources = api_sources(school, second_school)
    # The attack reads what the API publishes: the trust's rows name each group.
    dimensions = {row["dimension"] for row in sources["trust groups"]}
    assert {"school", "year_group", "sen", "gender"} <= dimensions
    # …of marks really taken: both schools' pupils, Ashgrove's five severely absent shown.
    assert sources["trust groups"][0]["pupils"] == 155
    ashgrove = by_group(sources[f"{second_school.urn} groups, school token"])
    assert ashgrove[("school", "Whole school")] == {5}
    client.force_login(trust_lead.user)
    (trust_view,) = html_tables(client.get(reverse("reporting:trust", args=[school.urn]))).values()
    assert "Ashgrove Primary" in trust_view.rows
    result = attack(generated_school, school, second_school, sources, trust_view)
    found = result.candidates()
    assert generated_school.target in found, "the attacker's reasoning is unsound"
    assert len(found) >= 5, f"narrowed to {len(found)} candidate(s) through {result.routes[:8]}"


def test_the_attack_finds_the_pupil_in_the_exact_trust_figures(
    school,
    generated_school,  # noqa: F811
    second_school,
):
    """The attacker is not toothless: with the trust's figures unwithheld (as they were
    before rule 6 of reporting.disclosure) the same subtraction finds the one pupil."""
    from reporting.groups import group_figures

    exact = {
        "trust groups": group_figures(
            schools=[school, second_school], start=START, end=END, withhold=False, forms=False
        ).rows,
        f"{second_school.urn} groups, trust token": group_figures(
            schools=[second_school], start=START, end=END, withhold=False, forms=False
        ).rows,
        f"{school.urn} groups, school token": [],
    }
    result = attack(generated_school, school, second_school, exact)
    assert result.candidates() == [generated_school.target]
