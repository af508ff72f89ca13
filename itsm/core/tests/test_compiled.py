"""``core.compiled.CompiledValues``: the rows of a ``values_list()`` query, the ORM's SQL
compiled once and run again with each call's parameters — the same rows as the queryset."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from itsm.catalog.models import Service
from itsm.core import stamps
from itsm.core.compiled import _BY_PK, CompiledValues, get_by_pk
from itsm.core.models import Organisation, TimelineEntry
from itsm.core.timeline import record_event

pytestmark = pytest.mark.django_db


def _events(content_type_id, object_id):
    return (
        TimelineEntry.objects.filter(content_type_id=content_type_id, object_id=object_id)
        .order_by("id")
        .values_list("verb", "at", "data", "actor_id")
    )


@pytest.fixture
def organisations(provider, customer_a, admin_user):
    for org in (provider, customer_a):
        record_event(org, "checked", by=admin_user, data={"ok": [1, "zwei"], "n": None})
    return ContentType.objects.get_for_model(Organisation).pk, provider, customer_a


def test_the_rows_of_the_queryset(organisations):
    content_type, provider, customer = organisations
    events = CompiledValues(TimelineEntry, _events)
    for org in (provider, customer, provider):  # compiled on the first call, run after
        expected = list(_events(content_type, str(org.pk)))
        assert events(content_type, str(org.pk)) == expected
        assert [verb for verb, *_ in expected] == ["created", "checked"]
    assert events._compiled["default"] is not None


def test_one_statement_and_no_compilation_after_the_first(organisations, monkeypatch):
    content_type, provider, customer = organisations
    events = CompiledValues(TimelineEntry, _events)
    events(content_type, str(provider.pk))
    built = []
    monkeypatch.setattr(events, "build", lambda *params: built.append(params))
    with CaptureQueriesContext(connection) as statements:
        rows = events(content_type, str(customer.pk))
    assert (len(statements), built, len(rows)) == (1, [], 2)


def test_a_query_that_does_not_qualify_is_evaluated_by_the_orm(organisations):
    content_type, provider, customer = organisations

    def newer(content_type_id, object_id):  # a constant of its own among the parameters
        return _events(content_type_id, object_id).exclude(verb="deleted")

    others = CompiledValues(TimelineEntry, newer)
    assert others(content_type, str(provider.pk)) == list(newer(content_type, str(provider.pk)))
    assert others._compiled["default"] is None
    assert others(content_type, str(customer.pk)) == list(newer(content_type, str(customer.pk)))
    # a parameter that is not a plain value: the ORM, compiled nothing
    assert CompiledValues(TimelineEntry, _events)(content_type, None) == []


def test_get_by_pk_is_get(provider, customer_a, customer_b):
    whole = Organisation._default_manager.all()
    for org in (provider, customer_a, customer_b):
        found = get_by_pk(Organisation._default_manager.all(), org.pk)
        expected = whole.get(pk=org.pk)
        assert type(found) is Organisation and not found._state.adding
        assert found._state.db == "default"
        assert [getattr(found, f.attname) for f in Organisation._meta.concrete_fields] == [
            getattr(expected, f.attname) for f in Organisation._meta.concrete_fields
        ]
    assert _BY_PK[(Organisation, "default")] is not None
    with CaptureQueriesContext(connection) as statements:
        get_by_pk(Organisation._default_manager.all(), customer_a.pk)
    assert len(statements) == 1
    with pytest.raises(Organisation.DoesNotExist, match="Organisation matching query"):
        get_by_pk(whole, customer_b.pk + 1000)


def test_get_by_pk_of_a_narrower_queryset_asks_the_queryset(provider, customer_a):
    customers = Organisation._default_manager.filter(kind=customer_a.kind)
    assert get_by_pk(customers, customer_a.pk) == customer_a
    with pytest.raises(Organisation.DoesNotExist):
        get_by_pk(customers, provider.pk)  # a row the queryset does not hold
    with pytest.raises(Organisation.DoesNotExist):
        get_by_pk(Organisation._default_manager.none(), provider.pk)
    partial = get_by_pk(Organisation._default_manager.only("code"), provider.pk)
    assert partial.get_deferred_fields() == {
        f.attname for f in Organisation._meta.concrete_fields
    } - {"id", "code"}
    assert get_by_pk(Organisation._default_manager.all(), str(provider.pk)) == provider


@override_settings(ITSM_STAMP_TTL=60)
def test_get_by_pk_of_a_configuration_row_reads_it_once_while_its_stamp_stands(customer_a):
    """An organisation (stamp ``people``) is read once per process: the next read sends no
    statement; a save gives the stamp a new token and the next read sees the change; a missing
    row is never kept; a value changed in place on one instance is not seen by the next."""
    from itsm.catalog.tests.factories import make_service

    whole = Organisation._default_manager.all()
    stamps.bump("people")
    get_by_pk(whole, customer_a.pk)
    with CaptureQueriesContext(connection) as statements:
        again = get_by_pk(whole, customer_a.pk)
    assert len(statements) == 0 and again == customer_a and again is not customer_a
    customer_a.name = "Renamed"
    customer_a.save()
    assert get_by_pk(whole, customer_a.pk).name == "Renamed"
    missing = customer_a.pk + 1000
    with pytest.raises(Organisation.DoesNotExist):
        get_by_pk(whole, missing)
    with pytest.raises(Organisation.DoesNotExist):  # asked again, not kept as missing
        with CaptureQueriesContext(connection) as statements:
            get_by_pk(whole, missing)
    assert len(statements) == 1
    service = make_service()
    services = Service._default_manager.all()
    modes = list(get_by_pk(services, service.pk).modes)
    get_by_pk(services, service.pk).modes.append("changed in place")
    assert get_by_pk(services, service.pk).modes == modes == list(service.modes)
