"""Models of the service desk (服务台): tickets and what happens on them."""

from itsm.desk.models.config import (
    CannedResponse,
    Category,
    ClockPolicy,
    GroupSettings,
    PriorityRule,
)
from itsm.desk.models.contact import Call, Callback, IncidentReview, Survey
from itsm.desk.models.dispatch import AgentPresence, DispatchRule
from itsm.desk.models.imported import ImportedFacts
from itsm.desk.models.tickets import TICKET_INTERNAL_FIELDS, Ticket
from itsm.desk.models.work import (
    Assignment,
    Attachment,
    EditLock,
    Escalation,
    Task,
    TicketEntry,
    TicketMessage,
)

__all__ = [
    "TICKET_INTERNAL_FIELDS",
    "AgentPresence",
    "Assignment",
    "Attachment",
    "Call",
    "Callback",
    "CannedResponse",
    "Category",
    "ClockPolicy",
    "DispatchRule",
    "EditLock",
    "Escalation",
    "GroupSettings",
    "ImportedFacts",
    "IncidentReview",
    "PriorityRule",
    "Survey",
    "Task",
    "Ticket",
    "TicketEntry",
    "TicketMessage",
]
