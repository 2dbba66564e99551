from .absence import AbsenceReport
from .messages import FamilyPolicy, Message, MessageTemplate
from .optout import OptOutChange

__all__ = ["AbsenceReport", "FamilyPolicy", "Message", "MessageTemplate", "OptOutChange"]
