"""Shared API tests: every endpoint gets CRUD, permission, tenancy, concurrency, idempotency,
error-shape and query-count tests by adding a small class (NetBox ``utilities/testing/api.py``,
in pytest form).

How a module adds its endpoint — in ``<app>/tests/test_api_<thing>.py``::

    from itsm.core.testing.api import APIEndpointTests

    class TestIncidentAPI(APIEndpointTests):
        model = Incident
        url_name = "api:desk-api:incident"          # router basename, namespaced
        tenancy = "customer"                         # rows belong to a customer organisation
        required_fields = ("title", "customer")      # named by a 400 on an empty POST
        writer_roles = (Role.SERVICE_DESK,)          # may add/change (default: administrator)
        limited_roles = (Role.QUALITY_MANAGER,)      # provider staff who may view, not add/change
        invalid_filters = ({"status": "bogus"},)     # each must answer 400

        def make_row(self, owner):                   # a row owned by customer *owner*
            return IncidentFactory(customer=owner)

        def create_payload(self, env):               # a valid POST body
            return {"title": "Mail is down", "customer": env.customer_a.pk}

        def update_payload(self, env, row):          # a valid PATCH body (version is added)
            return {"title": "Mail is down again"}

``env`` (the ``api_env`` fixture) holds ``provider``, ``customer_a``, ``customer_b``, the users
``writer``, ``limited`` (provider staff without add/change), ``staff`` (provider staff with
``viewer_roles``), ``customer`` (a user of customer A with ``customer_roles``), and the rows
``row_a``/``row_b`` made by ``make_row`` for customers A and B.

``tenancy``: ``"customer"`` — a customer user lists only rows whose ``policy.tenant_field`` is
their organisation; ``"provider"`` — rows are provider-internal, customer users list none;
``"staff"`` — the model is provider staff's only (its policy's ``view`` excludes customer roles):
a customer user is refused (403) on the list and every row.
Set ``deletable = True`` when the viewset implements ``delete_record`` (otherwise DELETE must
answer 400 ``delete_not_allowed``). Set ``write_only_fields`` for create fields the response
does not echo.

Three bases, by what the endpoint offers — never switch an inherited test off:

- ``APIEndpointTests`` — read, create, update, delete (``make_row``, ``create_payload``,
  ``update_payload``);
- ``CreateDeleteAPIEndpointTests`` — rows are added and removed, never edited (PUT/PATCH must
  answer 405; no ``update_payload``);
- ``ReadOnlyAPIEndpointTests`` — only reads (every write method must answer 405; only
  ``make_row``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from itsm.core.choices import Role
from itsm.core.policy import policy_for
from itsm.core.testing.factories import CustomerFactory, UserFactory
from itsm.core.timeline import timeline_for

ERROR_KEYS = {"code", "detail", "fields"}


def assert_error(response, status: int, code: str, *, fields: tuple[str, ...] = ()) -> dict:
    """Assert the response is an API error of the shared shape with *status* and *code*,
    naming at least *fields*; return the body."""
    assert response.status_code == status, (response.status_code, _body(response))
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["fields"], dict), body
    missing = set(fields) - set(body["fields"])
    assert not missing, (missing, body)
    return body


def _body(response):
    try:
        return response.json()
    except Exception:
        return response.content[:500]


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


class _EndpointReadTests:
    """Reads every endpoint answers: list, retrieve, tenancy, errors, query count."""

    model: ClassVar[type]
    url_name: ClassVar[str]
    tenancy: ClassVar[str] = "customer"
    invalid_filters: ClassVar[tuple[dict, ...]] = ()
    writer_roles: ClassVar[tuple[str, ...]] = (Role.ADMINISTRATOR,)
    limited_roles: ClassVar[tuple[str, ...]] = (Role.ENGINEER_L2,)
    viewer_roles: ClassVar[tuple[str, ...]] = (Role.ENGINEER_L1,)
    customer_roles: ClassVar[tuple[str, ...]] = (Role.CUSTOMER_USER,)
    #: rows added before the first and (in total) before the second list query count
    query_count_rows: ClassVar[tuple[int, int]] = (3, 20)

    # --- hooks a subclass implements --------------------------------------------------------
    def make_row(self, owner):
        """Create (through services/factories) a row owned by customer organisation *owner*."""
        raise NotImplementedError

    # --- helpers ----------------------------------------------------------------------------
    def list_url(self) -> str:
        return reverse(f"{self.url_name}-list")

    def detail_url(self, pk) -> str:
        return reverse(f"{self.url_name}-detail", kwargs={"pk": pk})

    @pytest.fixture
    def api_env(self, provider, customer_a, customer_b):
        env = SimpleNamespace(provider=provider, customer_a=customer_a, customer_b=customer_b)
        env.writer = UserFactory(
            username="api-writer", organisation=provider, roles=self.writer_roles
        )
        env.limited = UserFactory(
            username="api-limited", organisation=provider, roles=self.limited_roles
        )
        env.staff = UserFactory(
            username="api-staff", organisation=provider, roles=self.viewer_roles
        )
        env.customer = UserFactory(
            username="api-customer", organisation=customer_a, roles=self.customer_roles
        )
        env.row_a = self.make_row(customer_a)
        env.row_b = self.make_row(customer_b)
        return env

    def _ids(self, response) -> set:
        assert response.status_code == 200, _body(response)
        return {item["id"] for item in response.json()["results"]}

    # --- reads ------------------------------------------------------------------------------
    def test_list(self, api_env):
        response = client_for(api_env.writer).get(self.list_url())
        assert set(response.json()) == {"next", "previous", "results"}
        assert {api_env.row_a.pk, api_env.row_b.pk} <= self._ids(response)

    def test_retrieve(self, api_env):
        row = api_env.row_a
        response = client_for(api_env.writer).get(self.detail_url(row.pk))
        assert response.status_code == 200, _body(response)
        assert response.json()["id"] == row.pk
        assert response.json()["display"] == str(row)

    def test_unauthenticated_read_is_refused(self, api_env):
        client = client_for(None)
        assert_error(client.get(self.list_url()), 401, "not_authenticated")
        assert_error(client.get(self.detail_url(api_env.row_a.pk)), 401, "not_authenticated")

    # --- tenancy ----------------------------------------------------------------------------
    def test_customer_lists_only_their_rows(self, api_env):
        client = client_for(api_env.customer)
        if self.tenancy == "staff":
            assert_error(client.get(self.list_url()), 403, "permission_denied")
            return
        ids = self._ids(client.get(self.list_url()))
        if self.tenancy == "provider":
            assert ids == set()
            return
        tenant_field = policy_for(self.model).tenant_field
        assert tenant_field, "tenancy='customer' needs a policy tenant_field"
        assert api_env.row_a.pk in ids
        assert api_env.row_b.pk not in ids
        owners = set(
            self.model._default_manager.filter(pk__in=ids).values_list(tenant_field, flat=True)
        )
        assert owners == {api_env.customer_a.pk}

    def test_customer_cannot_read_a_foreign_row(self, api_env):
        client = client_for(api_env.customer)
        url = self.detail_url(api_env.row_b.pk)
        if self.tenancy == "staff":
            assert_error(client.get(url), 403, "permission_denied")
            assert_error(client.get(self.detail_url(api_env.row_a.pk)), 403, "permission_denied")
        else:
            assert_error(client.get(url), 404, "not_found")

    def test_provider_staff_see_all(self, api_env):
        ids = self._ids(client_for(api_env.staff).get(self.list_url()))
        assert {api_env.row_a.pk, api_env.row_b.pk} <= ids
        assert ids == set(self.model._default_manager.values_list("pk", flat=True))

    # --- errors -----------------------------------------------------------------------------
    def test_unknown_id_and_invalid_filters(self, api_env):
        client = client_for(api_env.writer)
        assert_error(client.get(self.detail_url(987654321)), 404, "not_found")
        for params in self.invalid_filters:
            assert_error(
                client.get(self.list_url(), params), 400, "validation", fields=tuple(params)
            )

    # --- performance ------------------------------------------------------------------------
    def test_list_query_count_does_not_grow(self, api_env):
        client = client_for(api_env.writer)
        client.get(self.list_url())  # warm caches (the user's roles, content types)
        small, large = self.query_count_rows
        counts = []
        for extra in (small, large - small):
            for _ in range(extra):
                self.make_row(CustomerFactory())
            with CaptureQueriesContext(connection) as queries:
                response = client.get(self.list_url())
            assert len(response.json()["results"]) == self.model._default_manager.count()
            counts.append(len(queries))
        assert counts[0] == counts[1], (
            f"list queries grow with rows: {counts[0]} at {small} rows, {counts[1]} at {large}"
        )


class ReadOnlyAPIEndpointTests(_EndpointReadTests):
    """An endpoint that only reads (e.g. SLA clocks): the read tests, and every write method
    answers 405."""

    def test_writes_answer_405(self, api_env):
        client = client_for(api_env.writer)
        url = self.detail_url(api_env.row_a.pk)
        assert_error(client.post(self.list_url(), {}, format="json"), 405, "method_not_allowed")
        assert_error(client.put(url, {}, format="json"), 405, "method_not_allowed")
        assert_error(client.patch(url, {}, format="json"), 405, "method_not_allowed")
        assert_error(client.delete(url), 405, "method_not_allowed")


class _EndpointCreateTests(_EndpointReadTests):
    """Create, delete, history, permissions, idempotency and error shape of a writable
    endpoint."""

    required_fields: ClassVar[tuple[str, ...]] = ()
    write_only_fields: ClassVar[tuple[str, ...]] = ()
    deletable: ClassVar[bool] = False

    def create_payload(self, env) -> dict[str, Any]:
        raise NotImplementedError

    def _assert_matches(self, data: dict, payload: dict) -> None:
        for key, value in payload.items():
            if key in self.write_only_fields:
                continue
            got = data[key]
            if isinstance(value, list) and isinstance(got, list):
                assert sorted(map(str, got)) == sorted(map(str, value)), (key, got, value)
            else:
                assert got == value, (key, got, value)

    def test_retrieve(self, api_env):
        super().test_retrieve(api_env)
        response = client_for(api_env.writer).get(self.detail_url(api_env.row_a.pk))
        assert response.json()["version"] == api_env.row_a.version

    def test_create(self, api_env):
        payload = self.create_payload(api_env)
        before = self.model._default_manager.count()
        response = client_for(api_env.writer).post(self.list_url(), payload, format="json")
        assert response.status_code == 201, _body(response)
        assert self.model._default_manager.count() == before + 1
        data = response.json()
        assert data["version"] == 1
        self._assert_matches(data, payload)
        assert self.model._default_manager.filter(pk=data["id"]).exists()

    def test_delete(self, api_env):
        row = api_env.row_a
        response = client_for(api_env.writer).delete(self.detail_url(row.pk))
        if self.deletable:
            assert response.status_code == 204, _body(response)
            assert not self.model._default_manager.filter(pk=row.pk).exists()
        else:
            assert_error(response, 400, "delete_not_allowed")
            assert self.model._default_manager.filter(pk=row.pk).exists()

    def test_history(self, api_env):
        row = api_env.row_a
        response = client_for(api_env.writer).get(self.detail_url(row.pk) + "history/")
        assert response.status_code == 200, _body(response)
        items = response.json()
        assert items, "a created row has at least one history item"
        assert set(items[0]) == {"at", "actor", "kind", "verb", "label", "changes", "note"}

    def test_unauthenticated_write_is_refused(self, api_env):
        response = client_for(None).post(
            self.list_url(), self.create_payload(api_env), format="json"
        )
        assert_error(response, 401, "not_authenticated")

    def test_role_without_add_or_delete_is_refused(self, api_env):
        client = client_for(api_env.limited)
        before = self.model._default_manager.count()
        assert_error(
            client.post(self.list_url(), self.create_payload(api_env), format="json"),
            403,
            "permission_denied",
        )
        assert self.model._default_manager.count() == before
        assert_error(client.delete(self.detail_url(api_env.row_a.pk)), 403, "permission_denied")
        assert self.model._default_manager.filter(pk=api_env.row_a.pk).exists()

    def test_customer_cannot_delete_or_see_history_of_a_foreign_row(self, api_env):
        client = client_for(api_env.customer)
        url = self.detail_url(api_env.row_b.pk)
        status, code = (403, "permission_denied") if self.tenancy == "staff" else (404, "not_found")
        assert_error(client.delete(url), status, code)
        assert_error(client.get(url + "history/"), status, code)
        assert self.model._default_manager.filter(pk=api_env.row_b.pk).exists()

    def test_idempotency_key(self, api_env):
        client = client_for(api_env.writer)
        payload = self.create_payload(api_env)
        before = self.model._default_manager.count()
        headers = {"Idempotency-Key": "create-once-1"}
        first = client.post(self.list_url(), payload, format="json", headers=headers)
        assert first.status_code == 201, _body(first)
        again = client.post(self.list_url(), payload, format="json", headers=headers)
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert self.model._default_manager.count() == before + 1
        other = client.post(
            self.list_url(), {**payload, "idempotency_probe": 1}, format="json", headers=headers
        )
        assert_error(other, 422, "idempotency_key_reused", fields=("Idempotency-Key",))
        assert self.model._default_manager.count() == before + 1

    def test_bad_idempotency_key(self, api_env):
        response = client_for(api_env.writer).post(
            self.list_url(),
            self.create_payload(api_env),
            format="json",
            headers={"Idempotency-Key": "k" * 201},
        )
        assert_error(response, 400, "validation", fields=("Idempotency-Key",))

    def test_error_shape(self, api_env):
        client = client_for(api_env.writer)
        assert_error(
            client.post(self.list_url(), {}, format="json"),
            400,
            "validation",
            fields=self.required_fields,
        )
        assert_error(client.put(self.list_url(), {}, format="json"), 405, "method_not_allowed")
        malformed = client.post(self.list_url(), data="{not json", content_type="application/json")
        assert_error(malformed, 400, "parse_error")


class CreateDeleteAPIEndpointTests(_EndpointCreateTests):
    """An endpoint whose rows are created and deleted but never edited (e.g. calendar days):
    the read and create tests, and PUT/PATCH answer 405."""

    def test_update_answers_405(self, api_env):
        client = client_for(api_env.writer)
        url = self.detail_url(api_env.row_a.pk)
        body = {"version": api_env.row_a.version}
        assert_error(client.put(url, body, format="json"), 405, "method_not_allowed")
        assert_error(client.patch(url, body, format="json"), 405, "method_not_allowed")


class APIEndpointTests(_EndpointCreateTests):
    """Base of a read-write endpoint's test class; see the module docstring."""

    def update_payload(self, env, row) -> dict[str, Any]:
        raise NotImplementedError

    def test_update(self, api_env):
        row = api_env.row_a
        payload = self.update_payload(api_env, row)
        response = client_for(api_env.writer).patch(
            self.detail_url(row.pk), {**payload, "version": row.version}, format="json"
        )
        assert response.status_code == 200, _body(response)
        data = response.json()
        assert data["version"] == row.version + 1
        self._assert_matches(data, payload)
        fresh = client_for(api_env.writer).get(self.detail_url(row.pk)).json()
        self._assert_matches(fresh, payload)
        # through the app's update service: a timeline row and a field-history row, both
        # naming the writer (a bare save or a generic setattr would leave neither)
        assert timeline_for(row).filter(actor=api_env.writer).exists(), "no timeline row"
        latest = self.model._default_manager.get(pk=row.pk).history.latest()
        assert latest.history_user_id == api_env.writer.pk, "field history names no actor"

    def test_unauthenticated_update_is_refused(self, api_env):
        response = client_for(None).patch(
            self.detail_url(api_env.row_a.pk), {"version": 1}, format="json"
        )
        assert_error(response, 401, "not_authenticated")

    def test_role_without_change_cannot_update(self, api_env):
        row = api_env.row_a
        payload = {**self.update_payload(api_env, row), "version": row.version}
        assert_error(
            client_for(api_env.limited).patch(self.detail_url(row.pk), payload, format="json"),
            403,
            "permission_denied",
        )
        row.refresh_from_db()
        assert row.version == api_env.row_a.version

    def test_customer_cannot_update_a_foreign_row(self, api_env):
        row = api_env.row_b
        payload = {**self.update_payload(api_env, row), "version": row.version}
        response = client_for(api_env.customer).patch(
            self.detail_url(row.pk), payload, format="json"
        )
        if self.tenancy == "staff":
            assert_error(response, 403, "permission_denied")
        else:
            assert_error(response, 404, "not_found")
        row.refresh_from_db()
        assert row.version == api_env.row_b.version

    def test_stale_version_conflicts(self, api_env):
        row = api_env.row_a
        client = client_for(api_env.writer)
        payload = self.update_payload(api_env, row)
        first = client.patch(
            self.detail_url(row.pk), {**payload, "version": row.version}, format="json"
        )
        assert first.status_code == 200, _body(first)
        stale = client.patch(
            self.detail_url(row.pk), {**payload, "version": row.version}, format="json"
        )
        assert_error(stale, 409, "conflict", fields=("version",))
        assert client.get(self.detail_url(row.pk)).json()["version"] == row.version + 1

    def test_update_without_version_is_refused(self, api_env):
        row = api_env.row_a
        response = client_for(api_env.writer).patch(
            self.detail_url(row.pk), self.update_payload(api_env, row), format="json"
        )
        assert_error(response, 400, "validation", fields=("version",))
