"""The read endpoints: schools, per-pupil figures, marks, figures by group, bands, cases.

Each calls the selector its page or command uses (the API is another door to the same
rules): per-pupil figures are attendance_stats's records, groups and bands the report's
breakdowns with the governors' small-number protection for aggregate-only tokens.
Every answer naming pupils is logged (services.tokens.log_access) for the head's page.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter

from escalation.models import Case
from escalation.selectors.caseload import caseload, open_cases_by_stage
from registers import figures
from registers.management.commands.attendance_stats import COLUMNS as FIGURE_COLUMNS
from registers.management.commands.attendance_stats import pupil_records
from registers.services.imports.marks import COLUMNS as MARK_COLUMNS
from reporting import disclosure
from reporting.groups import group_figures

from .. import pagination, params
from ..access import school_in_scope, schools_in_scope, token_of, trust_in_scope
from ..selectors import marks_page
from ..serializers import (
    BandsPage,
    CaseCountsPage,
    CasesPage,
    FiguresPage,
    GroupsPage,
    SchoolsPage,
)
from ..services.tokens import log_access
from .common import endpoint, page

URN = OpenApiParameter(
    "urn",
    {"type": "string", "pattern": "^[0-9]{6}$"},
    OpenApiParameter.PATH,
    description="the school's URN",
)
RANGE = [URN, params.FROM, params.TO]
GROUP_COLUMNS = tuple(GroupsPage().fields["results"].child.fields)
BAND_COLUMNS = ("band", "label", "pupils", "share")
CASE_COLUMNS = ("upn", "stage", "reason", "opened_on", "next_review", "band")


@endpoint(GET={"ok": SchoolsPage, "errors": (401, 406, 429), "operation_id": "schools"})
def schools(request):
    """The schools this token covers."""
    rows = [
        {
            "urn": s.urn,
            "name": s.name,
            "phase": s.phase,
            "trust": s.trust.name if s.trust_id and s.trust else None,
        }
        for s in schools_in_scope(token_of(request))
    ]
    return page(rows, None, ("urn", "name", "phase", "trust"))


@endpoint(
    GET={
        "ok": FiguresPage,
        "parameters": [*RANGE, params.CURSOR, params.LIMIT],
        "operation_id": "pupil_figures",
    }
)
def pupil_figures(request, urn: str):
    """Each pupil's figures for the range: the `attendance_stats` record (same keys, same
    exact fractions), sorted by UPN. Pupil-level tokens only."""
    school = school_in_scope(request, urn, pupil_level=True)
    start, end = params.date_range(request)
    records = pupil_records(school=school, start=start, end=end)
    rows, next_url = pagination.page_of_list(request, records, lambda r: [r["upn"]])
    upns = {r["upn"] for r in rows}
    ids = [
        pk
        for pk, upn in figures.pupils_on_roll(school=school, start=start, end=end).values_list(
            "pk", "upn"
        )
        if upn in upns
    ]
    _log(request, school, ids)
    return page(rows, next_url, FIGURE_COLUMNS)


MARKS_PARAMETERS = [URN, params.FROM, params.TO, params.CURSOR, params.LIMIT]


def read_marks(request, urn: str):
    """The marks of a range (from=to: one day), in the columns of `import_marks`, by date,
    session and pupil (the GET of views.writes.marks)."""
    school = school_in_scope(request, urn, pupil_level=True)
    start, end = params.date_range(request)
    after = pagination.decode(request.query_params.get("cursor"))
    rows, ids, last = marks_page(
        school=school, start=start, end=end, after=after, limit=pagination.limit_of(request)
    )
    _log(request, school, ids)
    return page(rows, pagination.next_link(request, last), MARK_COLUMNS)


def _groups(request, schools, *, forms: bool):
    token = token_of(request)
    start, end = params.date_range(request)
    exact = token.pupil_level and token.trust_id is None  # a trust's: aggregates only
    result = group_figures(schools=schools, start=start, end=end, withhold=not exact, forms=forms)
    return result


@endpoint(GET={"ok": GroupsPage, "parameters": RANGE, "operation_id": "school_groups"})
def school_groups(request, urn: str):
    """The school's figures as a whole and by group (year, form, pupil premium, FSM, SEND,
    EAL, social worker, looked after, young carer …). Aggregate-only tokens get the
    governors' view: no forms, and `c`/`x` for small numbers (docs/domain.md §10)."""
    school = school_in_scope(request, urn)
    token = token_of(request)
    result = _groups(request, [school], forms=token.pupil_level and token.trust_id is None)
    return page(result.rows, None, GROUP_COLUMNS)


