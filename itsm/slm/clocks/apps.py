from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClocksConfig(AppConfig):
    name = "itsm.slm.clocks"
    label = "clocks"
    verbose_name = _("SLA clocks")

    def ready(self) -> None:
        from itsm.core.calendars.services import register_deadline_recomputer
        from itsm.core.demo import register_demo_step
        from itsm.core.timeline import register_verb_labels
        from itsm.slm.clocks import demo
        from itsm.slm.clocks.choices import VERB_LABELS
        from itsm.slm.clocks.services import testtickets
        from itsm.slm.clocks.services.engine import recompute_for_calendar

        register_verb_labels(VERB_LABELS)
        # a calendar's rows for some years changed: recompute open clock deadlines
        register_deadline_recomputer(recompute_for_calendar)
        # SLA test tickets: a breach "escalates to the group leader" (a timeline row)
        testtickets.register()
        register_demo_step(demo.load_clocks)
