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

That statement (and the API token's, ``core.api.authentication``, which leads with the token)
is written once per process from the models' metadata (:class:`UserRows`) and its rows built
into instances as the ORM builds them (``Model.from_db``, each column's converters): compiling
the same three-table queryset on every request cost more than running it (~0.6 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

from itsm.core.prepared import kept_cursor, prepared


class SessionStore(db.SessionStore):
    """``django.contrib.sessions.backends.db`` reading a session with one plain statement."""

    def _get_session_from_db(self):
        key = self.session_key
        if key is None:
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        with kept_cursor(connection) as cursor:
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


class _Columns:
    """The concrete columns of *model* under *alias*: how to select them and build the row
    (``Model.from_db`` after each column's converters, as the ORM's compiler applies them)."""

    def __init__(self, model: type[Model], alias: str, connection):
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        self.model = model
        self.sql = [f"{alias}.{quote(field.column)}" for field in fields]
        self.attnames = [field.attname for field in fields]
        converters: list[tuple[int, list[Callable], Any]] = []
        for index, field in enumerate(fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((index, found, column))
        self.converters = converters
        self.width = len(fields)
        self.pk_index = self.attnames.index(_field(model, "pk").attname)

    def build(self, values: list, using: str) -> Model | None:
        """The instance of *values* (this model's columns), ``None`` for a LEFT JOIN's empty
        row (no primary key)."""
        connection = connections[using]
        for index, functions, column in self.converters:
            value = values[index]
            for convert in functions:
                value = convert(value, column, connection)
            values[index] = value
        if values[self.pk_index] is None:
            return None
        return self.model.from_db(using, self.attnames, values)


class UserRows:
    """``SELECT`` of a user with its organisation and, one row per role (a LEFT JOIN; one row
    without a role for a user without any), its role codes — led by the row of *lead* (a
    model with a ``user`` foreign key, e.g. the API token) when given — for one value of
    *key* (a column of the lead, or of the user). Written once per database connection's
    vendor; *extra*: one more selected expression (SQL with ``%s`` for its parameters)."""

    def __init__(self, *, key: str, lead: type[Model] | None = None, extra: str = ""):
        self.key, self.lead, self.extra = key, lead, extra
        self._written: dict[str, tuple[str, list[_Columns]]] = {}

    def _statement(self, using: str) -> tuple[str, list[_Columns]]:
        connection = connections[using]
        written = self._written.get(connection.vendor)
        if written is not None:
            return written
        quote = connection.ops.quote_name

        def table(model) -> str:
            return quote(str(model._meta.db_table))

        def column(model, name: str) -> str:
            return quote(_field(model, name).column)

        user = get_user_model()
        organisation = _field(user, "organisation").related_model
        roles = _field(user, "role_assignments")
        models: list[_Columns] = []
        if self.lead is not None:
            models.append(_Columns(self.lead, "t", connection))
            source = (
                f"{table(self.lead)} t INNER JOIN {table(user)} u"
                f" ON u.{column(user, 'pk')} = t.{column(self.lead, 'user')}"
            )
            where = f"t.{column(self.lead, self.key)}"
        else:
            source = f"{table(user)} u"
            where = f"u.{column(user, self.key)}"
        models += [_Columns(user, "u", connection), _Columns(organisation, "o", connection)]
        columns = [sql for model in models for sql in model.sql]
        columns.append(f"r.{column(roles.related_model, 'role')}")
        if self.extra:
            columns.append(self.extra)
        sql = (
            f"SELECT {', '.join(columns)} FROM {source}"
            f" LEFT OUTER JOIN {table(organisation)} o"
            f" ON o.{column(organisation, 'pk')} = u.{column(user, 'organisation')}"
            f" LEFT OUTER JOIN {table(roles.related_model)} r"
            f" ON r.{quote(roles.field.column)} = u.{column(user, 'pk')}"
            f" WHERE {where} = %s"
        )
        sql = prepared(sql)
        self._written[connection.vendor] = (sql, models)
        return sql, models

    def read(self, value: Any, *, extra_params: list | tuple = ()) -> list[tuple[Any, set, Any]]:
        """The rows for *value*: per lead row (or the user when there is no lead), the
        instance — the user (with its organisation) set on the lead as the ORM's
        ``select_related`` sets it — its user's role codes (``None`` for the row of a user
        without any), and the *extra* column's value (``None`` without one)."""
        model = self.lead or get_user_model()
        using = router.db_for_read(model)
        connection = connections[using]
        sql, models = self._statement(using)
        key = _field(model, self.key).get_db_prep_value(value, connection)
        with kept_cursor(connection) as cursor:
            cursor.execute(sql, [*extra_params, key])
            rows = cursor.fetchall()
        width = sum(columns.width for columns in models)
        head = models[0]
        head_pk = head.pk_index
        found: dict[Any, tuple[Any, set, Any]] = {}
        for row in rows:
            seen = found.get(row[head_pk])
            if seen is None:
                built: list[
                    Any
                ] = []  # the lead and the user are never None; the organisation may be
                start = 0
                for columns in models:
                    built.append(columns.build(list(row[start : start + columns.width]), using))
                    start += columns.width
                *lead, user, organisation = built
                _field(user, "organisation").set_cached_value(user, organisation)
                if lead:
                    _field(lead[0], "user").set_cached_value(lead[0], user)
                seen = (built[0], set(), row[width + 1] if self.extra else None)
                found[row[head_pk]] = seen
            seen[1].add(row[width])
        return list(found.values())


def _field(model: type[Model] | Model, name: str) -> Any:
    """*model*'s field *name* (``pk``: its primary key)."""
    meta = model._meta
    return meta.pk if name == "pk" else meta.get_field(name)


_SESSION_USER = UserRows(key="id")


def user_with_roles(user_id):
    """The user *user_id* with organisation and roles loaded, or ``None``."""
    rows = _SESSION_USER.read(user_id)
    if not rows:
        return None
    user, roles, _extra = rows[0]
    user.keep_roles(roles)
    return user


class SessionUserBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` (each request of a session) is one statement."""

    def get_user(self, user_id):
        user = user_with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
