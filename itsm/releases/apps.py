from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    """Release management (发布管理, R-REL): release plans bundling approved changes, tests,
    go/no-go, deployment, rollback, the CMDB updated on success, the release report and KPI."""

    name = "itsm.releases"
    label = "releases"
    verbose_name = _("Release management")

    def ready(self):
        from itsm.cmdb.services import register_change_authority
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels
        from itsm.releases import demo, kpis  # noqa: F401  (kpis: registers the KPI)
        from itsm.releases.choices import VERB_LABELS
        from itsm.releases.services import check_change_reference

        register_demo_step(demo.load_releases)
        register_verb_labels(VERB_LABELS)
        register_change_authority(check_change_reference)
        name_choice_sets(
            "itsm.releases.choices", "ReleaseStatus", "ReleaseKind", "TestResult", "Decision"
        )
