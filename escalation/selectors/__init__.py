"""Reads for the escalation screens, split by screen: the caseload, a case page and the
officer's daily lists. Every query starts from `.for_school(school)`; the views add what
only a page needs (badges, band colours, links)."""

from .caseload import caseload, caseload_totals, open_cases_by_stage
from .cases import (
    PupilFigures,
    cases_of,
    figure_history,
    find_case,
    open_case_of,
    parent_names,
    pupil_figures,
)
from .lists import (
    CallingPupil,
    ConcernPupil,
    DayStatus,
    FpnPupil,
    calling_pupils,
    concern_pupils,
    day_status,
    fpn_pupils,
    open_cases_of,
    resolved_calls,
    to_call_count,
    year_groups_of,
)

__all__ = [
    "CallingPupil",
    "ConcernPupil",
    "DayStatus",
    "FpnPupil",
    "PupilFigures",
    "calling_pupils",
    "caseload",
    "caseload_totals",
    "cases_of",
    "concern_pupils",
    "day_status",
    "figure_history",
    "find_case",
    "fpn_pupils",
    "open_case_of",
    "open_cases_by_stage",
    "open_cases_of",
    "parent_names",
    "pupil_figures",
    "resolved_calls",
    "to_call_count",
    "year_groups_of",
]
