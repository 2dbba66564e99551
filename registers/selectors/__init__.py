"""Reads for the register screens, split by screen: the day overview, the class register,
and the pupil pages. Every query starts from `.for_school(school)`."""

from .day import DayOverview, FormDay, RegisterState, SessionStatus, day_overview
from .leave import (
    c2_reviews_due,
    leave_requests,
    planned_absences,
    prefill_labels,
    prior_attendance_of,
)
from .pupils import PupilYear, contacts_of, pupil_list, pupil_year, session_history
from .sheet import RegisterRow, RegisterSheet, register_sheet

__all__ = [
    "DayOverview",
    "FormDay",
    "PupilYear",
    "RegisterRow",
    "RegisterSheet",
    "RegisterState",
    "SessionStatus",
    "c2_reviews_due",
    "contacts_of",
    "day_overview",
    "leave_requests",
    "planned_absences",
    "prefill_labels",
    "prior_attendance_of",
    "pupil_list",
    "pupil_year",
    "register_sheet",
    "session_history",
]