@endpoint(GET={"ok": BandsPage, "parameters": RANGE, "operation_id": "school_bands"})
def school_bands(request, urn: str):
    """Pupils in each band (small numbers withheld for aggregate-only tokens)."""
    school = school_in_scope(request, urn)
    result = _groups(request, [school], forms=False)
    return page(result.bands, None, BAND_COLUMNS)


TRUST_RANGE = [params.FROM, params.TO]


@endpoint(GET={"ok": GroupsPage, "parameters": TRUST_RANGE, "operation_id": "trust_groups"})
def trust_groups(request):
    """The trust's schools as one population, by group (trust tokens only)."""
    trust = trust_in_scope(request)
    schools = list(trust.schools.order_by("urn"))
    if not schools:
        return page([], None, GROUP_COLUMNS)
    result = _groups(request, schools, forms=False)
    return page(result.rows, None, GROUP_COLUMNS)


@endpoint(GET={"ok": BandsPage, "parameters": TRUST_RANGE, "operation_id": "trust_bands"})
def trust_bands(request):
    """Pupils in each band across the trust's schools (trust tokens only)."""
    trust = trust_in_scope(request)
    schools = list(trust.schools.order_by("urn"))
    if not schools:
        return page([], None, BAND_COLUMNS)
    return page(_groups(request, schools, forms=False).bands, None, BAND_COLUMNS)


@endpoint(GET={"ok": CaseCountsPage, "parameters": [URN], "operation_id": "case_counts"})
def case_counts(request, urn: str):
    """Open cases at each stage of the graduated approach. For aggregate-only tokens a
    stage with 1 to 4 cases shows `c` (and others `x` where it could be worked out)."""
    school = school_in_scope(request, urn)
    by_stage = _stage_counts(school)
    counts: dict[str, int | str] = dict(by_stage)
    token = token_of(request)
    if not token.pupil_level or token.trust_id is not None:
        total = sum(by_stage.values())
        if disclosure.is_small(total):
            counts = dict.fromkeys(by_stage, disclosure.SMALL)
        else:
            counts.update(disclosure.counts(by_stage, total))
    labels = dict(Case.Stage.choices)
    rows = [{"stage": s, "label": labels[s], "cases": counts[s]} for s in by_stage]
    return page(rows, None, ("stage", "label", "cases"))


def _stage_counts(school) -> dict[str, int]:
    labels = {label: value for value, label in Case.Stage.choices}
    return {labels[label]: n for label, n in open_cases_by_stage(school=school)}


@endpoint(
    GET={"ok": CasesPage, "parameters": [URN, params.CURSOR, params.LIMIT], "operation_id": "cases"}
)
def cases(request, urn: str):
    """The open cases, one per pupil, sorted by UPN (pupil-level tokens only)."""
    school = school_in_scope(request, urn, pupil_level=True)
    found = caseload(school=school, today=timezone.localdate(), filters={})
    rows = sorted(
        (
            {
                "upn": c.pupil.upn,
                "stage": c.stage,
                "reason": c.reason,
                "opened_on": c.opened_on,
                "next_review": c.next_review,
                "band": c.band,
                "_pupil": c.pupil_id,
            }
            for c in found
        ),
        key=lambda r: r["upn"],
    )
    rows, next_url = pagination.page_of_list(request, rows, lambda r: [r["upn"]])
    _log(request, school, [r.pop("_pupil") for r in rows])
    return page(rows, next_url, CASE_COLUMNS)


def _log(request, school, pupil_ids) -> None:
    log_access(
        token=token_of(request),
        school=school,
        method=request.method,
        endpoint=request.get_full_path(),
        pupil_ids=pupil_ids,
    )
