from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "itsm.core.calendars"
    label = "calendars"
    verbose_name = _("Business calendars")

    def ready(self):
        from itsm.core import stamps
        from itsm.core.calendars.models import BusinessCalendar

        # a calendar's rules token (its intervals, days and years) as memoised agreements and
        # shifts carry it (core.stamps)
        stamps.watch("calendars", BusinessCalendar)
