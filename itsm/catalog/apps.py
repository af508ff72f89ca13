from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "itsm.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self):
        from itsm.catalog import demo
        from itsm.catalog.choices import VERB_LABELS
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels

        register_demo_step(demo.load_catalog)
        name_choice_sets("itsm.catalog.choices", "ServiceStatus", "ServiceMode", "ChargingBasis")
        register_verb_labels(VERB_LABELS)

        from itsm.catalog.models import Service
        from itsm.core import stamps

        # which services are published and offered to whom (selectors.is_offered)
        stamps.watch("catalog.services", Service, Service.customers.through)
