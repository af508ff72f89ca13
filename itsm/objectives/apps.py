from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    """Management objectives (管理目标, R-OBJ-01/02): the annual policy and objective plan,
    decomposed to departments, projects and customers, each objective a KPI of the registry
    with a target; actuals computed from the records, misses raised as improvements."""

    name = "itsm.objectives"
    label = "objectives"
    verbose_name = _("Objectives")

    def ready(self):
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels
        from itsm.objectives import demo
        from itsm.objectives.choices import VERB_LABELS

        register_demo_step(demo.load_objectives)
        register_verb_labels(VERB_LABELS)
        name_choice_sets("itsm.objectives.choices", "PlanStatus", "ObjectiveScope")
