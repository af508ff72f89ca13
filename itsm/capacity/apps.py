from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    """Capacity management (容量管理, R-CAP): metric samples per CI and service, thresholds,
    capacity plans, forecasts of the date a metric reaches its threshold, breaches."""

    name = "itsm.capacity"
    label = "capacity"
    verbose_name = _("Capacity management")

    def ready(self):
        from itsm.capacity import demo, kpis  # noqa: F401  (kpis: registers the KPI)
        from itsm.capacity.choices import VERB_LABELS
        from itsm.core.api.schema import name_choice_sets, name_shared_choice_set
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels

        register_demo_step(demo.load_capacity)
        register_verb_labels(VERB_LABELS)
        name_choice_sets("itsm.capacity.choices", "ForecastMethod", "PlanStatus", "BreachLevel")
        # the KPI catalogue's Direction (higher/lower is better) is DirectionEnum
        name_shared_choice_set("MetricDirectionEnum", "itsm.capacity.choices.Direction")
