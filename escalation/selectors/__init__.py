"""Reads for the escalation screens, split by screen: the caseload, a case page, the
officer's daily lists and the letters. Every query starts from `.for_school(school)`;
the views add what only a page needs (badges, band colours, links)."""

from .caseload import SORTS, caseload, caseload_totals, open_cases_by_stage
from .cases import (
    PupilFigures,
    cases_of,
    figure_history,
    find_case,
    open_case_of,
    parent_names,
    pupil_figures,
)
from .letters import find_batch, find_letter, letter_log, recent_batches
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
    "SORTS",
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
    "find_batch",
    "find_case",
    "find_letter",
    "fpn_pupils",
    "letter_log",
    "open_case_of",
    "open_cases_by_stage",
    "open_cases_of",
    "parent_names",
    "pupil_figures",
    "recent_batches",
    "resolved_calls",
    "to_call_count",
    "year_groups_of",
]
