"""HTML pages: list, detail (warnings, targets), signed edit asks for a reference, tenancy."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from itsm.core.testing.factories import SupplierFactory
from itsm.releases.tests.factories import implementing_change
from itsm.slm.models import Agreement
from itsm.slm.services import agreements, reviews
from itsm.slm.tests.factories import calendar_cn, make_signed_sla, slm_manager

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(provider):
    return slm_manager(username="slm-ui")


def test_pages_and_warnings(manager, customer_a):
    calendar_cn()
    sla = make_signed_sla(customer_a, by=manager)
    uc = agreements.create_agreement(
        kind="uc", title="HW", by=manager, supplier=SupplierFactory(), underpins=[sla]
    )
    agreements.add_target(
        agreement=uc, by=manager, metric="resolution", priority="p1", target_value=480
    )
    reviews.generate_review_schedule(sla, year=2026, by=manager)
    client = _client(manager)
    listing = client.get(reverse("slm:agreement_list"), {"kind": "sla"})
    assert listing.status_code == 200
    assert sla.number in listing.content.decode() and uc.number not in listing.content.decode()
    for agreement, other in ((sla, uc), (uc, sla)):
        page = client.get(reverse("slm:agreement_detail", args=[agreement.pk])).content.decode()
        assert 'data-testid="underpinning-warnings"' in page
        assert other.number in page
    assert client.get(reverse("slm:review_list"), {"year": 2026}).status_code == 200
    meeting = sla.reviews.first()
    assert client.get(reverse("slm:review_detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("slm:requirement_list")).status_code == 200
    assert client.get(reverse("slm:agreement_create")).status_code == 200
    assert client.get(reverse("slm:target_add", args=[sla.pk])).status_code == 200


def test_signed_edit_asks_for_reference(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager)
    client = _client(manager)
    url = reverse("slm:agreement_edit", args=[sla.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "title": "Renamed",
            "customer": customer_a.pk,
            "calendar": sla.calendar_id,
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "warning_percent": 75,
            "services": [s.pk for s in sla.services.all()],
            "version": sla.version,
        }
    )
    data = {k: v for k, v in data.items() if k not in ("team", "supplier")}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "change_reference" in response.context["form"].errors
    response = client.post(url, {**data, "change_reference": "CHG-000099"})
    [message] = response.context["form"].errors["change_reference"]
    assert "CHG-000099" in message  # no such change
    response = client.post(url, {**data, "change_reference": implementing_change().number})
    assert response.status_code == 302
    assert Agreement.objects.get(pk=sla.pk).title == "Renamed"


def test_customer_sees_only_own_sla_read_only(manager, customer_a, customer_b, customer_user):
    own = make_signed_sla(customer_a, by=manager)
    other = make_signed_sla(customer_b, by=manager)
    client = _client(customer_user)
    listing = client.get(reverse("slm:agreement_list")).content.decode()
    assert own.number in listing and other.number not in listing
    page = client.get(reverse("slm:agreement_detail", args=[own.pk]))
    assert page.status_code == 200
    assert 'data-testid="agreement-edit"' not in page.content.decode()
    assert client.get(reverse("slm:agreement_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("slm:agreement_edit", args=[own.pk])).status_code == 403
    assert (
        client.post(reverse("slm:agreement_transition", args=[own.pk]), {"to": "expired"})
    ).status_code == 403
    assert Agreement.objects.get(pk=own.pk).valid_to == datetime.date(2026, 12, 31)
