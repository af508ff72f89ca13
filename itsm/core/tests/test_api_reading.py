"""Every API serializer's rows read through the plan (``core/api/reading.py``) equal DRF's own
``Serializer.to_representation`` without the reader's hidden fields — key for key, value for
value, in the same order — for provider staff and for a customer user, over the demo data."""

from __future__ import annotations

import pytest
from django.urls import get_resolver
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from itsm.core import policy
from itsm.core.api.base import TenancySerializerMixin
from itsm.core.models import User

pytestmark = pytest.mark.django_db


def _viewsets(patterns=None, found=None) -> dict:
    found = {} if found is None else found
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if hasattr(pattern, "url_patterns"):
            _viewsets(pattern.url_patterns, found)
            continue
        cls = getattr(getattr(pattern, "callback", None), "cls", None)
        serializer = getattr(cls, "serializer_class", None)
        if (
            isinstance(serializer, type)
            and issubclass(serializer, TenancySerializerMixin)
            and getattr(cls, "queryset", None) is not None
        ):
            found[cls] = serializer
    return found


def _drf(serializer, row) -> dict:
    data = serializers.Serializer.to_representation(serializer, row)
    for name in serializer._hidden():
        data.pop(name, None)
    return data


@pytest.mark.parametrize("username", ["admin", "customer"])
def test_planned_rows_equal_drf_rows(module_demo, username, monkeypatch):
    user = User.objects.get(username=username)
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)  # live clock times: one moment
    request = Request(APIRequestFactory().get("/api/"))
    request.user = user
    viewsets = _viewsets()
    assert len(viewsets) > 10
    planned = {}
    for viewset, serializer_class in viewsets.items():
        rows = list(policy.restrict(viewset.queryset.all(), user, "view")[:8])
        data = serializer_class(rows, many=True, context={"request": request}).data
        planned[viewset] = (serializer_class, rows, data)
    # DRF's own reading, field by field (the base before core/api/reading.py)
    monkeypatch.setattr(TenancySerializerMixin, "to_representation", _drf)
    compared = 0
    for viewset, (serializer_class, rows, data) in planned.items():
        expected = serializer_class(rows, many=True, context={"request": request}).data
        for got, want, row in zip(data, expected, rows, strict=True):
            assert list(got.items()) == list(want.items()), (viewset.__name__, row.pk)
            compared += 1
    assert compared > 40


def _columns(row) -> dict:
    return {name: value for name, value in vars(row).items() if name != "_state"}


def test_page_rows_are_the_instances_django_builds(module_demo):
    """``PageRowIterable`` (the rows of every list page, HTML and API) gives the instances
    Django's ``ModelIterable`` builds: every column and annotation, each value of the same
    type (aware date-times in UTC, read by psycopg's C loader on PostgreSQL), loaded from the
    database (``_state``); a deferred column and an empty page too."""
    from django.db import connection
    from django.db.models import F

    from itsm.cmdb.models import ConfigurationItem
    from itsm.core.lists import rows

    def both(queryset):
        return list(queryset), list(rows.page_rows(queryset))

    if connection.vendor == "postgresql":
        assert rows._fast_timestamps(connection) is not None

    base = ConfigurationItem.objects.annotate(ci_class__code=F("ci_class__code")).order_by("-id")
    for queryset in (base, base.only("id", "name", "updated_at"), base.filter(pk__in=[])):
        django_rows, page_rows = both(queryset)
        assert [_columns(row) for row in page_rows] == [_columns(row) for row in django_rows]
        for fast, slow in zip(page_rows, django_rows, strict=True):
            assert type(fast) is type(slow)
            assert [type(value) for value in _columns(fast).values()] == [
                type(value) for value in _columns(slow).values()
            ]
            assert fast.updated_at.tzinfo is slow.updated_at.tzinfo
            assert (fast._state.adding, fast._state.db) == (False, slow._state.db)
            assert fast.get_deferred_fields() == slow.get_deferred_fields()
    assert len(page_rows) == 0 and len(django_rows) == 0
    assert len(both(base)[0]) > 10


def test_field_copies_are_copy_copy(module_demo):
    """``_fresh_copy`` of every field of every API serializer is what ``copy.copy`` (a plain
    field) or ``copy.deepcopy`` (one holding others) makes: the same type and attributes, a new
    object; binding the copy to a serializer leaves the field built once per class unbound."""
    import copy

    from itsm.core.api.base import _fresh_copy

    copied = 0
    for serializer_class in _viewsets().values():
        serializer_class()._built_once()  # builds the class's fields once
        for name, original in serializer_class._fields_built_once.items():
            twin = _fresh_copy(original)
            assert twin is not original and type(twin) is type(original)
            if not (hasattr(original, "child") or hasattr(original, "child_relation")):
                assert vars(twin) == vars(copy.copy(original)), (serializer_class, name)
                copied += 1
            twin.bind(name, serializers.Serializer())
            assert twin.field_name == name and getattr(original, "field_name", None) is None
    assert copied > 200


