from .absence import AbsenceReport
from .messages import FamilyPolicy, Message, MessageTemplate

__all__ = ["AbsenceReport", "FamilyPolicy", "Message", "MessageTemplate"]
