from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    """Continual improvement (持续改进, R-CSI-03): the improvement register (服务改进计划) with
    its sources, goals, owners, plans, approval, implementation, verified effect and closure
    as a declared PDCA lifecycle."""

    name = "itsm.improvement"
    label = "improvement"
    verbose_name = _("Continual improvement")

    def ready(self):
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels
        from itsm.improvement import demo, kpis  # noqa: F401  (kpis: registers the KPI)
        from itsm.improvement.choices import VERB_LABELS

        register_demo_step(demo.load_improvement)
        register_verb_labels(VERB_LABELS)
        name_choice_sets("itsm.improvement.choices", "ItemStatus", "ItemSource")
