from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The service desk (服务台): tickets — incidents, service requests, consultations — from
    intake to the satisfaction survey (R-DSK, R-INC)."""

    name = "itsm.desk"
    label = "desk"
    verbose_name = _("Service desk")

    def ready(self):
        from itsm.core.api.schema import name_choice_sets, name_shared_choice_set
        from itsm.core.timeline import register_verb_labels
        from itsm.desk.choices import VERB_LABELS

        name_choice_sets(
            "itsm.desk.choices",
            "TicketKind",
            "TicketStatus",
            "Channel",
            "ResolutionCode",
            "EntryKind",
            "AssignMode",
            "EscalationKind",
            "EscalationTrigger",
            "CallOutcome",
            "CallbackOutcome",
            "SurveyChannel",
        )
        # impact and urgency share the values 1–3; a fulfilment task's states are those of
        # a review meeting's action items (open/done/cancelled), named by slm: one name a set
        name_shared_choice_set("ImpactUrgencyEnum", "itsm.desk.choices.Impact")
        register_verb_labels(VERB_LABELS)

        from itsm.core.demo import register_demo_step
        from itsm.desk import demo

        register_demo_step(demo.load_desk)

        from itsm.desk import tasks  # noqa: F401  (registers the periodic jobs)
        from itsm.desk.models import Ticket
        from itsm.desk.services.escalation import on_clock_step
        from itsm.slm.clocks.services import register_escalation_handler

        register_escalation_handler(Ticket, on_clock_step)

        from itsm.core import stamps
        from itsm.desk.models import (
            AgentPresence,
            Category,
            ClockPolicy,
            DispatchRule,
            GroupSettings,
            PriorityRule,
        )

        # the configuration a ticket's create reads once per process (core.stamps); the
        # round-robin pointer, moved by QuerySet.update, is read fresh and bumps nothing
        stamps.watch(
            "desk.config",
            PriorityRule,
            DispatchRule,
            Category,
            AgentPresence,
            GroupSettings,
            ClockPolicy,
        )
