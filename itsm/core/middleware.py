"""Per-user language (X-06): a signed-in user's saved language wins over the browser's."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


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
