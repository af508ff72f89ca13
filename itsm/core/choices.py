"""Choices of the core app: organisation kinds and the roles of REQUIREMENTS "Who uses it".

A choices class carries value, translated label and badge colour (``ChoiceSet``); record
kinds add their transition map beside their status choices (see ``core.statemachine``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChoiceSet(models.TextChoices):
    """TextChoices with a badge colour per value (``COLOURS`` maps value → Tabler colour)."""

    @classmethod
    def colour(cls, value: str) -> str:
        return getattr(cls, "_colours", {}).get(value, "secondary")

    @classmethod
    def has(cls, value) -> bool:
        """Whether *value* is one of the values: a dictionary lookup, where ``value in
        cls.values`` builds the list of choices again at each test (a create's checks)."""
        try:
            return value in cls._value2member_map_
        except TypeError:  # unhashable: no choice's value
            return False


def with_colours(choices_cls: type[ChoiceSet], colours: dict[str, str]) -> type[ChoiceSet]:
    """Attach Tabler badge colours to a choices class (enum classes refuse new members)."""
    type.__setattr__(choices_cls, "_colours", dict(colours))
    return choices_cls


class OrganisationKind(ChoiceSet):
    PROVIDER = "provider", _("Service provider")
    CUSTOMER = "customer", _("Customer")
    SUPPLIER = "supplier", _("Supplier")


with_colours(
    OrganisationKind,
    {"provider": "blue", "customer": "green", "supplier": "orange"},
)


class Role(ChoiceSet):
    """Roles a person can hold (several per person). Labels use the seeds' zh-Hans terms."""

    ADMINISTRATOR = "administrator", _("System administrator")
    SERVICE_DESK = "service_desk", _("Service desk agent")
    ENGINEER_L1 = "engineer_l1", _("Line-1 engineer")
    ENGINEER_L2 = "engineer_l2", _("Line-2 engineer")
    GROUP_LEADER = "group_leader", _("Assignment group leader")
    PROCESS_OWNER = "process_owner", _("Process owner")
    SERVICE_LEVEL_MANAGER = "service_level_manager", _("Service level manager")
    AGREEMENT_MAINTAINER = "agreement_maintainer", _("Agreement maintainer")
    CHANGE_MANAGER = "change_manager", _("Change manager")
    CAB_MEMBER = "cab_member", _("CAB member")
    CONFIGURATION_MANAGER = "configuration_manager", _("Configuration manager")
    PROBLEM_MANAGER = "problem_manager", _("Problem manager")
    RELEASE_MANAGER = "release_manager", _("Release manager")
    SECURITY_MANAGER = "security_manager", _("Information security manager")
    QUALITY_MANAGER = "quality_manager", _("Quality manager / internal auditor")
    MANAGEMENT_REPRESENTATIVE = "management_representative", _("Management representative")
    TOP_MANAGEMENT = "top_management", _("Top management")
    CUSTOMER_CONTACT = "customer_contact", _("Customer contact")
    CUSTOMER_USER = "customer_user", _("Customer end user")
    SUPPLIER_CONTACT = "supplier_contact", _("Supplier contact")


# Roles that only make sense for people of a customer or supplier organisation.
CUSTOMER_ROLES = frozenset({Role.CUSTOMER_CONTACT, Role.CUSTOMER_USER})
SUPPLIER_ROLES = frozenset({Role.SUPPLIER_CONTACT})


class Priority(ChoiceSet):
    """Ticket priority shared by every record kind with SLA targets (desk, problems, changes)."""

    P1 = "p1", _("P1 Critical")
    P2 = "p2", _("P2 High")
    P3 = "p3", _("P3 Medium")
    P4 = "p4", _("P4 Low")


with_colours(Priority, {"p1": "red", "p2": "orange", "p3": "yellow", "p4": "blue"})
