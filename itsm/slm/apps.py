from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlmConfig(AppConfig):
    name = "itsm.slm"
    label = "slm"
    verbose_name = _("Service level management")

    def ready(self):
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels
        from itsm.slm import demo
        from itsm.slm.choices import VERB_LABELS

        register_demo_step(demo.load_slm)

        name_choice_sets(
            "itsm.slm.choices",
            "AgreementKind",
            "AgreementStatus",
            "TargetMetric",
            "TargetIndicator",
            "Frequency",
            "RequirementKind",
            "RequirementStatus",
            "ReviewKind",
            "ReviewStatus",
            "ActionStatus",
        )
        name_choice_sets("itsm.core.choices", "Priority")
        register_verb_labels(VERB_LABELS)

        from itsm.core import stamps
        from itsm.slm.models import Agreement, Target

        # the agreements and targets a new record's clocks come from (selectors.active_sla_for,
        # find_targets)
        stamps.watch("slm.agreements", Agreement, Target, Agreement.services.through)
