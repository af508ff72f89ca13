"""Choices of change management (变更管理, R-CHG-01…05): kinds, categories, the lifecycle with
its transition map, risk levels and approval paths, votes, window kinds and conflict kinds."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who manages the change process and its configuration (templates, questionnaire, CABs)
CHANGE_MANAGERS = frozenset({Role.CHANGE_MANAGER.value})
#: who may raise and work on requests for change (any provider staff role that changes things)
CHANGE_WRITERS = frozenset(
    {
        Role.CHANGE_MANAGER.value,
        Role.SERVICE_DESK.value,
        Role.ENGINEER_L1.value,
        Role.ENGINEER_L2.value,
        Role.GROUP_LEADER.value,
        Role.CONFIGURATION_MANAGER.value,
        Role.RELEASE_MANAGER.value,
        Role.PROBLEM_MANAGER.value,
        Role.PROCESS_OWNER.value,
    }
)
#: who may record an approval decision (the service checks the path and the CAB's members)
CHANGE_APPROVERS = frozenset({Role.CHANGE_MANAGER.value, Role.CAB_MEMBER.value})
#: who maintains maintenance and blackout windows
WINDOW_WRITERS = frozenset({Role.CHANGE_MANAGER.value, Role.CONFIGURATION_MANAGER.value})


class ChangeKind(ChoiceSet):
    STANDARD = "standard", _("Standard change")
    NORMAL = "normal", _("Normal change")
    EMERGENCY = "emergency", _("Emergency change")


with_colours(ChangeKind, {"standard": "green", "normal": "blue", "emergency": "red"})


class ChangeCategory(ChoiceSet):
    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")
    NETWORK = "network", _("Network")
    DATABASE = "database", _("Database")
    APPLICATION = "application", _("Application")
    SECURITY = "security", _("Security")
    FACILITY = "facility", _("Facility")
    DOCUMENTATION = "documentation", _("Documentation and agreements")
    OTHER = "other", _("Other")


class ChangeStatus(ChoiceSet):
    DRAFT = "draft", _("Draft")
    ASSESSMENT = "assessment", _("Assessment")
    APPROVAL = "approval", _("Awaiting approval")
    SCHEDULED = "scheduled", _("Scheduled")
    IMPLEMENTING = "implementing", _("Implementing")
    REVIEW = "review", _("Post-implementation review")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


with_colours(
    ChangeStatus,
    {
        "draft": "secondary",
        "assessment": "cyan",
        "approval": "yellow",
        "scheduled": "blue",
        "implementing": "orange",
        "review": "purple",
        "closed": "green",
        "rejected": "red",
        "cancelled": "dark",
        "failed": "red",
    },
)

#: states whose planned window is booked: other changes conflict with it
BOOKED_STATES = (
    ChangeStatus.ASSESSMENT.value,
    ChangeStatus.APPROVAL.value,
    ChangeStatus.SCHEDULED.value,
    ChangeStatus.IMPLEMENTING.value,
)
#: states in which the planned window may still be moved (each move checks the conflicts)
RESCHEDULABLE_STATES = (
    ChangeStatus.DRAFT.value,
    ChangeStatus.ASSESSMENT.value,
    ChangeStatus.APPROVAL.value,
    ChangeStatus.SCHEDULED.value,
)
#: states in which the request's content may be edited
EDITABLE_STATES = (ChangeStatus.DRAFT.value, ChangeStatus.ASSESSMENT.value)
#: final states
FINAL_STATES = (
    ChangeStatus.CLOSED.value,
    ChangeStatus.REJECTED.value,
    ChangeStatus.CANCELLED.value,
    ChangeStatus.FAILED.value,
)

CHANGE_MACHINE = StateMachine(
    field="status",
    initial=ChangeStatus.DRAFT,
    transitions=[
        Transition(
            ChangeStatus.DRAFT,
            ChangeStatus.ASSESSMENT,
            "submit",
            _("Submit for assessment"),
            roles=CHANGE_WRITERS,
            required=("implementation_plan", "backout_plan", "planned_start", "planned_end"),
        ),
        Transition(
            ChangeStatus.DRAFT,
            ChangeStatus.SCHEDULED,
            "schedule_standard",
            _("Schedule (pre-approved standard change)"),
            roles=CHANGE_WRITERS,
            required=("template", "planned_start", "planned_end"),
        ),
        Transition(
            ChangeStatus.ASSESSMENT,
            ChangeStatus.APPROVAL,
            "request_approval",
            _("Request approval"),
            roles=CHANGE_WRITERS,
            required=("risk_level",),
        ),
        Transition(
            (ChangeStatus.ASSESSMENT, ChangeStatus.APPROVAL),
            ChangeStatus.DRAFT,
            "return_to_draft",
            _("Return to draft"),
            roles=CHANGE_WRITERS,
        ),
        Transition(
            ChangeStatus.APPROVAL,
            ChangeStatus.SCHEDULED,
            "approve",
            _("Approve"),
            roles=CHANGE_APPROVERS,
        ),
        Transition(
            ChangeStatus.APPROVAL,
            ChangeStatus.REJECTED,
            "reject",
            _("Reject"),
            roles=CHANGE_APPROVERS,
        ),
        Transition(
            ChangeStatus.SCHEDULED,
            ChangeStatus.IMPLEMENTING,
            "start",
            _("Start implementation"),
            roles=CHANGE_WRITERS,
        ),
        Transition(
            ChangeStatus.IMPLEMENTING,
            ChangeStatus.REVIEW,
            "complete",
            _("Implemented and verified"),
            roles=CHANGE_WRITERS,
        ),
        Transition(
            (ChangeStatus.IMPLEMENTING, ChangeStatus.REVIEW),
            ChangeStatus.FAILED,
            "fail",
            _("Failed"),
            roles=CHANGE_WRITERS,
            required=("outcome_note",),
            confirm=_(
                "The change is recorded as failed and closed; say whether it was rolled back. "
                "It counts against the change success rate."
            ),
        ),
        Transition(
            ChangeStatus.REVIEW,
            ChangeStatus.CLOSED,
            "close",
            _("Close after review"),
            roles=CHANGE_WRITERS,
            required=("review_note",),
        ),
        Transition(
            (
                ChangeStatus.DRAFT,
                ChangeStatus.ASSESSMENT,
                ChangeStatus.APPROVAL,
                ChangeStatus.SCHEDULED,
            ),
            ChangeStatus.CANCELLED,
            "cancel",
            _("Cancel"),
            roles=CHANGE_WRITERS,
            confirm=_("The change is cancelled for good and frees its planned window."),
        ),
    ],
)


class RiskLevel(ChoiceSet):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


with_colours(RiskLevel, {"low": "green", "medium": "yellow", "high": "red"})


class ApprovalPath(ChoiceSet):
    NONE = "none", _("Pre-approved (standard change)")
    CHANGE_MANAGER = "change_manager", _("Change manager")
    CAB = "cab", _("Change advisory board (CAB)")
    EMERGENCY_CAB = "emergency_cab", _("Emergency CAB")


class Vote(ChoiceSet):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    ABSTAIN = "abstain", _("Abstain")


with_colours(Vote, {"approve": "green", "reject": "red", "abstain": "secondary"})


class WindowKind(ChoiceSet):
    MAINTENANCE = "maintenance", _("Maintenance window")
    BLACKOUT = "blackout", _("Blackout (freeze) window")


with_colours(WindowKind, {"maintenance": "green", "blackout": "dark"})


class ConflictKind(ChoiceSet):
    SAME_CI = "same_ci", _("Another change on the same CI")
    NEARBY_CI = "nearby_ci", _("A change on a connected CI")
    OUTSIDE_MAINTENANCE = "outside_maintenance", _("Outside the maintenance window")
    BLACKOUT = "blackout", _("Inside a blackout window")
    IMPLEMENTER_BUSY = "implementer_busy", _("Implementer already scheduled")
    SLA_SERVICE_HOURS = "sla_service_hours", _("During an SLA's service hours")


with_colours(
    ConflictKind,
    {
        "same_ci": "red",
        "nearby_ci": "orange",
        "outside_maintenance": "yellow",
        "blackout": "red",
        "implementer_busy": "orange",
        "sla_service_hours": "yellow",
    },
)


class MeetingStatus(ChoiceSet):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(
    MeetingStatus,
    {"planned": "blue", "held": "orange", "closed": "green", "cancelled": "secondary"},
)

#: states of a meeting in which its agenda may still be edited
AGENDA_EDITABLE_STATES = (MeetingStatus.PLANNED.value,)
#: states of a meeting from whose page decisions are recorded
DECIDING_STATES = (MeetingStatus.PLANNED.value, MeetingStatus.HELD.value)

MEETING_MACHINE = StateMachine(
    field="status",
    initial=MeetingStatus.PLANNED,
    transitions=[
        Transition(
            MeetingStatus.PLANNED,
            MeetingStatus.HELD,
            "hold",
            _("Record as held"),
            roles=CHANGE_MANAGERS,
        ),
        Transition(
            MeetingStatus.HELD,
            MeetingStatus.CLOSED,
            "close",
            _("Close with the minutes"),
            roles=CHANGE_MANAGERS,
            required=("minutes",),
            confirm=_("The minutes are final once the meeting is closed."),
        ),
        Transition(
            MeetingStatus.PLANNED,
            MeetingStatus.CANCELLED,
            "cancel",
            _("Cancel the meeting"),
            roles=CHANGE_MANAGERS,
            confirm=_(
                "The meeting is cancelled for good; the changes on its agenda keep awaiting "
                "approval."
            ),
        ),
    ],
)


class IncidentRelation(ChoiceSet):
    CAUSED = "caused", _("Caused by the change")
    FIXED = "fixed", _("Fixed by the change")


with_colours(IncidentRelation, {"caused": "red", "fixed": "green"})


#: labels of the timeline verbs other than the transitions
VERB_LABELS = {
    "assessed": _("Assessed"),
    "rescheduled": _("Rescheduled"),
    "conflicts_checked": _("Conflicts checked"),
    "decision": _("Approval decision"),
    "agenda_generated": _("Agenda generated"),
    "agenda_changed": _("Agenda changed"),
    "incident_linked": _("Incident linked"),
    "incident_unlinked": _("Incident unlinked"),
    # rows on the timeline of each CI of a change
    "change_started": _("Change started"),
    "change_implemented": _("Change implemented"),
    "change_failed": _("Change failed"),
    "change_rolled_back": _("Change rolled back"),
}
