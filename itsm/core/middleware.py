"""Per-user language and time zone (X-06): a signed-in user's saved language wins over the
browser's; times are shown in the user's time zone. The Content-Security-Policy header."""

from __future__ import annotations

from functools import cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the settings' policy (``CONTENT_SECURITY_POLICY``) written
    once per process: an answer the view left alone — no ``@csp_update`` or other change on the
    response, no nonce asked for — gets the same header, which django-csp built again for every
    answer (1 % of a ticket's create through the API). Any other answer, a report-only policy
    or excluded paths in the settings, and ``DEBUG``, go through django-csp as before."""

    #: what django-csp's decorators set on a response to change its policy
    _CHANGES = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_exempt",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt_ro",
    )

    def process_response(self, request, response):
        policy = _settings_policy()
        if (
            policy is None
            or settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or HEADER in response
            or any(getattr(response, name, None) is not None for name in self._CHANGES)
        ):
            return super().process_response(request, response)
        response[HEADER] = policy
        # as django-csp: a nonce asked for after the header is written is an error
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@cache
def _settings_policy() -> str | None:
    """The header of the settings' policy, or ``None`` when answers may differ by more than
    the view's changes (a report-only policy, excluded path prefixes)."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None):
        return None
    if policy.get("EXCLUDE_URL_PREFIXES"):
        return None
    return build_policy() or None


@receiver(setting_changed)
def _forget_policy(*, setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policy.cache_clear()
