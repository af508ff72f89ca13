"""Sessions of the web pages, read in two statements (issue 10 item 2).

``SESSION_ENGINE`` names this module: :class:`SessionStore` is Django's database store (same
table, same expiry rule, same signed encoding) that reads a session with one plain ``SELECT``
instead of a queryset ``get()``, whose compilation cost more than the query (about 0.7 ms of
every page).

``AUTHENTICATION_BACKENDS`` names :class:`SessionUserBackend`: Django's ``ModelBackend.get_user``
reads the user; the page then reads the user's roles (``User.roles``) and organisation
(``User.organisation_kind``, the header): three statements on every page. This backend reads
the three at once — the user joined with its organisation and, by a LEFT JOIN, its role
assignments (one row per role, one row with no role for a user without any) — and keeps the
roles on the instance as ``User.roles`` would. Signing in (``authenticate``) is
``ModelBackend``'s, unchanged; signing out, expiry and a password change end a session as
before (Django checks the session's password hash against the user it loaded).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.db.models import F
from django.utils import timezone


class SessionStore(db.SessionStore):
    """``django.contrib.sessions.backends.db`` reading a session with one plain statement."""

    def _get_session_from_db(self):
        key = self.session_key
        if key is None:
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('session_data')}, {quote('expire_date')}"
                f" FROM {quote(model._meta.db_table)}"
                f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s",
                [key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0], expire_date=row[1])


def user_with_roles(user_id):
    """The user *user_id* with organisation and roles loaded, or ``None``."""
    rows = list(
        get_user_model()
        ._default_manager.filter(pk=user_id)
        .select_related("organisation")
        .annotate(assigned_role=F("role_assignments__role"))
        .order_by()
    )
    if not rows:
        return None
    user = rows[0]
    user.keep_roles(row.assigned_role for row in rows)
    return user


class SessionUserBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` (each request of a session) is one statement."""

    def get_user(self, user_id):
        user = user_with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
