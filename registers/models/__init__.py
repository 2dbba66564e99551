"""The registers app holds the school's data: who the pupils are, when school is open,
and the marks. Split by subdomain so each module stays small."""

from .calendar import AcademicYear, Closure, HalfTerm, SchoolDay
from .calls import CallAttempt
from .cover import CoverGrant
from .figures import WeekCount
from .leave import LeaveRequest, PlannedAbsence
from .marks import AttendanceCode, Mark, MarkAmendment, Register
from .movements import SiteMovement
from .photos import PupilPhoto
from .privacy import RetentionPurge
from .pupils import Contact, Form, Pupil
from .reminders import RegisterReminder
from .schools import Membership, School, Trust
from .transfer import PriorAttendance

__all__ = [
    "AcademicYear",
    "AttendanceCode",
    "CallAttempt",
    "Closure",
    "Contact",
    "CoverGrant",
    "Form",
    "HalfTerm",
    "LeaveRequest",
    "Mark",
    "MarkAmendment",
    "Membership",
    "PlannedAbsence",
    "PriorAttendance",
    "Pupil",
    "PupilPhoto",
    "Register",
    "RegisterReminder",
    "RetentionPurge",
    "School",
    "SchoolDay",
    "SiteMovement",
    "Trust",
    "WeekCount",
]
