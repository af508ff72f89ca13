from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "itsm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.backends.signals import connection_created

        from itsm.core import prepared, stamps

        # PostgreSQL: the statements the code marks are prepared (core.prepared)
        connection_created.connect(prepared.install, dispatch_uid="itsm.core.prepared")
        from itsm.core.models import Organisation, RoleAssignment, Team, User

        # people and groups as dispatch reads them (core.stamps)
        stamps.watch("people", User, Team, Team.members.through, RoleAssignment, Organisation)
