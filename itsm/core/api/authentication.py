"""API token authentication: django-rest-knox's, counted by django-axes.

A request with a wrong, expired or revoked token answers 401 and counts as a failed sign-in
of its address (and of the token's first characters), so guessing tokens is throttled like
guessing passwords; a locked-out address gets 429 ``throttled``.

A valid token costs one query: the token with its user, the user's organisation and, by a
LEFT JOIN (one row per role), the user's roles — kept on the user as ``User.roles``, so the
policy checks of the request query nothing again — and whether any failed attempt is on
record for the address or the token's first characters (an ``EXISTS`` the database answers
once). The statement is written once per process (``core.sessions.UserRows``, as the
session's user is read) instead of a queryset compiled per request. Only with a failure on
record is django-axes asked whether they are locked (it sums the failures of each lockout
parameter in a query of its own). knox's own check also read
every other token of the user on each request, to delete the expired ones; here an expired
token is deleted when it is presented and answers 401 (one listed nowhere either:
``core.tokens.tokens_of``); a valid one writes nothing.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox import auth
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from itsm.core.models import ApiToken
from itsm.core.sessions import UserRows
from itsm.core.tokens import forget_expired_token


def _failures(request, credentials: dict) -> tuple[str, list[str]] | None:
    """Whether any failed attempt is on record for the token's first characters or the
    address, as an ``EXISTS`` to read in another query (``None`` when django-axes is off).
    Written as SQL: the same condition through the ORM (``Exists`` of a queryset) cost more
    to compile than the rest of the token's query."""
    if not settings.AXES_ENABLED:
        return None
    AxesProxyHandler.update_request(request)  # the client address as django-axes reads it
    address = getattr(request, "axes_ip_address", None)
    quote = connection.ops.quote_name
    meta = AccessAttempt._meta
    column = {name: quote(meta.get_field(name).column) for name in ("username", "ip_address")}
    condition, params = f"{column['username']} = %s", [credentials["username"]]
    if address:
        condition, params = f"{condition} OR {column['ip_address']} = %s", [*params, address]
    return f"EXISTS(SELECT 1 FROM {quote(meta.db_table)} WHERE {condition})", params


def _one(sql: str, params: list[str]) -> bool:
    """The value of the boolean SQL expression *sql* alone."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return bool(cursor.fetchone()[0])


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token itsm_…`` (see ``itsm.core.tokens``).

    DRF makes one instance per request: ``authenticate`` keeps the request and the
    credentials django-axes counts for ``authenticate_credentials``."""

    _request = None
    _credentials: dict

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.authenticate_header(request).lower().encode():
            return None
        key = header[1][: CONSTANTS.TOKEN_KEY_LENGTH] if len(header) > 1 else b""
        self._credentials = {"username": "api-token:" + key.decode("ascii", "replace")}
        self._request = request._request
        if len(header) != 2:  # knox refuses the header before looking a token up
            self._refuse_if_locked(None)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            user_login_failed.send(
                sender=type(self), credentials=self._credentials, request=self._request
            )
            raise

    def _refuse_if_locked(self, on_record: bool | None) -> None:
        """429 when the address or the token's first characters are locked out; *on_record*:
        whether a failure is on record, ``None`` when not asked yet."""
        if on_record is None:
            failures = _failures(self._request, self._credentials)
            on_record = failures is not None and _one(*failures)
        if on_record and AxesProxyHandler.is_locked(self._request, self._credentials):
            from itsm.core.auth import lockout_message  # not at import: DRF loads this early

            raise exceptions.Throttled(detail=lockout_message())

    def _tokens(self, token: str) -> tuple[list[tuple[ApiToken, set]], bool | None]:
        """The tokens with these first characters, each with its user (and the user's
        organisation) and the user's role codes, and whether a failure is on record (``False``
        when django-axes is off; ``None`` when no token has these characters: not asked)."""
        failures = _failures(self._request, self._credentials) if self._request else None
        reader = _TOKEN_ROWS if failures is None else _token_rows_with(failures[0])
        rows = reader.read(
            token[: CONSTANTS.TOKEN_KEY_LENGTH], extra_params=failures[1] if failures else ()
        )
        if not rows:
            return [], None
        return [(row, roles) for row, roles, _extra in rows], bool(rows[0][2])

    def authenticate_credentials(self, token):
        message = _("Invalid token.")
        token = token.decode("utf-8")
        rows, on_record = self._tokens(token)
        if self._request is not None:
            self._refuse_if_locked(on_record)
        now = timezone.now()
        for row, roles in rows:
            if row.expiry is not None and row.expiry < now:
                forget_expired_token(row)  # answers 401
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(message)
            if compare_digest(digest, row.digest):
                row.user.keep_roles(roles)
                return self.validate_user(row)
        raise exceptions.AuthenticationFailed(message)


#: the token's statement (``core.sessions.UserRows``) without and with the failures' EXISTS
_TOKEN_ROWS = UserRows(lead=ApiToken, key="token_key")
_WITH_FAILURES: dict[str, UserRows] = {}


def _token_rows_with(failures_sql: str) -> UserRows:
    reader = _WITH_FAILURES.get(failures_sql)
    if reader is None:
        reader = _WITH_FAILURES[failures_sql] = UserRows(
            lead=ApiToken, key="token_key", extra=failures_sql
        )
    return reader
