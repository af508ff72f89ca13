"""Choices of capacity management (容量管理, R-CAP): a metric's direction and forecast method,
the capacity plan's lifecycle with its transition map, breach levels, the timeline verbs."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who defines metrics, records samples and drafts capacity plans
CAPACITY_WRITERS = frozenset(
    {
        Role.ENGINEER_L2.value,
        Role.CONFIGURATION_MANAGER.value,
        Role.SERVICE_LEVEL_MANAGER.value,
        Role.PROCESS_OWNER.value,
    }
)
#: who approves a capacity plan (the service's owner side)
PLAN_APPROVERS = frozenset({Role.SERVICE_LEVEL_MANAGER.value, Role.PROCESS_OWNER.value})


class Direction(ChoiceSet):
    UP = "up", _("Higher is worse")
    DOWN = "down", _("Lower is worse")


with_colours(Direction, {"up": "orange", "down": "blue"})


class ForecastMethod(ChoiceSet):
    AUTO = "auto", _("Automatic")
    LINEAR = "linear", _("Linear trend (least squares)")
    SEASONAL = "seasonal", _("Seasonal trend (trend plus seasonal indices)")


with_colours(ForecastMethod, {"auto": "secondary", "linear": "blue", "seasonal": "purple"})


class BreachLevel(ChoiceSet):
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


with_colours(BreachLevel, {"warning": "yellow", "critical": "red"})


class PlanStatus(ChoiceSet):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ARCHIVED = "archived", _("Archived")


with_colours(PlanStatus, {"draft": "secondary", "approved": "green", "archived": "dark"})

#: states in which a plan's content may be edited
EDITABLE_STATES = (PlanStatus.DRAFT.value,)

PLAN_MACHINE = StateMachine(
    field="status",
    initial=PlanStatus.DRAFT,
    transitions=[
        Transition(
            PlanStatus.DRAFT,
            PlanStatus.APPROVED,
            "approve",
            _("Approve"),
            roles=PLAN_APPROVERS,
            required=("current_demand", "forecast_demand"),
        ),
        Transition(
            PlanStatus.APPROVED,
            PlanStatus.DRAFT,
            "revise",
            _("Revise"),
            roles=CAPACITY_WRITERS,
        ),
        Transition(
            (PlanStatus.DRAFT, PlanStatus.APPROVED),
            PlanStatus.ARCHIVED,
            "archive",
            _("Archive"),
            roles=CAPACITY_WRITERS,
            confirm=_("The plan is archived for good: it can no longer be edited or approved."),
        ),
    ],
)

#: labels of the timeline verbs other than the transitions
VERB_LABELS = {
    "samples_recorded": _("Samples recorded"),
}
