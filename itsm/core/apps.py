from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "itsm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from itsm.core import stamps
        from itsm.core.models import Organisation, RoleAssignment, Team, User

        # people and groups as dispatch reads them (core.stamps)
        stamps.watch("people", User, Team, Team.members.through, RoleAssignment, Organisation)
