"""Per-user language and time zone (X-06): a signed-in user's saved language wins over the
browser's; times are shown in the user's time zone."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from itsm.core.formatting import time_zone_of


class UserLanguageMiddleware:
    """Activate the signed-in user's saved language.

    Runs after ``LocaleMiddleware`` (which chose a language from the cookie or the browser) and
    after ``AuthenticationMiddleware``, so it reads the same lazily loaded ``request.user`` as
    the rest of the request instead of loading the user a second time. Anonymous pages keep
    the language ``LocaleMiddleware`` chose.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        language = getattr(user, "language", None) if user.is_authenticated else None
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Show times in the signed-in user's time zone (``User.time_zone``).

    Runs after ``AuthenticationMiddleware``. A user without a time zone, and anonymous pages,
    read times in ``settings.TIME_ZONE``. Dates and times are stored in UTC (``USE_TZ``); only
    their display changes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = time_zone_of(request.user)
        if zone is None:
            timezone.deactivate()
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
