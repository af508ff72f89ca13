"""Choices of availability management (可用性管理, R-AVC-01): the kind and the source of an
outage, who records outages, the timeline verbs."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours

#: who records, edits and deletes outages (staff of the provider)
OUTAGE_WRITERS = frozenset(
    {
        Role.ADMINISTRATOR.value,
        Role.SERVICE_DESK.value,
        Role.ENGINEER_L2.value,
        Role.GROUP_LEADER.value,
        Role.PROCESS_OWNER.value,
        Role.SERVICE_LEVEL_MANAGER.value,
        Role.CHANGE_MANAGER.value,
        Role.PROBLEM_MANAGER.value,
    }
)


class OutageKind(ChoiceSet):
    UNPLANNED = "unplanned", _("Unplanned outage")
    PLANNED = "planned", _("Planned interruption")


with_colours(OutageKind, {"unplanned": "red", "planned": "blue"})


class OutageSource(ChoiceSet):
    INCIDENT = "incident", _("Incident")
    ALERT = "alert", _("Monitoring alert")
    CHANGE = "change", _("Change")
    MANUAL = "manual", _("Entered by hand")


with_colours(
    OutageSource,
    {"incident": "orange", "alert": "purple", "change": "azure", "manual": "secondary"},
)

#: incident priorities that make an incident with a service an outage (besides major incidents)
OUTAGE_PRIORITIES = ("p1", "p2")

#: labels of the timeline verbs
VERB_LABELS = {
    "closed": _("Outage ended"),
    "reopened": _("Outage reopened"),
    "synced": _("Updated from its incident or change"),
}
