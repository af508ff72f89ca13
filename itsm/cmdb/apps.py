from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmdbConfig(AppConfig):
    name = "itsm.cmdb"
    label = "cmdb"
    verbose_name = _("Configuration management")

    def ready(self):
        from itsm.cmdb import demo
        from itsm.cmdb.choices import VERB_LABELS
        from itsm.core.api.schema import name_choice_sets, name_shared_choice_set
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels

        register_demo_step(demo.load_cmdb)
        import itsm.cmdb.kpis  # noqa: F401  (declares the configuration accuracy KPI)

        name_choice_sets(
            "itsm.cmdb.choices",
            "CIStatus",
            "Criticality",
            "AttributeType",
            "DifferenceKind",
            "DifferenceDecision",
        )
        # audits and SLA test tickets are both open/closed
        name_shared_choice_set("OpenClosedEnum", "itsm.cmdb.choices.AuditStatus")
        register_verb_labels(VERB_LABELS)
