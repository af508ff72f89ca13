from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Event management (事件监控, R-EVT): alert sources (Prometheus Alertmanager, Zabbix, generic
    JSON) posting to per-source endpoints, rules mapping alerts to CIs and services and opening,
    updating or resolving incidents, flapping, suppression in maintenance windows and approved
    changes, the monitoring points of seed 000 §3.5."""

    name = "itsm.events"
    label = "events"
    verbose_name = _("Event management")

    def ready(self):
        from itsm.core import stamps
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels
        from itsm.events import demo
        from itsm.events.choices import VERB_LABELS
        from itsm.events.models import AlertRule, AlertSource, MonitoringPoint

        # sources, rules and points are read once per process until one of them changes
        stamps.watch("events.config", AlertSource, AlertRule, MonitoringPoint)

        register_demo_step(demo.load_events)
        register_verb_labels(VERB_LABELS)
        name_choice_sets(
            "itsm.events.choices",
            "SourceKind",
            "AuthMethod",
            "AlertStatus",
            "Severity",
            "RuleAction",
            "RecoveryAction",
            "CIMatch",
            "PointCategory",
        )