def test_fields_are_copied_as_they_are_read(module_demo):
    """A serializer's fields are copied from its class's and bound when first read: validating
    a JSON body copies only the writable fields it gives and those that answer when absent
    (required, or with a default); reading them all gives DRF's fields (the same names,
    order, types and settings), each bound to the serializer, and a writable related field
    narrowed to the rows the user may view."""
    from itsm.desk.api.serializers import TicketSerializer

    customer = User.objects.get(username="customer")
    request = Request(APIRequestFactory().post("/"))
    request.user = customer
    body = {"kind": "incident", "title": "Printer", "channel": "portal"}
    TicketSerializer(data=body, context={"request": request}).is_valid()  # the class's validators
    serializer = TicketSerializer(data=body, context={"request": request})
    assert serializer.is_valid(), serializer.errors
    shared = TicketSerializer._fields_built_once
    made = {name for name, field in serializer.fields.fields.items() if field is not shared[name]}
    answering = TicketSerializer._answering_once
    assert made == (set(body) & TicketSerializer._writable_once) | answering
    assert "channel" in answering and "cis" not in made  # a default; an optional many-to-many
    assert "number" in serializer.fields.fields and "number" not in made

    drf = serializers.ModelSerializer.get_fields(TicketSerializer(context={"request": request}))
    assert list(serializer.fields) == list(drf)
    for name, field in serializer.fields.items():
        assert type(field) is type(drf[name]) and field.parent is serializer
        assert (field.read_only, field.required) == (drf[name].read_only, drf[name].required)
    customers = serializer.fields["customer"].get_queryset()
    assert list(customers.values_list("pk", flat=True)) == [customer.organisation_id]


def test_fields_an_instance_adds_removes_or_changes_are_validated(module_demo):
    """A serializer that changes its fields in ``__init__`` validates what it ends up with, as
    with DRF: a field it adds is validated, one it removes is not read, one it makes read-only
    is left out."""
    from itsm.desk.api.serializers import TicketSerializer

    class Changed(TicketSerializer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            del self.fields["description"]
            self.fields["note"] = serializers.CharField(max_length=3)
            self.fields["title"].read_only = True

    request = Request(APIRequestFactory().post("/"))
    request.user = User.objects.get(username="customer")
    body = {"kind": "incident", "title": "Printer", "channel": "portal", "description": "d"}
    serializer = Changed(data={**body, "note": "long"}, context={"request": request})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"note"}
    serializer = Changed(data={**body, "note": "ok"}, context={"request": request})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["note"] == "ok"
    assert "title" not in serializer.validated_data
    assert "description" not in serializer.validated_data


@pytest.mark.parametrize("username", ["admin", "customer"])
def test_a_json_body_is_validated_as_drf_validates_every_field(module_demo, username, monkeypatch):
    """Skipping the writable fields a JSON body does not give (neither required nor
    defaulted) changes nothing: for every API serializer and bodies that give nothing, or
    only some fields, the errors and the validated data are those of validating every
    writable field (as a form's input is); after validating, every writable field is
    offered again (DRF's unique-together validators, built then, see them all)."""
    from itsm.core.api import base

    request = Request(APIRequestFactory().post("/"))
    request.user = User.objects.get(username=username)
    context = {"request": request}

    def outcome(serializer_class, body):
        serializer = serializer_class(data=body, context=context)
        valid = serializer.is_valid()
        answer = serializer.validated_data if valid else serializer.errors
        offered = {field.field_name for field in serializer._writable_fields}
        assert offered == serializer_class._writable_once, serializer_class
        return valid, {key: repr(value) for key, value in answer.items()}

    compared = 0
    for serializer_class in _viewsets().values():
        serializer_class()._built_once()
        writable = sorted(serializer_class._writable_once)
        bodies = [{}, {name: "" for name in writable[::2]}, {name: None for name in writable[1::2]}]
        sparse = [outcome(serializer_class, body) for body in bodies]
        with monkeypatch.context() as patched:  # every field validated, as for a form
            patched.setattr(base, "html", type("Html", (), {"is_html_input": staticmethod(bool)}))
            full = [outcome(serializer_class, body) for body in bodies]
        assert sparse == full, serializer_class
        compared += 1
    assert compared > 30
