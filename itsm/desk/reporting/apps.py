from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskReportingConfig(AppConfig):
    """Service desk and incident reports and KPIs (R-INC-05, R-DSK-06): the layer above
    ``desk`` and ``slm.clocks``, as ``slm.reporting`` is above ``slm``."""

    name = "itsm.desk.reporting"
    label = "deskreports"
    verbose_name = _("Service desk reports")

    def ready(self) -> None:
        import itsm.desk.reporting.kpis  # noqa: F401  (declares the desk's KPIs)
