"""Choices of release management (发布管理, R-REL): kinds, the lifecycle with its transition
map, the shorter emergency path (declared per kind), test results and go/no-go decisions."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who plans, tests and deploys releases
RELEASE_WRITERS = frozenset(
    {
        Role.RELEASE_MANAGER.value,
        Role.CHANGE_MANAGER.value,
        Role.ENGINEER_L2.value,
        Role.CONFIGURATION_MANAGER.value,
    }
)
#: who records the go/no-go decision
RELEASE_DECIDERS = frozenset({Role.RELEASE_MANAGER.value, Role.CHANGE_MANAGER.value})


class ReleaseKind(ChoiceSet):
    MAJOR = "major", _("Major release")
    MINOR = "minor", _("Minor release")
    EMERGENCY = "emergency", _("Emergency release")


with_colours(ReleaseKind, {"major": "purple", "minor": "blue", "emergency": "red"})


class ReleaseStatus(ChoiceSet):
    PLANNING = "planning", _("Planning")
    TESTING = "testing", _("Testing")
    DECISION = "decision", _("Awaiting go/no-go")
    READY = "ready", _("Go: ready to deploy")
    DEPLOYING = "deploying", _("Deploying")
    DEPLOYED = "deployed", _("Deployed")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(
    ReleaseStatus,
    {
        "planning": "secondary",
        "testing": "cyan",
        "decision": "yellow",
        "ready": "blue",
        "deploying": "orange",
        "deployed": "green",
        "rolled_back": "red",
        "cancelled": "dark",
    },
)

#: final states: the release counts in the success rate when deployed or rolled back
FINISHED_STATES = (ReleaseStatus.DEPLOYED.value, ReleaseStatus.ROLLED_BACK.value)
FINAL_STATES = (*FINISHED_STATES, ReleaseStatus.CANCELLED.value)
#: states in which the plan (content, bundled changes, CI versions) may be edited
EDITABLE_STATES = (ReleaseStatus.PLANNING.value, ReleaseStatus.TESTING.value)
#: states in which test records may be added
TESTABLE_STATES = (
    ReleaseStatus.PLANNING.value,
    ReleaseStatus.TESTING.value,
    ReleaseStatus.DECISION.value,
    ReleaseStatus.READY.value,
)

RELEASE_MACHINE = StateMachine(
    field="status",
    initial=ReleaseStatus.PLANNING,
    transitions=[
        Transition(
            ReleaseStatus.PLANNING,
            ReleaseStatus.TESTING,
            "start_testing",
            _("Start testing"),
            roles=RELEASE_WRITERS,
            required=("planned_at", "deployment_plan", "rollback_plan"),
        ),
        Transition(
            ReleaseStatus.TESTING,
            ReleaseStatus.DECISION,
            "request_decision",
            _("Request go/no-go"),
            roles=RELEASE_WRITERS,
        ),
        Transition(
            ReleaseStatus.DECISION,
            ReleaseStatus.READY,
            "go",
            _("Go"),
            roles=RELEASE_DECIDERS,
        ),
        Transition(
            ReleaseStatus.DECISION,
            ReleaseStatus.PLANNING,
            "no_go",
            _("No-go"),
            roles=RELEASE_DECIDERS,
        ),
        Transition(
            ReleaseStatus.PLANNING,
            ReleaseStatus.READY,
            "emergency_go",
            _("Emergency go"),
            roles=RELEASE_DECIDERS,
            required=("deployment_plan", "rollback_plan"),
        ),
        Transition(
            ReleaseStatus.READY,
            ReleaseStatus.DEPLOYING,
            "deploy",
            _("Start deployment"),
            roles=RELEASE_WRITERS,
        ),
        Transition(
            ReleaseStatus.DEPLOYING,
            ReleaseStatus.DEPLOYED,
            "succeed",
            _("Deployed successfully"),
            roles=RELEASE_WRITERS,
            confirm=_(
                "The release is recorded as deployed: its changes are implemented, the CI "
                "versions are written to the CMDB and each CI's history shows the release."
            ),
        ),
        Transition(
            ReleaseStatus.DEPLOYING,
            ReleaseStatus.ROLLED_BACK,
            "roll_back",
            _("Roll back"),
            roles=RELEASE_WRITERS,
            required=("outcome_note",),
            confirm=_(
                "The release is recorded as rolled back: its changes fail as rolled back and it "
                "counts against the release success rate."
            ),
        ),
        Transition(
            (
                ReleaseStatus.PLANNING,
                ReleaseStatus.TESTING,
                ReleaseStatus.DECISION,
                ReleaseStatus.READY,
            ),
            ReleaseStatus.CANCELLED,
            "cancel",
            _("Cancel"),
            roles=RELEASE_WRITERS,
            confirm=_("The release is cancelled for good; its changes stay as they are."),
        ),
    ],
)

#: the steps each kind of release takes (the emergency path skips the test stage and the
#: separate decision stage: its go is recorded straight from planning, tests may follow)
_ALL_STEPS = frozenset(t.name for t in RELEASE_MACHINE.transitions)
KIND_STEPS: dict[str, frozenset[str]] = {
    ReleaseKind.MAJOR.value: _ALL_STEPS - {"emergency_go"},
    ReleaseKind.MINOR.value: _ALL_STEPS - {"emergency_go"},
    ReleaseKind.EMERGENCY.value: frozenset(
        {"emergency_go", "deploy", "succeed", "roll_back", "cancel"}
    ),
}
#: the steps recorded through the go/no-go decision form (with its comment)
DECISION_STEPS = frozenset({"go", "no_go", "emergency_go"})


class TestResult(ChoiceSet):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


with_colours(TestResult, {"passed": "green", "failed": "red"})


class Decision(ChoiceSet):
    GO = "go", _("Go")
    NO_GO = "no_go", _("No-go")


with_colours(Decision, {"go": "green", "no_go": "red"})

#: labels of the timeline verbs other than the transitions
VERB_LABELS = {
    "tested": _("Test recorded"),
    "decided": _("Go/no-go decision"),
    # rows on the timeline of each CI of a release's changes
    "release_deployed": _("Release deployed"),
    "release_rolled_back": _("Release rolled back"),
}
