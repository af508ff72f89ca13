from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    """The KPI catalogue (DESIGN rule 8, R-KPI): a registry that the owning apps fill from their
    ``kpis.py`` in ``AppConfig.ready``; this app imports no domain app."""

    name = "itsm.kpi"
    label = "kpi"
    verbose_name = _("KPIs")

    def ready(self):
        from itsm.core.api.schema import name_choice_sets

        name_choice_sets("itsm.kpi.choices", "Unit", "Direction", "Period", "Scope", "KpiStatus")
