"""Choices of service level management: agreement kinds and lifecycle (with its transition
map), target metrics, requirement kinds, review meetings (R-SLM-01…08, R-REQ)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who maintains agreements (administrators always may)
SLM_WRITERS = frozenset(
    {Role.SERVICE_LEVEL_MANAGER.value, Role.AGREEMENT_MAINTAINER.value, Role.PROCESS_OWNER.value}
)
SLM_MANAGERS = frozenset({Role.SERVICE_LEVEL_MANAGER.value})


class AgreementKind(ChoiceSet):
    SLA = "sla", _("Service level agreement (SLA)")
    OLA = "ola", _("Operational level agreement (OLA)")
    UC = "uc", _("Underpinning contract (UC)")


#: number prefix per kind (core.numbering)
AGREEMENT_PREFIXES = {"sla": "SLA", "ola": "OLA", "uc": "UC"}


class AgreementStatus(ChoiceSet):
    DRAFT = "draft", _("Draft")
    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


with_colours(
    AgreementStatus,
    {
        "draft": "secondary",
        "negotiating": "yellow",
        "signed": "blue",
        "active": "green",
        "expired": "dark",
        "terminated": "red",
    },
)

#: states in which the agreement's content changes only with a change reference
SIGNED_STATES = frozenset({AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.EXPIRED})

AGREEMENT_MACHINE = StateMachine(
    field="status",
    initial=AgreementStatus.DRAFT,
    transitions=[
        Transition(
            AgreementStatus.DRAFT,
            AgreementStatus.NEGOTIATING,
            "negotiate",
            _("Start negotiation"),
            roles=SLM_WRITERS,
        ),
        Transition(
            AgreementStatus.NEGOTIATING,
            AgreementStatus.DRAFT,
            "redraft",
            _("Back to draft"),
            roles=SLM_WRITERS,
        ),
        Transition(
            AgreementStatus.NEGOTIATING,
            AgreementStatus.SIGNED,
            "sign",
            _("Sign"),
            roles=SLM_MANAGERS,
            # seed 003 step 5: both parties sign; their signatories are on record
            required=(
                "valid_from",
                "valid_to",
                "calendar",
                "provider_signatory",
                "customer_signatory",
            ),
        ),
        Transition(
            AgreementStatus.SIGNED,
            AgreementStatus.ACTIVE,
            "activate",
            _("Activate"),
            roles=SLM_MANAGERS,
        ),
        Transition(
            AgreementStatus.ACTIVE,
            AgreementStatus.EXPIRED,
            "expire",
            _("Expire"),
            roles=SLM_MANAGERS,
            confirm=_(
                "The agreement ends now, for good: it cannot be activated again and its "
                "configuration item is retired."
            ),
        ),
        Transition(
            (AgreementStatus.SIGNED, AgreementStatus.ACTIVE),
            AgreementStatus.TERMINATED,
            "terminate",
            _("Terminate"),
            roles=SLM_MANAGERS,
            confirm=_(
                "The agreement is ended before its validity runs out, for good: it cannot be "
                "signed or activated again and its configuration item is retired."
            ),
        ),
    ],
)


class TargetMetric(ChoiceSet):
    RESPONSE = "response", _("Response time")
    RESOLUTION = "resolution", _("Resolution time")
    AVAILABILITY = "availability", _("Availability")
    OTHER = "other", _("Other indicator")


#: metrics measured by a clock on each ticket (value in business minutes)
CLOCK_METRICS = frozenset({TargetMetric.RESPONSE, TargetMetric.RESOLUTION})


class TargetIndicator(ChoiceSet):
    """What an "other indicator" target measures: an indicator measured outside the product,
    or the agreement's SLA achievement target (the goal of the KPI ``sla_achievement`` that
    the SLA reports compare achievement with; 100 % when an agreement declares none)."""

    CUSTOM = "custom", _("Indicator measured outside the product")
    SLA_ACHIEVEMENT = "sla_achievement", _("SLA achievement target")


class Frequency(ChoiceSet):
    # a monitoring frequency, not a charging basis (catalogue's "Per ticket"): its own context
    PER_TICKET = "per_ticket", pgettext_lazy("monitoring frequency", "Per ticket")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class RequirementKind(ChoiceSet):
    AVAILABILITY = "availability", _("Availability")
    CONTINUITY = "continuity", _("Continuity")
    CAPACITY = "capacity", _("Capacity")
    PRICE = "price", _("Price")
    REPORTING = "reporting", _("Reporting")
    SECURITY = "security", _("Information security")


class RequirementStatus(ChoiceSet):
    RECORDED = "recorded", _("Recorded")
    REVIEWED = "reviewed", _("Reviewed")
    AGREED = "agreed", _("Agreed")
    REJECTED = "rejected", _("Rejected")


with_colours(
    RequirementStatus,
    {"recorded": "secondary", "reviewed": "blue", "agreed": "green", "rejected": "red"},
)

#: R-REQ: a requirement is reviewed, then agreed or rejected, and an agreed or rejected one
#: stays so (a new need is a new requirement). The machines of requirements, meetings and
#: action items name no roles: whoever may change the record (its policy) may move it
REQUIREMENT_MACHINE = StateMachine(
    field="status",
    initial=RequirementStatus.RECORDED,
    transitions=[
        Transition(
            RequirementStatus.RECORDED,
            RequirementStatus.REVIEWED,
            "review",
            _("Mark as reviewed"),
        ),
        Transition(
            (RequirementStatus.RECORDED, RequirementStatus.REVIEWED),
            RequirementStatus.AGREED,
            "agree",
            _("Agree"),
            confirm=_(
                "The requirement is agreed for good: it can no longer be rejected; a changed "
                "need is recorded as a new requirement."
            ),
        ),
        Transition(
            (RequirementStatus.RECORDED, RequirementStatus.REVIEWED),
            RequirementStatus.REJECTED,
            "reject",
            _("Reject"),
            confirm=_(
                "The requirement is rejected for good: it can no longer be agreed; a changed "
                "need is recorded as a new requirement."
            ),
        ),
    ],
)


class ReviewKind(ChoiceSet):
    """The meetings of seed 003 §5.2."""

    MONTHLY_INTERNAL = "monthly_internal", _("Monthly contract execution review")
    HALF_YEARLY_CUSTOMER = "half_yearly_customer", _("Half-yearly SLA review with the customer")
    ANNUAL = "annual", _("Annual SLA/UC review")


#: the agenda a planned meeting starts with (seed 003 §5.2); stored in the language the
#: schedule was generated in and shown in the reader's (``ReviewMeeting.shown_agenda``)
DEFAULT_AGENDA: dict[str, Promise] = {
    ReviewKind.MONTHLY_INTERNAL: _(
        "Contract execution review\n"
        "1. Service report of last month: service performance against each target\n"
        "2. Delivery capability: resources, workload, breaches and their causes\n"
        "3. Open improvement actions\n"
        "Attendees: service level manager, technical staff"
    ),
    ReviewKind.HALF_YEARLY_CUSTOMER: _(
        "SLA review with the customer\n"
        "1. Service reports of the half-year and the customer's opinion of the service\n"
        "2. Targets missed and their causes\n"
        "3. Service improvement plan\n"
        "Attendees: customer, service level manager, agreement maintainer, business "
        "relationship manager, supplier manager"
    ),
    ReviewKind.ANNUAL: _(
        "Annual SLA/UC review\n"
        "1. Contents and targets of the agreement: are they still what the business needs?\n"
        "2. Underpinning contracts and operational level agreements\n"
        "3. Changes to request (through change management)\n"
        "Attendees: customer, service level manager, agreement maintainer, business "
        "relationship manager"
    ),
}
#: the title of a planned meeting ({month}: YYYY-MM, {year}, {number}: the agreement's number);
#: shown in the reader's language (``ReviewMeeting.shown_title``)
REVIEW_TITLES: dict[str, Promise] = {
    ReviewKind.MONTHLY_INTERNAL: _("Contract execution review {month} {number}"),
    ReviewKind.HALF_YEARLY_CUSTOMER: _("SLA review with the customer {month} {number}"),
    ReviewKind.ANNUAL: _("Annual agreement review {year} {number}"),
}


class ReviewStatus(ChoiceSet):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(ReviewStatus, {"planned": "blue", "held": "green", "cancelled": "secondary"})

REVIEW_MACHINE = StateMachine(
    field="status",
    initial=ReviewStatus.PLANNED,
    transitions=[
        Transition(
            ReviewStatus.PLANNED,
            ReviewStatus.HELD,
            "hold",
            _("Record as held"),
            required=("held_on",),
        ),
        Transition(
            ReviewStatus.PLANNED,
            ReviewStatus.CANCELLED,
            "cancel",
            _("Cancel the meeting"),
            confirm=_("The meeting is cancelled for good: it can no longer be held."),
        ),
    ],
)


class ActionStatus(ChoiceSet):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(ActionStatus, {"open": "yellow", "done": "green", "cancelled": "secondary"})

ACTION_MACHINE = StateMachine(
    field="status",
    initial=ActionStatus.OPEN,
    transitions=[
        Transition(ActionStatus.OPEN, ActionStatus.DONE, "complete", _("Done")),
        Transition(ActionStatus.OPEN, ActionStatus.CANCELLED, "cancel", _("Cancel")),
        Transition(
            (ActionStatus.DONE, ActionStatus.CANCELLED),
            ActionStatus.OPEN,
            "reopen",
            _("Reopen"),
        ),
    ],
)


#: labels of SLM's timeline verbs (``core.timeline.register_verb_labels``)
VERB_LABELS = {
    "target_added": _("Target added"),
    "target_changed": _("Target changed"),
    "target_deleted": _("Target deleted"),
    "planned": _("Planned"),
    "held": _("Meeting held"),
    "reviewed": _("Reviewed"),
    "traced": _("Traced to targets"),
    "action_added": _("Action item added"),
    "action_deleted": _("Action item deleted"),
    "closed": _("Closed"),
}
