"""Choices of the CMDB: CI status (with its transition map), criticality, attribute types,
impact directions and audit outcomes."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who may write CMDB records (administrators always may)
CMDB_WRITERS = frozenset({Role.CONFIGURATION_MANAGER.value})


class CIStatus(ChoiceSet):
    PLANNED = "planned", _("Planned")
    IN_USE = "in_use", _("In use")
    MAINTENANCE = "maintenance", _("Under maintenance")
    RETIRED = "retired", _("Retired")


with_colours(
    CIStatus,
    {"planned": "blue", "in_use": "green", "maintenance": "yellow", "retired": "secondary"},
)

CI_MACHINE = StateMachine(
    field="status",
    initial=CIStatus.PLANNED,
    transitions=[
        Transition(CIStatus.PLANNED, CIStatus.IN_USE, "commission", _("Put in use")),
        Transition(CIStatus.IN_USE, CIStatus.MAINTENANCE, "maintain", _("Start maintenance")),
        Transition(CIStatus.MAINTENANCE, CIStatus.IN_USE, "restore", _("End maintenance")),
        Transition(
            (CIStatus.IN_USE, CIStatus.MAINTENANCE),
            CIStatus.RETIRED,
            "retire",
            _("Retire"),
            confirm=_(
                "The configuration item is retired for good: it cannot be put back in use or "
                "maintenance. Its relations and history are kept."
            ),
        ),
        Transition(
            CIStatus.PLANNED,
            CIStatus.RETIRED,
            "cancel",
            _("Retire without putting in use"),
            confirm=_(
                "The planned configuration item is retired without ever being put in use: it "
                "cannot be put in use later. Its relations and history are kept."
            ),
        ),
    ],
)


class Criticality(ChoiceSet):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


with_colours(
    Criticality, {"low": "secondary", "medium": "blue", "high": "orange", "critical": "red"}
)


class AttributeType(ChoiceSet):
    STRING = "string", _("Text (one line)")
    TEXT = "text", _("Text (several lines)")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal number")
    BOOLEAN = "boolean", _("Yes / no")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice from a list")
    IP_ADDRESS = "ip", _("IP address")
    URL = "url", _("URL")


class ImpactDirection(ChoiceSet):
    #: what the CI depends on (follow relations from source to target)
    DEPENDENCIES = "dependencies", _("What it depends on")
    #: what depends on the CI, i.e. what its failure impacts (follow relations backwards)
    DEPENDENTS = "dependents", _("What depends on it (impacted)")


class AuditStatus(ChoiceSet):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


with_colours(AuditStatus, {"open": "yellow", "closed": "green"})

#: an audit closes by itself when its last difference is decided, or by hand (differences
#: still pending then stay undecided); a closed audit is never reopened
AUDIT_MACHINE = StateMachine(
    field="status",
    initial=AuditStatus.OPEN,
    transitions=[
        Transition(
            AuditStatus.OPEN,
            AuditStatus.CLOSED,
            "close",
            _("Close audit"),
            confirm=_(
                "The audit is closed for good: differences still pending stay undecided and "
                "can no longer be accepted or rejected."
            ),
        ),
    ],
)


class DifferenceKind(ChoiceSet):
    MISSING = "missing", _("Missing (in CMDB, not discovered)")
    UNEXPECTED = "unexpected", _("Unexpected (discovered, not in CMDB)")
    DRIFTED = "drifted", _("Drifted (attribute differs)")


with_colours(DifferenceKind, {"missing": "red", "unexpected": "orange", "drifted": "yellow"})


class DifferenceDecision(ChoiceSet):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


with_colours(DifferenceDecision, {"pending": "secondary", "accepted": "green", "rejected": "red"})

#: labels of the CMDB's timeline verbs (``core.timeline.register_verb_labels``)
VERB_LABELS = {
    "relation_added": _("Relation added"),
    "relation_removed": _("Relation removed"),
    "attribute_added": _("Attribute added"),
    "attribute_removed": _("Attribute removed"),
    "difference_accepted": _("Difference accepted"),
    "difference_rejected": _("Difference rejected"),
    "closed": _("Closed"),
}


#: labels of the built-in classes' choice values that are words or codes; other values
#: (product names such as nginx, or values an administrator adds) are shown as they are
ATTRIBUTE_CHOICE_LABELS = {
    "sla": _("Service level agreement (SLA)"),
    "ola": _("Operational level agreement (OLA)"),
    "uc": _("Underpinning contract (UC)"),
    "other": _("Other"),
}


def attribute_choice_label(value) -> str:
    """The translated label of a choice attribute's *value* (the value itself if none)."""
    label = ATTRIBUTE_CHOICE_LABELS.get(value) if isinstance(value, str) else None
    return str(label) if label is not None else str(value)
