"""Choices of the service desk (服务台): ticket kinds, states and their declared transitions,
impact × urgency, channels, entry kinds, dispatch modes, escalations, callbacks, calls — and
the completeness rules (R-DSK-04) as data.

Other apps read these through ``itsm.desk.choices`` (constants and the state machine).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Priority, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition


class TicketKind(ChoiceSet):
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Service request")
    CONSULTATION = "consultation", _("Consultation")


with_colours(TicketKind, {"incident": "red", "request": "azure", "consultation": "purple"})

#: the number prefix of each kind (``INC-000123``)
NUMBER_PREFIX = {
    TicketKind.INCIDENT: "INC",
    TicketKind.REQUEST: "REQ",
    TicketKind.CONSULTATION: "CON",
}


class TicketStatus(ChoiceSet):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    PENDING_SUPPLIER = "pending_supplier", _("Pending supplier")
    PENDING_CHANGE = "pending_change", _("Pending change")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(
    TicketStatus,
    {
        "new": "blue",
        "assigned": "cyan",
        "in_progress": "yellow",
        "pending_customer": "orange",
        "pending_supplier": "orange",
        "pending_change": "orange",
        "resolved": "green",
        "closed": "secondary",
        "cancelled": "red",
    },
)

PENDING_STATES = (
    TicketStatus.PENDING_CUSTOMER,
    TicketStatus.PENDING_SUPPLIER,
    TicketStatus.PENDING_CHANGE,
)
#: states in which a ticket is still being worked (the queue's default)
OPEN_STATES = (
    TicketStatus.NEW,
    TicketStatus.ASSIGNED,
    TicketStatus.IN_PROGRESS,
    *PENDING_STATES,
)
DONE_STATES = (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED)
#: which states pause an agreement's clocks when the agreement says nothing (R-INC-01)
DEFAULT_PAUSE_STATES = (TicketStatus.PENDING_CUSTOMER.value,)

#: provider people who work tickets
WORKERS = frozenset(
    {
        Role.SERVICE_DESK.value,
        Role.ENGINEER_L1.value,
        Role.ENGINEER_L2.value,
        Role.GROUP_LEADER.value,
        Role.PROCESS_OWNER.value,
        Role.ADMINISTRATOR.value,
    }
)
#: who configures the desk (categories, matrix, rules, canned responses)
DESK_MANAGERS = frozenset({Role.PROCESS_OWNER.value, Role.GROUP_LEADER.value})
CUSTOMERS = frozenset({Role.CUSTOMER_USER.value, Role.CUSTOMER_CONTACT.value})

_WORKING = (TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)

TICKET_MACHINE = StateMachine(
    field="status",
    initial=TicketStatus.NEW,
    transitions=[
        Transition(
            (TicketStatus.NEW, TicketStatus.ASSIGNED),
            TicketStatus.ASSIGNED,
            "assign",
            _("Assign"),
            roles=WORKERS,
            required=("assignment_group",),
        ),
        Transition(
            (TicketStatus.NEW, TicketStatus.ASSIGNED),
            TicketStatus.IN_PROGRESS,
            "start",
            _("Start work"),
            roles=WORKERS,
            required=("assignment_group",),
        ),
        Transition(
            (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS),
            TicketStatus.NEW,
            "return",
            _("Return to the desk"),
            roles=WORKERS,
        ),
        Transition(
            TicketStatus.IN_PROGRESS,
            TicketStatus.PENDING_CUSTOMER,
            "wait_customer",
            _("Wait for the customer"),
            roles=WORKERS,
        ),
        Transition(
            TicketStatus.IN_PROGRESS,
            TicketStatus.PENDING_SUPPLIER,
            "wait_supplier",
            _("Wait for a supplier"),
            roles=WORKERS,
        ),
        Transition(
            TicketStatus.IN_PROGRESS,
            TicketStatus.PENDING_CHANGE,
            "wait_change",
            _("Wait for a change"),
            roles=WORKERS,
        ),
        Transition(
            PENDING_STATES, TicketStatus.IN_PROGRESS, "resume", _("Resume work"), roles=WORKERS
        ),
        Transition(
            (*_WORKING, *PENDING_STATES),
            TicketStatus.RESOLVED,
            "resolve",
            _("Resolve"),
            roles=WORKERS,
            required=("resolution",),
        ),
        Transition(
            TicketStatus.RESOLVED,
            TicketStatus.CLOSED,
            "close",
            _("Confirm and close"),
            roles=WORKERS | CUSTOMERS,
            confirm=_("A closed ticket cannot be reopened; a new ticket is needed."),
        ),
        Transition(
            TicketStatus.RESOLVED,
            TicketStatus.IN_PROGRESS,
            "reopen",
            _("Reopen"),
            roles=WORKERS | CUSTOMERS,
        ),
        Transition(
            (*_WORKING, *PENDING_STATES),
            TicketStatus.CANCELLED,
            "cancel",
            _("Cancel"),
            roles=WORKERS,
            confirm=_("The ticket is cancelled for good; its clocks stop and it cannot reopen."),
        ),
    ],
)


class Impact(ChoiceSet):
    HIGH = "1", _("1 High")
    MEDIUM = "2", _("2 Medium")
    LOW = "3", _("3 Low")


class Urgency(ChoiceSet):
    HIGH = "1", _("1 High")
    MEDIUM = "2", _("2 Medium")
    LOW = "3", _("3 Low")


with_colours(Impact, {"1": "red", "2": "orange", "3": "blue"})
with_colours(Urgency, {"1": "red", "2": "orange", "3": "blue"})

#: the shipped priority matrix (ITIL's usual 3 × 3); an administrator edits it as data
DEFAULT_PRIORITY_MATRIX = {
    ("1", "1"): Priority.P1,
    ("1", "2"): Priority.P2,
    ("1", "3"): Priority.P3,
    ("2", "1"): Priority.P2,
    ("2", "2"): Priority.P3,
    ("2", "3"): Priority.P4,
    ("3", "1"): Priority.P3,
    ("3", "2"): Priority.P4,
    ("3", "3"): Priority.P4,
}


class Channel(ChoiceSet):
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    CONSOLE = "console", _("Agent console")
    MONITORING = "monitoring", _("Monitoring")


class ResolutionCode(ChoiceSet):
    SOLVED = "solved", _("Solved (permanently)")
    WORKAROUND = "workaround", _("Solved (workaround)")
    FULFILLED = "fulfilled", _("Request fulfilled")
    ANSWERED = "answered", _("Question answered")
    NOT_REPRODUCIBLE = "not_reproducible", _("Not reproducible")
    DUPLICATE = "duplicate", _("Duplicate")
    BY_CUSTOMER = "by_customer", _("Resolved by the customer")


class EntryKind(ChoiceSet):
    REPLY = "reply", _("Reply")
    COMMENT = "comment", _("Customer comment")
    NOTE = "note", _("Work note")
    EMAIL = "email", _("E-mail")
    AUTO_REPLY = "auto_reply", _("Automatic e-mail")
    BOUNCE = "bounce", _("Bounced e-mail")
    UPDATE = "update", _("Major incident update")


with_colours(
    EntryKind,
    {
        "reply": "green",
        "comment": "blue",
        "note": "yellow",
        "email": "azure",
        "auto_reply": "secondary",
        "bounce": "red",
        "update": "purple",
    },
)
#: kinds that are never shown to customers
INTERNAL_ENTRY_KINDS = (EntryKind.NOTE,)


class AssignMode(ChoiceSet):
    GROUP = "group", _("Group only")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class EscalationKind(ChoiceSet):
    FUNCTIONAL = "functional", _("Functional (next line)")
    HIERARCHICAL = "hierarchical", _("Hierarchical (management)")


class EscalationTrigger(ChoiceSet):
    MANUAL = "manual", _("By hand")
    WARNING = "warning", _("SLA warning")
    BREACH = "breach", _("SLA breach")


class CallOutcome(ChoiceSet):
    TICKET = "ticket", _("Ticket logged")
    UPDATED = "updated", _("Existing ticket updated")
    NO_RECORD = "no_record", _("No record needed")
    MISSED = "missed", _("Missed (not answered)")


class CallbackOutcome(ChoiceSet):
    SATISFIED = "satisfied", _("Satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNREACHABLE = "unreachable", _("Could not reach the customer")
    REOPENED = "reopened", _("Problem not solved: reopened")


with_colours(
    CallbackOutcome,
    {"satisfied": "green", "dissatisfied": "red", "unreachable": "secondary", "reopened": "orange"},
)


class SurveyChannel(ChoiceSet):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail link")


class TaskStatus(ChoiceSet):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(TaskStatus, {"open": "blue", "done": "green", "cancelled": "secondary"})

TASK_MACHINE = StateMachine(
    field="status",
    initial=TaskStatus.OPEN,
    transitions=[
        Transition(TaskStatus.OPEN, TaskStatus.DONE, "complete", _("Done"), roles=WORKERS),
        Transition(TaskStatus.OPEN, TaskStatus.CANCELLED, "cancel", _("Cancel"), roles=WORKERS),
        Transition(TaskStatus.DONE, TaskStatus.OPEN, "reopen", _("Reopen"), roles=WORKERS),
    ],
)

# --- completeness (R-DSK-04): the fields a ticket must have in each state, as data -------------
#: fields every ticket needs from creation on
_ALWAYS = ("title", "customer", "channel", "category", "impact", "urgency", "priority")
_WORKED = (*_ALWAYS, "assignment_group")
_DONE = (*_WORKED, "resolution", "resolution_code")
#: per kind, per state: the fields a complete record has filled (incidents also need the
#: affected service; a consultation needs no service)
REQUIRED_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    TicketKind.INCIDENT: {
        TicketStatus.NEW: (*_ALWAYS, "service"),
        **{s: (*_WORKED, "service") for s in (TicketStatus.ASSIGNED, *PENDING_STATES)},
        TicketStatus.IN_PROGRESS: (*_WORKED, "service", "assignee"),
        **{s: (*_DONE, "service", "assignee") for s in DONE_STATES},
    },
    TicketKind.REQUEST: {
        TicketStatus.NEW: (*_ALWAYS, "service"),
        **{s: (*_WORKED, "service") for s in (TicketStatus.ASSIGNED, *PENDING_STATES)},
        TicketStatus.IN_PROGRESS: (*_WORKED, "service", "assignee"),
        **{s: (*_DONE, "service", "assignee") for s in DONE_STATES},
    },
    TicketKind.CONSULTATION: {
        TicketStatus.NEW: _ALWAYS,
        **{s: _WORKED for s in (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, *PENDING_STATES)},
        **{s: _DONE for s in DONE_STATES},
    },
}
# a cancelled ticket needs no resolution code
for _kind in REQUIRED_FIELDS.values():
    _kind[TicketStatus.CANCELLED] = tuple(
        f for f in _kind[TicketStatus.CANCELLED] if f not in ("resolution_code", "assignee")
    )

VERB_LABELS = {
    "dispatched": _("Dispatched"),
    "reassigned": _("Reassigned"),
    "returned": _("Returned to the desk"),
    "escalated": _("Escalated"),
    "replied": _("Replied"),
    "commented": _("Commented"),
    "noted": _("Work note"),
    "mailed": _("E-mail received"),
    "priority_changed": _("Priority changed"),
    "merged": _("Merged"),
    "merged_into": _("Merged into another ticket"),
    "split": _("Split"),
    "split_from": _("Split from another ticket"),
    "major_declared": _("Declared a major incident"),
    "marked_flapping": _("Marked flapping"),
    "major_update": _("Major incident update"),
    "review_recorded": _("Post-incident review recorded"),
    "callback": _("Callback"),
    "rated": _("Rated"),
    "survey_sent": _("Survey sent"),
    "auto_closed": _("Closed automatically"),
    "attachment_added": _("Attachment added"),
    "call_logged": _("Phone call logged"),
    "task_added": _("Task added"),
    "task_done": _("Task done"),
}
