from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """SLA reports (R-SLM-06) and the SLA achievement KPI: the layer above ``slm`` (agreements,
    targets) and ``slm.clocks`` (the measured clocks). Reading both through their selectors,
    it lets ``slm`` stay free of any import of the clocks app (no cycle between apps)."""

    name = "itsm.slm.reporting"
    label = "slm_reporting"
    verbose_name = _("SLA reports")

    def ready(self) -> None:
        import itsm.slm.reporting.kpis  # noqa: F401  (declares the SLA achievement KPI)
