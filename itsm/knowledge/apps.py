from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """The knowledge base (知识库): articles with their lifecycle, visibility and usage, and the
    one search over articles, known errors and tickets that works in Chinese and English
    (R-KB)."""

    name = "itsm.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        from itsm.core.api.schema import name_choice_sets, name_shared_choice_set
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels
        from itsm.knowledge import demo, kpis  # noqa: F401 - kpis registers the KPIs
        from itsm.knowledge.choices import VERB_LABELS

        register_demo_step(demo.load_knowledge)
        name_choice_sets("itsm.knowledge.choices", "ArticleStatus")
        # Generic class names get the module's prefix so no other app's enum can clash.
        for name in ("Visibility", "LinkKind", "DocumentKind", "UsageKind"):
            name_shared_choice_set(f"Knowledge{name}Enum", f"itsm.knowledge.choices.{name}")
        register_verb_labels(VERB_LABELS)
