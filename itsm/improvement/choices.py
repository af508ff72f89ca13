"""Choices of the improvement register (服务改进, R-CSI-03): where an item comes from and its
PDCA lifecycle as a declared state machine (Plan: proposed → planned → approved; Do:
implementing; Check: verifying; Act: closed)."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who raises, plans, implements and verifies improvement items
IMPROVEMENT_WRITERS = frozenset(
    {
        Role.PROCESS_OWNER.value,
        Role.SERVICE_LEVEL_MANAGER.value,
        Role.QUALITY_MANAGER.value,
        Role.MANAGEMENT_REPRESENTATIVE.value,
        Role.PROBLEM_MANAGER.value,
        Role.CHANGE_MANAGER.value,
        Role.GROUP_LEADER.value,
    }
)
#: who approves or rejects a planned item (never their own: four eyes in the service)
IMPROVEMENT_APPROVERS = frozenset(
    {
        Role.PROCESS_OWNER.value,
        Role.QUALITY_MANAGER.value,
        Role.MANAGEMENT_REPRESENTATIVE.value,
        Role.TOP_MANAGEMENT.value,
    }
)


class ItemSource(ChoiceSet):
    AUDIT = "audit", _("Audit finding")
    KPI_MISS = "kpi_miss", _("KPI target missed")
    REVIEW_ACTION = "review_action", _("Service review action")
    COMPLAINT = "complaint", _("Complaint")
    INCIDENT = "incident", _("Incident")
    AD_HOC = "ad_hoc", _("Ad hoc suggestion")


with_colours(
    ItemSource,
    {
        "audit": "purple",
        "kpi_miss": "red",
        "review_action": "blue",
        "complaint": "orange",
        "incident": "yellow",
        "ad_hoc": "secondary",
    },
)


class ItemStatus(ChoiceSet):
    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved")
    IMPLEMENTING = "implementing", _("Implementing")
    VERIFYING = "verifying", _("Verifying effect")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(
    ItemStatus,
    {
        "proposed": "secondary",
        "planned": "cyan",
        "approved": "blue",
        "implementing": "orange",
        "verifying": "yellow",
        "closed": "green",
        "rejected": "red",
        "cancelled": "dark",
    },
)


class Phase(ChoiceSet):
    """The PDCA phase of each status (shown beside the status)."""

    PLAN = "plan", _("Plan")
    DO = "do", _("Do")
    CHECK = "check", _("Check")
    ACT = "act", _("Act")


with_colours(Phase, {"plan": "cyan", "do": "orange", "check": "yellow", "act": "green"})

PHASE_OF = {
    ItemStatus.PROPOSED.value: Phase.PLAN,
    ItemStatus.PLANNED.value: Phase.PLAN,
    ItemStatus.APPROVED.value: Phase.PLAN,
    ItemStatus.IMPLEMENTING.value: Phase.DO,
    ItemStatus.VERIFYING.value: Phase.CHECK,
    ItemStatus.CLOSED.value: Phase.ACT,
}

FINAL_STATES = (ItemStatus.CLOSED.value, ItemStatus.REJECTED.value, ItemStatus.CANCELLED.value)
OPEN_STATES = tuple(s for s in ItemStatus.values if s not in FINAL_STATES)
#: states in which the plan (goal, owner, plan, change, KPI, due date) may be edited
EDITABLE_STATES = (ItemStatus.PROPOSED.value, ItemStatus.PLANNED.value)

ITEM_MACHINE = StateMachine(
    field="status",
    initial=ItemStatus.PROPOSED,
    transitions=[
        Transition(
            ItemStatus.PROPOSED,
            ItemStatus.PLANNED,
            "plan",
            _("Plan"),
            roles=IMPROVEMENT_WRITERS,
            required=("goal", "owner", "plan", "due_date"),
        ),
        Transition(
            ItemStatus.PLANNED,
            ItemStatus.PROPOSED,
            "replan",
            _("Back to proposed"),
            roles=IMPROVEMENT_WRITERS,
        ),
        Transition(
            ItemStatus.PLANNED,
            ItemStatus.APPROVED,
            "approve",
            _("Approve"),
            roles=IMPROVEMENT_APPROVERS,
            required=("goal", "owner", "plan", "due_date"),
        ),
        Transition(
            (ItemStatus.PROPOSED, ItemStatus.PLANNED),
            ItemStatus.REJECTED,
            "reject",
            _("Reject"),
            roles=IMPROVEMENT_APPROVERS,
            confirm=_("The item is rejected for good and leaves the open register."),
        ),
        Transition(
            ItemStatus.APPROVED,
            ItemStatus.IMPLEMENTING,
            "start",
            _("Start implementation"),
            roles=IMPROVEMENT_WRITERS,
        ),
        Transition(
            ItemStatus.IMPLEMENTING,
            ItemStatus.VERIFYING,
            "implemented",
            _("Implemented: verify the effect"),
            roles=IMPROVEMENT_WRITERS,
            required=("implementation_notes",),
        ),
        Transition(
            ItemStatus.VERIFYING,
            ItemStatus.IMPLEMENTING,
            "rework",
            _("Not effective: rework"),
            roles=IMPROVEMENT_WRITERS,
        ),
        Transition(
            ItemStatus.VERIFYING,
            ItemStatus.CLOSED,
            "close",
            _("Close"),
            roles=IMPROVEMENT_WRITERS,
            required=("effect_note", "verified_at"),
            confirm=_("The item is closed with its verified effect; it can no longer be changed."),
        ),
        Transition(
            (
                ItemStatus.PROPOSED,
                ItemStatus.PLANNED,
                ItemStatus.APPROVED,
                ItemStatus.IMPLEMENTING,
            ),
            ItemStatus.CANCELLED,
            "cancel",
            _("Cancel"),
            roles=IMPROVEMENT_WRITERS,
            confirm=_("The item is cancelled for good; nothing further is done on it."),
        ),
    ],
)

#: labels of the timeline verbs other than the transitions
VERB_LABELS = {
    "raised": _("Raised"),
    "effect_measured": _("Effect measured"),
    "effect_recorded": _("Effect recorded"),
}
