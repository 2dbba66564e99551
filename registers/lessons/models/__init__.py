from .alerts import AlertEvent, PastoralLead, PastoralLeadEvent, TruancyAlert
from .registers import LessonMark, LessonRegister, LessonReminder
from .timetable import ClassMember, Lesson, Period, TeachingClass, Timetable

__all__ = [
    "AlertEvent",
    "ClassMember",
    "Lesson",
    "LessonMark",
    "LessonRegister",
    "LessonReminder",
    "PastoralLead",
    "PastoralLeadEvent",
    "Period",
    "TeachingClass",
    "Timetable",
    "TruancyAlert",
]
