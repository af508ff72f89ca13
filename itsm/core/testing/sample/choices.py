"""Status choices and the declared transition map of ``SampleTicket`` (DESIGN rule 2)."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import ANY_STATE, StateMachine, Transition


class SampleStatus(ChoiceSet):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(
    SampleStatus,
    {
        "new": "blue",
        "in_progress": "yellow",
        "resolved": "green",
        "closed": "secondary",
        "cancelled": "red",
    },
)

ENGINEERS = frozenset({Role.ENGINEER_L1.value, Role.ENGINEER_L2.value, Role.SERVICE_DESK.value})

SAMPLE_MACHINE = StateMachine(
    field="status",
    initial=SampleStatus.NEW,
    transitions=[
        Transition(
            SampleStatus.NEW, SampleStatus.IN_PROGRESS, "start", _("Start"), roles=ENGINEERS
        ),
        Transition(
            SampleStatus.IN_PROGRESS,
            SampleStatus.RESOLVED,
            "resolve",
            _("Resolve"),
            roles=ENGINEERS,
            required=("resolution",),
        ),
        Transition(SampleStatus.RESOLVED, SampleStatus.IN_PROGRESS, "reopen", _("Reopen")),
        Transition(SampleStatus.RESOLVED, SampleStatus.CLOSED, "close", _("Close")),
        Transition(
            ANY_STATE,
            SampleStatus.CANCELLED,
            "cancel",
            _("Cancel"),
            roles=frozenset({Role.ADMINISTRATOR.value}),
            confirm=_("The ticket is cancelled for good; it cannot be reopened."),
        ),
    ],
)

#: roles that may create and change sample tickets (customers may, for their own tickets)
WRITERS = ENGINEERS | {Role.CUSTOMER_USER.value, Role.CUSTOMER_CONTACT.value}
