from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "itsm.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self):
        from itsm.catalog import demo
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step

        register_demo_step(demo.load_catalog)
        name_choice_sets("itsm.catalog.choices", "ServiceStatus", "ServiceMode", "ChargingBasis")
