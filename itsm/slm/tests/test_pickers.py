"""Pickers on the agreement form (issue 8 item 7): services and supported SLAs are picked by
code or number through the restricted lookups; a rejected value keeps the rest of the form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from itsm.catalog.models import Service
from itsm.core.models import User
from itsm.slm.forms import AgreementForm
from itsm.slm.models import Agreement
from itsm.slm.tests.factories import make_sla, published_service, slm_manager

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _client(user) -> Client:
    User.objects.filter(pk=user.pk).update(language="en")
    client = Client()
    client.force_login(user)
    return client


def _results(response) -> list[str]:
    assert response.status_code == 200
    return [row["value"] for row in response.json()["results"]]


def test_sla_lookup_answers_only_the_customers_own_agreements(
    customer_a, customer_b, customer_user
):
    manager = slm_manager()
    own = make_sla(customer_a, title="Bank core SLA", by=manager)
    other = make_sla(customer_b, title="Bank ledger SLA", by=manager)
    url = reverse("core:lookup", args=["slm.sla"])
    assert _results(_client(manager).get(url, {"q": "bank"})) == sorted([own.number, other.number])
    assert _results(_client(customer_user).get(url, {"q": "bank"})) == [own.number]
    assert _results(_client(customer_user).get(url, {"q": other.number})) == []


def test_service_lookup_follows_the_service_policy(customer_a, customer_b, customer_user):
    mine = published_service(customers=[customer_a], code="SVC-MAIL")
    theirs = published_service(customers=[customer_b], code="SVC-MAP")
    url = reverse("core:lookup", args=["catalog.service"])
    visible = Service.objects.restrict(customer_user, "view").filter(code__startswith="SVC-MA")
    assert _results(_client(customer_user).get(url, {"q": "SVC-MA"})) == sorted(
        s.code for s in visible
    )
    assert theirs.code not in _results(_client(customer_user).get(url, {"q": "SVC-MA"}))
    assert _results(_client(slm_manager()).get(url, {"q": "SVC-MA"})) == [mine.code, theirs.code]


def test_agreement_form_takes_codes_and_ids_and_refuses_foreign_ones(
    customer_a, customer_b, customer_user
):
    manager = slm_manager()
    one = published_service(customers=[customer_a], code="SVC-ONE")
    two = published_service(customers=[customer_a], code="SVC-TWO")
    foreign_sla = make_sla(customer_b, by=manager)
    data = {"kind": "ola", "title": "Desk OLA", "warning_percent": 75}
    form = AgreementForm({**data, "services": f"svc-one, {two.pk}"}, user=manager)
    form.is_valid()
    assert "services" not in form.errors
    assert form.cleaned_data["services"] == [one, two]
    # a customer user may not see another customer's SLA: refused, named on the field
    form = AgreementForm({**data, "underpins": foreign_sla.number}, user=customer_user)
    assert not form.is_valid()
    assert form.errors["underpins"] == [
        f"No agreement “{foreign_sla.number}” that you may choose: pick one from the list."
    ]


def test_rejected_service_keeps_the_rest_of_the_agreement_form(customer_a):
    manager = slm_manager()
    service = published_service(customers=[customer_a], code="SVC-KEEP")
    response = _client(manager).post(
        reverse("slm:agreement_create"),
        {
            "kind": "ola",
            "title": "Desk OLA kept",
            "warning_percent": 75,
            "services": f"{service.code}, SVC-NOPE",
        },
    )
    assert response.status_code == 200
    assert not Agreement.objects.filter(title="Desk OLA kept").exists()
    form = response.context["form"]
    assert form.errors["services"] == [
        "No service “SVC-NOPE” that you may choose: pick one from the list."
    ]
    body = response.content.decode()
    assert 'value="Desk OLA kept"' in body
    # the picker still shows both values, the known one with its name
    assert f'name="services" value="{service.code}, SVC-NOPE"' in body
    assert f"{service.code} · {service.name}" in body
