"""Choices of management objectives (管理目标, R-OBJ): the plan's lifecycle with its transition
map, the scope an objective is decomposed to, the timeline verbs."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who drafts the annual plan and its objectives, and enters manual actuals
OBJECTIVE_WRITERS = frozenset(
    {
        Role.QUALITY_MANAGER.value,
        Role.MANAGEMENT_REPRESENTATIVE.value,
        Role.PROCESS_OWNER.value,
        Role.SERVICE_LEVEL_MANAGER.value,
    }
)
#: who approves the plan (top management; never the plan's author: four eyes)
PLAN_APPROVERS = frozenset({Role.TOP_MANAGEMENT.value, Role.MANAGEMENT_REPRESENTATIVE.value})


class PlanStatus(ChoiceSet):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ARCHIVED = "archived", _("Archived")


with_colours(PlanStatus, {"draft": "secondary", "approved": "green", "archived": "dark"})

#: states in which a plan and its objectives may be edited
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
            required=("management_policy",),
        ),
        Transition(
            PlanStatus.APPROVED,
            PlanStatus.DRAFT,
            "revise",
            _("Revise"),
            roles=OBJECTIVE_WRITERS | PLAN_APPROVERS,
        ),
        Transition(
            (PlanStatus.DRAFT, PlanStatus.APPROVED),
            PlanStatus.ARCHIVED,
            "archive",
            _("Archive"),
            roles=OBJECTIVE_WRITERS | PLAN_APPROVERS,
            confirm=_("The plan is archived for good: it can no longer be edited or approved."),
        ),
    ],
)


class ObjectiveScope(ChoiceSet):
    """Whom an objective binds (绩效责任书): the provider as a whole, or one department, project
    or customer organisation."""

    PROVIDER = "provider", _("Whole provider")
    DEPARTMENT = "department", _("Department")
    PROJECT = "project", _("Project")
    CUSTOMER = "customer", _("Customer")


with_colours(
    ObjectiveScope,
    {"provider": "blue", "department": "purple", "project": "orange", "customer": "teal"},
)


class ActualSource(ChoiceSet):
    COMPUTED = "computed", _("Computed from records")
    MANUAL = "manual", _("Entered by hand")


with_colours(ActualSource, {"computed": "blue", "manual": "yellow"})

#: labels of the timeline verbs other than the transitions
VERB_LABELS = {
    "objective_added": _("Objective added"),
    "actual_entered": _("Actual entered by hand"),
}
