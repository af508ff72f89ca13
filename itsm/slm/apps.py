from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlmConfig(AppConfig):
    name = "itsm.slm"
    label = "slm"
    verbose_name = _("Service level management")

    def ready(self):
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.slm import demo

        register_demo_step(demo.load_slm)
        name_choice_sets(
            "itsm.slm.choices",
            "AgreementKind",
            "AgreementStatus",
            "TargetMetric",
            "Frequency",
            "RequirementKind",
            "RequirementStatus",
            "ReviewKind",
            "ReviewStatus",
            "ActionStatus",
            "TestTicketStatus",
        )
        name_choice_sets("itsm.core.choices", "Priority")
