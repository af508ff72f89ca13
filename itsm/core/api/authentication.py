"""API token authentication: django-rest-knox's, counted by django-axes.

A request with a wrong, expired or revoked token answers 401 and counts as a failed sign-in
of its address (and of the token's first characters), so guessing tokens is throttled like
guessing passwords; a locked-out address gets 429 ``throttled``.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from knox import auth
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token itsm_…`` (see ``itsm.core.tokens``)."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.authenticate_header(request).lower().encode():
            return None
        key = header[1][: CONSTANTS.TOKEN_KEY_LENGTH] if len(header) > 1 else b""
        credentials = {"username": "api-token:" + key.decode("ascii", "replace")}
        django_request = request._request
        if AxesProxyHandler.is_locked(django_request, credentials):
            from itsm.core.auth import lockout_message  # not at import: DRF loads this early

            raise exceptions.Throttled(detail=lockout_message())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            user_login_failed.send(
                sender=type(self), credentials=credentials, request=django_request
            )
            raise
