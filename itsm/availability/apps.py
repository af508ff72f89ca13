from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AvailabilityConfig(AppConfig):
    """Availability management (可用性管理, R-AVC-01): outages per service from incidents with
    service impact and planned interruptions, availability inside each SLA's service hours
    against its target, MTBF and MTRS."""

    name = "itsm.availability"
    label = "availability"
    verbose_name = _("Availability management")

    def ready(self):
        from itsm.availability import demo, kpis  # noqa: F401  (kpis: registers the KPI)
        from itsm.availability.choices import VERB_LABELS
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels

        register_demo_step(demo.load_availability)
        register_verb_labels(VERB_LABELS)
        name_choice_sets("itsm.availability.choices", "OutageKind", "OutageSource")
