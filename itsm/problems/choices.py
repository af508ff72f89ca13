"""Choices of problem management (问题管理, R-PRB-01/02): the problem's lifecycle, root cause
analysis methods and cause categories, the known error's lifecycle, proactive detection
(dimensions, proposal states) and who may do what.

Other apps read these through ``itsm.problems.choices`` (constants and the state machines).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who runs problem management: accepts proposals, resolves, closes and cancels problems
PROBLEM_MANAGERS = frozenset({Role.PROBLEM_MANAGER.value, Role.PROCESS_OWNER.value})
#: who may raise and work problems and known errors (the engineers investigating them)
PROBLEM_WRITERS = PROBLEM_MANAGERS | frozenset(
    {
        Role.SERVICE_DESK.value,
        Role.ENGINEER_L1.value,
        Role.ENGINEER_L2.value,
        Role.GROUP_LEADER.value,
        Role.CHANGE_MANAGER.value,
    }
)


class ProblemStatus(ChoiceSet):
    NEW = "new", _("New")
    INVESTIGATING = "investigating", _("Investigating")
    KNOWN_ERROR = "known_error", _("Known error")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(
    ProblemStatus,
    {
        "new": "blue",
        "investigating": "yellow",
        "known_error": "orange",
        "resolved": "green",
        "closed": "secondary",
        "cancelled": "red",
    },
)

#: states of a problem still being worked
OPEN_PROBLEM_STATES = (
    ProblemStatus.NEW,
    ProblemStatus.INVESTIGATING,
    ProblemStatus.KNOWN_ERROR,
)

PROBLEM_MACHINE = StateMachine(
    field="status",
    initial=ProblemStatus.NEW,
    transitions=[
        Transition(
            ProblemStatus.NEW,
            ProblemStatus.INVESTIGATING,
            "investigate",
            _("Start investigation"),
            roles=PROBLEM_WRITERS,
        ),
        Transition(
            (ProblemStatus.NEW, ProblemStatus.INVESTIGATING),
            ProblemStatus.KNOWN_ERROR,
            "known_error",
            _("Record as known error"),
            roles=PROBLEM_WRITERS,
            required=("root_cause", "workaround"),
        ),
        Transition(
            (ProblemStatus.INVESTIGATING, ProblemStatus.KNOWN_ERROR),
            ProblemStatus.RESOLVED,
            "resolve",
            _("Resolve"),
            roles=PROBLEM_MANAGERS,
            required=("root_cause", "fix"),
        ),
        Transition(
            ProblemStatus.RESOLVED,
            ProblemStatus.INVESTIGATING,
            "reopen",
            _("Reopen"),
            roles=PROBLEM_MANAGERS,
        ),
        Transition(
            ProblemStatus.RESOLVED,
            ProblemStatus.CLOSED,
            "close",
            _("Close"),
            roles=PROBLEM_MANAGERS,
            confirm=_("The problem is closed for good; it can no longer be edited or reopened."),
        ),
        Transition(
            OPEN_PROBLEM_STATES,
            ProblemStatus.CANCELLED,
            "cancel",
            _("Cancel"),
            roles=PROBLEM_MANAGERS,
            confirm=_(
                "The problem is cancelled for good; its incidents are released and may be "
                "proposed again by the detection."
            ),
        ),
    ],
)


class RcaMethod(ChoiceSet):
    """Root cause analysis methods (根因分析方法)."""

    FIVE_WHYS = "five_whys", _("5 whys")
    FISHBONE = "fishbone", _("Fishbone (Ishikawa)")
    FAULT_TREE = "fault_tree", _("Fault tree")
    KEPNER_TREGOE = "kepner_tregoe", _("Kepner-Tregoe")
    OTHER = "other", _("Other")


class CauseCategory(ChoiceSet):
    """What kind of cause was found (the problem report counts them)."""

    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software defect")
    CONFIGURATION = "configuration", _("Configuration")
    CAPACITY = "capacity", _("Capacity or performance")
    NETWORK = "network", _("Network")
    CHANGE = "change", _("Change or release")
    SUPPLIER = "supplier", _("Supplier or third party")
    HUMAN = "human", _("Human error")
    PROCESS = "process", _("Process or documentation")
    ENVIRONMENT = "environment", _("Environment (power, cooling)")
    SECURITY = "security", _("Security")
    UNKNOWN = "unknown", _("Unknown")


class ProblemSource(ChoiceSet):
    MANUAL = "manual", _("Raised by hand")
    INCIDENTS = "incidents", _("From incidents")
    PROACTIVE = "proactive", _("Proactive detection")


class KnownErrorStatus(ChoiceSet):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


with_colours(KnownErrorStatus, {"active": "orange", "retired": "secondary"})

KNOWN_ERROR_MACHINE = StateMachine(
    field="status",
    initial=KnownErrorStatus.ACTIVE,
    transitions=[
        Transition(
            KnownErrorStatus.ACTIVE,
            KnownErrorStatus.RETIRED,
            "retire",
            _("Retire"),
            roles=PROBLEM_WRITERS,
        ),
        Transition(
            KnownErrorStatus.RETIRED,
            KnownErrorStatus.ACTIVE,
            "reactivate",
            _("Reactivate"),
            roles=PROBLEM_WRITERS,
        ),
    ],
)


class Dimension(ChoiceSet):
    """What repeat incidents are grouped by in proactive detection."""

    CI = "ci", _("Configuration item")
    SERVICE = "service", _("Service")
    CATEGORY = "category", _("Category")


class ProposalStatus(ChoiceSet):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


with_colours(ProposalStatus, {"proposed": "blue", "accepted": "green", "dismissed": "secondary"})

PROPOSAL_MACHINE = StateMachine(
    field="status",
    initial=ProposalStatus.PROPOSED,
    transitions=[
        Transition(
            ProposalStatus.PROPOSED,
            ProposalStatus.ACCEPTED,
            "accept",
            _("Accept as problem"),
            roles=PROBLEM_MANAGERS,
        ),
        Transition(
            ProposalStatus.PROPOSED,
            ProposalStatus.DISMISSED,
            "dismiss",
            _("Dismiss"),
            roles=PROBLEM_MANAGERS,
        ),
    ],
)

#: labels of the module's own timeline verbs (``core.timeline.register_verb_labels``; the
#: transitions' verbs take their labels from the state machines)
VERB_LABELS = {
    "incidents_linked": _("Incidents linked"),
    "incident_unlinked": _("Incident unlinked"),
    "article_published": _("Published as a knowledge article"),
    "problem_proposed": _("Proposed by detection"),
    "proposal_refreshed": _("Proposal updated"),
    "known_error_recorded": _("Known error recorded"),
}
