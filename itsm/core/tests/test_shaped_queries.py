"""Queries compiled once per shape (``core.compiled.shaped``) outside the CI list: what must
never share a shape — a query inside another (a Django ``Query`` compares equal to any other
query of its model) — is compiled by the ORM every time; what may is bound correctly.
``cmdb/tests/test_list_compiled.py`` checks the CI list's own statements."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.sql import Query

from itsm.core import compiled
from itsm.core.models import Organisation

pytestmark = pytest.mark.django_db


def _orm(queryset):
    plain = queryset._chain()
    plain.query.__class__ = Query
    sql, params = plain.query.get_compiler(using=plain.db).as_sql()
    return sql, tuple(params)


def _kept(queryset):
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


def _check(querysets) -> None:
    compiled.forget_shapes()
    for queryset in querysets:
        shaped = compiled.shaped(queryset)
        assert _kept(shaped) == _orm(queryset)
        assert list(shaped) == list(queryset)
    compiled.forget_shapes()


def test_a_query_inside_another_is_never_part_of_a_shape(customer_a, customer_b):
    def found(code):
        inner = Organisation.objects.filter(code=code, pk=OuterRef("pk"))
        return Organisation.objects.annotate(found=Exists(inner)).order_by("pk")

    def named(code):
        inner = Organisation.objects.filter(code=code).values("name")[:1]
        return Organisation.objects.annotate(other=Subquery(inner)).order_by("pk")

    def either(first, second):
        return (
            Organisation.objects.filter(code=first)
            .order_by()
            .union(Organisation.objects.filter(code=second).order_by())
        )

    _check([found(customer_a.code), found(customer_b.code)])
    _check([named(customer_a.code), named(customer_b.code)])
    _check([either(customer_a.code, "x"), either(customer_b.code, "y")])


def test_queries_of_one_shape_bind_their_own_values(customer_a, customer_b):
    querysets = [
        Organisation.objects.filter(code=code, is_active=True).order_by("-name")[:5]
        for code in (customer_a.code, customer_b.code, "nobody")
    ]
    compiled.forget_shapes()
    for queryset in querysets:
        assert _kept(compiled.shaped(queryset)) == _orm(queryset)
        assert [o.pk for o in compiled.shaped(queryset)] == [o.pk for o in queryset]
    assert len(compiled._SHAPES) == 1  # one shape, three values
    values = Organisation.objects.filter(kind=customer_a.kind).values_list("code", flat=True)
    assert sorted(compiled.shaped(values)) == sorted(values)
    compiled.forget_shapes()
