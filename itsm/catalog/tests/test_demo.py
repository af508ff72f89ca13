"""The catalogue demo step: idempotent, published services for the three demo customers."""

from __future__ import annotations

import pytest

from itsm.catalog.demo import load_catalog
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core.demo import _calendars, _organisations, _people

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_publishes_the_catalogue():
    _organisations()
    _people()
    _calendars()
    created = load_catalog()
    assert (
        created
        == ServiceCategory.objects.count() + Service.objects.count() + ServiceItem.objects.count()
    )
    assert ServiceCategory.objects.count() == 8
    statuses = dict(Service.objects.values_list("code", "status"))
    assert statuses == {
        "SVC-DSK-01": "published",
        "SVC-SRV-01": "published",
        "SVC-NET-01": "published",
        "SVC-DB-01": "published",
        "SVC-APP-01": "published",
        "SVC-DSK-02": "draft",
    }
    hospital = set(
        Service.objects.filter(customers__code="city-hospital", status="published").values_list(
            "code", flat=True
        )
    )
    assert hospital == {"SVC-DSK-01", "SVC-SRV-01", "SVC-NET-01", "SVC-APP-01"}
    server = Service.objects.get(code="SVC-SRV-01")
    assert (server.service_hours.code, server.owner.username, server.items.count()) == (
        "7x24",
        "engineer",
        4,
    )
    assert server.published_by.username == "slm"
    assert load_catalog() == 0
    assert Service.objects.count() == 6


def test_demo_services_are_submitted_and_published_by_two_people():
    _organisations()
    _people()
    _calendars()
    load_catalog()
    pairs = set(
        Service.objects.filter(status="published").values_list(
            "submitted_by__username", "published_by__username"
        )
    )
    assert pairs == {("maintainer", "slm")}
