from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    """Problem management (问题管理): problems from incidents or proactive detection, root cause
    analysis, workarounds and known errors (R-PRB)."""

    name = "itsm.problems"
    label = "problems"
    verbose_name = _("Problem management")

    def ready(self):
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels
        from itsm.problems import demo, kpis, tasks  # noqa: F401  (KPIs, periodic jobs)
        from itsm.problems.choices import VERB_LABELS

        name_choice_sets(
            "itsm.problems.choices",
            "ProblemStatus",
            "RcaMethod",
            "CauseCategory",
            "ProblemSource",
            "KnownErrorStatus",
            "Dimension",
            "ProposalStatus",
        )
        register_verb_labels(VERB_LABELS)
        register_demo_step(demo.load_problems)
