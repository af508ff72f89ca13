"""Choices of the service catalogue: lifecycle (with its transition map), service modes and
charging bases (R-CAT-01…04)."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who maintains the catalogue (administrators always may)
CATALOG_WRITERS = frozenset(
    {Role.SERVICE_LEVEL_MANAGER.value, Role.AGREEMENT_MAINTAINER.value, Role.PROCESS_OWNER.value}
)
#: who may approve a service for publication
CATALOG_APPROVERS = frozenset({Role.SERVICE_LEVEL_MANAGER.value})


class ServiceStatus(ChoiceSet):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


with_colours(
    ServiceStatus,
    {"draft": "secondary", "in_review": "yellow", "published": "green", "retired": "dark"},
)

SERVICE_MACHINE = StateMachine(
    field="status",
    initial=ServiceStatus.DRAFT,
    transitions=[
        Transition(
            ServiceStatus.DRAFT,
            ServiceStatus.IN_REVIEW,
            "submit",
            _("Submit for review"),
            roles=CATALOG_WRITERS,
        ),
        Transition(
            ServiceStatus.IN_REVIEW,
            ServiceStatus.DRAFT,
            "reject",
            _("Return to draft"),
            roles=CATALOG_APPROVERS,
        ),
        Transition(
            ServiceStatus.IN_REVIEW,
            ServiceStatus.PUBLISHED,
            "publish",
            _("Publish"),
            roles=CATALOG_APPROVERS,
        ),
        Transition(
            ServiceStatus.PUBLISHED,
            ServiceStatus.RETIRED,
            "retire",
            _("Retire"),
            roles=CATALOG_APPROVERS,
            confirm=_(
                "The service is withdrawn from the catalogue for good: customers no longer see "
                "it in the portal, it cannot be edited or published again."
            ),
        ),
    ],
)


class ServiceMode(ChoiceSet):
    """服务模式 (R-CAT-04)."""

    REMOTE = "remote", _("Remote support")
    ON_SITE = "on_site", _("On-site visit")
    RESIDENT = "resident", _("Resident on-site")
    MONITORING = "monitoring", _("Centralised monitoring")


class ChargingBasis(ChoiceSet):
    INCLUDED = "included", _("Included in the contract")
    FIXED = "fixed", _("Fixed fee per period")
    PER_TICKET = "per_ticket", _("Per ticket")
    PER_HOUR = "per_hour", _("Per hour of work")
    PER_DEVICE = "per_device", _("Per device per period")


#: labels of the catalogue's timeline verbs (``core.timeline.register_verb_labels``)
VERB_LABELS = {
    "item_added": _("Service item added"),
    "item_changed": _("Service item changed"),
    "item_removed": _("Service item removed"),
}
