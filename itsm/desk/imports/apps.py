from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskImportConfig(AppConfig):
    """Historic ticket import (R-DEP-04): incident exports of other tools (one row per incident, or
    event logs with one row per update) mapped and imported as imported tickets with their
    rebuilt timelines (the layer above ``desk``: it writes tickets through desk.services)."""

    name = "itsm.desk.imports"
    label = "deskimport"
    verbose_name = _("Historic ticket import")

    def ready(self) -> None:
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels
        from itsm.desk.imports import demo
        from itsm.desk.services.imported import IMPORTED_VERB_LABELS

        register_verb_labels(IMPORTED_VERB_LABELS)
        register_demo_step(demo.load_deskimport)
        name_choice_sets(
            "itsm.desk.imports.choices", "ImportStatus", "ImportShape", "UnknownValues"
        )
