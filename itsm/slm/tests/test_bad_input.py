"""Bad input to the SLM pages and API answers exactly: a filter value out of range is
refused naming the field (API 400) or dropped (page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.core.testing.api import assert_error
from itsm.slm.services import reviews as review_services
from itsm.slm.tests.factories import make_signed_sla

pytestmark = pytest.mark.django_db


def test_review_list_refuses_a_year_out_of_range(manager, customer_a, signed_in):
    sla = make_signed_sla(customer_a, by=manager)
    review_services.generate_review_schedule(sla, year=2026, by=manager)
    client = signed_in(manager)
    page = client.get(reverse("slm:review_list"), {"year": "99999999999"})
    assert page.status_code == 200
    assert list(page.context["filterset"].form.errors) == ["year"]
    api = client.get("/api/slm/reviews/", {"year": "99999999999"})
    body = assert_error(api, 400, "validation", fields=("year",))
    assert list(body["fields"]) == ["year"]
