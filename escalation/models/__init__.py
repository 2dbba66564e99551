"""Escalation: stored nightly figures, cases with their timeline, the formal steps, and
the sweep's bookkeeping. Split by subdomain so each module stays small."""

from .cases import Case, EscalationEvent
from .figures import PupilFigure
from .interventions import AttendanceContract, NoticeToImprove, PenaltyNoticeReferral
from .letters import Letter, LetterBatch, LetterKind, LetterTemplate
from .sweeps import SweepRun

__all__ = [
    "AttendanceContract",
    "Case",
    "EscalationEvent",
    "Letter",
    "LetterBatch",
    "LetterKind",
    "LetterTemplate",
    "NoticeToImprove",
    "PenaltyNoticeReferral",
    "PupilFigure",
    "SweepRun",
]
