"""Per-user language (X-06): a signed-in user's saved language wins over the browser's."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Put the user's saved language in the request so ``LocaleMiddleware`` uses it.

    Runs after the session middleware and before ``LocaleMiddleware``; the authenticated user
    is read lazily from the session, so anonymous pages keep the browser/cookie language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth import get_user

        user = get_user(request)
        language = getattr(user, "language", None) if user.is_authenticated else None
        if language and language in dict(settings.LANGUAGES):
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
            translation.activate(language)
        return self.get_response(request)
