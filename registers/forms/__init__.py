"""The register screens' forms: `marks` (the class register, an amendment, the day and
missing-marks pickers, the pupil search) and `leave` (leave of absence and planned
absences). Views import them from here."""

from .leave import (
    DecisionForm,
    LeaveFilterForm,
    LeaveRequestForm,
    PlannedAbsenceForm,
    PupilChoiceField,
    ReviewForm,
)
from .marks import (
    NO_MARK,
    UNKNOWN,
    AmendMarkForm,
    DayForm,
    MarkLineForm,
    MissingMarksForm,
    PupilSearchForm,
    RegisterForm,
    YearForm,
    code_choices,
    mark_values,
    parse_seen,
    seen_token,
)

__all__ = [
    "NO_MARK",
    "UNKNOWN",
    "AmendMarkForm",
    "DayForm",
    "DecisionForm",
    "LeaveFilterForm",
    "LeaveRequestForm",
    "MarkLineForm",
    "MissingMarksForm",
    "PlannedAbsenceForm",
    "PupilChoiceField",
    "PupilSearchForm",
    "RegisterForm",
    "ReviewForm",
    "YearForm",
    "code_choices",
    "mark_values",
    "parse_seen",
    "seen_token",
]
