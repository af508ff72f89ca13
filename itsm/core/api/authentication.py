"""API token authentication: django-rest-knox's, counted by django-axes.

A request with a wrong, expired or revoked token answers 401 and counts as a failed sign-in
of its address (and of the token's first characters), so guessing tokens is throttled like
guessing passwords; a locked-out address gets 429 ``throttled``.

A valid token from an address without failed attempts costs two queries (any failure on
record for the address or the token's first characters; the token with its user and the
user's organisation). knox's own check also read every other token of the user on each
request, to delete the expired ones; here an expired token is deleted when it is presented and
answers 401 (one listed nowhere either: ``core.tokens.tokens_of``); a valid one writes nothing.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox import auth
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from itsm.core.models import ApiToken
from itsm.core.tokens import forget_expired_token


def _failures_on_record(request, credentials: dict) -> bool:
    """Whether any failed attempt is on record for the token's first characters or the
    address: one indexed query. Only then is django-axes asked whether they are locked (it
    sums the failures of each lockout parameter in a query of its own); without a failure on
    record nothing can be locked."""
    if not settings.AXES_ENABLED:
        return False
    AxesProxyHandler.update_request(request)  # the client address as django-axes reads it
    address = getattr(request, "axes_ip_address", None)
    condition = Q(username=credentials["username"])
    if address:
        condition |= Q(ip_address=address)
    return AccessAttempt.objects.filter(condition).exists()


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token itsm_…`` (see ``itsm.core.tokens``)."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.authenticate_header(request).lower().encode():
            return None
        key = header[1][: CONSTANTS.TOKEN_KEY_LENGTH] if len(header) > 1 else b""
        credentials = {"username": "api-token:" + key.decode("ascii", "replace")}
        django_request = request._request
        if _failures_on_record(django_request, credentials) and AxesProxyHandler.is_locked(
            django_request, credentials
        ):
            from itsm.core.auth import lockout_message  # not at import: DRF loads this early

            raise exceptions.Throttled(detail=lockout_message())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            user_login_failed.send(
                sender=type(self), credentials=credentials, request=django_request
            )
            raise

    def authenticate_credentials(self, token):
        message = _("Invalid token.")
        token = token.decode("utf-8")
        now = timezone.now()
        rows = (
            ApiToken.objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user__organisation")
            .order_by()
        )
        for row in rows:
            if row.expiry is not None and row.expiry < now:
                forget_expired_token(row)  # answers 401
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(message)
            if compare_digest(digest, row.digest):
                return self.validate_user(row)
        raise exceptions.AuthenticationFailed(message)
