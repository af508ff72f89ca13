"""Choices of event management (集中监控, R-EVT): source kinds and authentication, alert
states with their machine, rule actions, severities, monitoring point categories."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Priority, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who configures alert sources, rules and monitoring points
EVENT_MANAGERS = frozenset(
    {
        Role.ADMINISTRATOR.value,
        Role.PROCESS_OWNER.value,
        Role.GROUP_LEADER.value,
        Role.ENGINEER_L2.value,
        Role.CONFIGURATION_MANAGER.value,
    }
)


class SourceKind(ChoiceSet):
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    ZABBIX = "zabbix", _("Zabbix")
    GENERIC = "generic", _("Generic JSON")


with_colours(SourceKind, {"alertmanager": "orange", "zabbix": "red", "generic": "blue"})


class AuthMethod(ChoiceSet):
    BEARER = "bearer", _("Bearer token")
    HMAC = "hmac", _("HMAC-SHA256 signature")


with_colours(AuthMethod, {"bearer": "azure", "hmac": "purple"})


class AlertStatus(ChoiceSet):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")


with_colours(AlertStatus, {"firing": "red", "resolved": "green"})

#: an alert is stored firing and moves to resolved when its recovery arrives; the monitoring
#: system decides, nobody else (a new firing after a recovery is a new alert: new start time)
ALERT_MACHINE = StateMachine(
    field="status",
    initial=AlertStatus.FIRING,
    transitions=[
        Transition(AlertStatus.FIRING, AlertStatus.RESOLVED, "resolve", _("Recovered")),
    ],
)


class Severity(ChoiceSet):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Information")


with_colours(Severity, {"critical": "red", "major": "orange", "warning": "yellow", "info": "blue"})

#: severity names of the monitoring systems mapped to ours (Zabbix's and the usual labels)
SEVERITY_ALIASES = {
    "disaster": Severity.CRITICAL,
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "high": Severity.MAJOR,
    "major": Severity.MAJOR,
    "error": Severity.MAJOR,
    "average": Severity.WARNING,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "minor": Severity.WARNING,
    "information": Severity.INFO,
    "info": Severity.INFO,
    "not classified": Severity.INFO,
    "none": Severity.INFO,
}

#: the default severity → priority map of a rule
DEFAULT_PRIORITY_MAP = {
    Severity.CRITICAL.value: Priority.P1.value,
    Severity.MAJOR.value: Priority.P2.value,
    Severity.WARNING.value: Priority.P3.value,
    Severity.INFO.value: Priority.P4.value,
}


class RuleAction(ChoiceSet):
    OPEN_INCIDENT = "open_incident", _("Open an incident")
    ADD_TO_OPEN = "add_to_open", _("Add to the open incident of the CI, else open one")
    RECORD_ONLY = "record_only", _("Only record the alert")


with_colours(
    RuleAction, {"open_incident": "red", "add_to_open": "orange", "record_only": "secondary"}
)


class RecoveryAction(ChoiceSet):
    AUTO_RESOLVE = "auto_resolve", _("Resolve the incident")
    ANNOTATE = "annotate", _("Only note the recovery on the incident")


with_colours(RecoveryAction, {"auto_resolve": "green", "annotate": "blue"})


class CIMatch(ChoiceSet):
    IDENTIFIER = "identifier", _("CI identifier equals the label")
    NAME = "name", _("CI name equals the label")
    NUMBER = "number", _("CI number equals the label")


class PointCategory(ChoiceSet):
    NETWORK = "network", _("Network and network devices")
    SERVER = "server", _("Servers")
    STORAGE = "storage", _("Storage devices")
    MIDDLEWARE = "middleware", _("Middleware")
    APPLICATION = "application", _("Application resources")


with_colours(
    PointCategory,
    {
        "network": "cyan",
        "server": "blue",
        "storage": "purple",
        "middleware": "orange",
        "application": "green",
    },
)

#: labels of the timeline verbs
VERB_LABELS = {
    "secret_rotated": _("Secret renewed"),
}
