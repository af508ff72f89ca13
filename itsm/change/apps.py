from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangeConfig(AppConfig):
    """Change and release management (变更管理, 发布管理): requests for change assessed from
    the CMDB, approved by the change manager or CAB, scheduled without conflicts, implemented and
    reviewed (R-CHG, R-REL)."""

    name = "itsm.change"
    label = "change"
    verbose_name = _("Change management")

    def ready(self):
        from itsm.change import demo, kpis  # noqa: F401  (kpis: registers the KPI)
        from itsm.change.choices import VERB_LABELS
        from itsm.change.models import Change, Window
        from itsm.core import stamps
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels

        register_demo_step(demo.load_change)
        register_verb_labels(VERB_LABELS)
        # what may suppress an alert (selectors.suppression_candidates), read once per process
        # for every alert delivery (events) until a window or a change is written
        stamps.watch(
            "change.suppression", Window, Change, Change.cis.through, Change.services.through
        )
        name_choice_sets(
            "itsm.change.choices",
            "ChangeStatus",
            "ChangeKind",
            "IncidentRelation",
            "MeetingStatus",
            "ChangeCategory",
            "RiskLevel",
            "ApprovalPath",
            "Vote",
            "WindowKind",
        )
