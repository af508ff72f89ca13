"""Pages a role may not see answer 403/404 (issue 8 items 2 and 16), focused cases beside the
route walk (``test_route_walk.py``): provider-only pages → 403 for a customer, a hidden or
foreign row → 404, on the history page too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.catalog import services as catalog_services
from itsm.catalog.tests.factories import make_published, make_service
from itsm.slm.clocks.tests.factories import open_test_ticket, signed_sla

pytestmark = pytest.mark.django_db


def _history(obj) -> str:
    meta = obj._meta
    return reverse(
        "core:history",
        kwargs={"app_label": meta.app_label, "model_name": meta.model_name, "pk": obj.pk},
    )


def test_history_of_a_service_follows_the_services_own_visibility(
    client, customer_user, customer_a, customer_b, agent
):
    draft = make_service(customers=[customer_a])
    draft_item = catalog_services.add_item(service=draft, code="I1", name="Fix", by=None)
    published = make_published(customers=[customer_a])
    foreign = make_published(customers=[customer_b])
    client.force_login(customer_user)
    # a draft of the customer's own organisation is hidden from them: 404, like its page
    assert client.get(_history(draft)).status_code == 404
    assert client.get(_history(draft_item)).status_code == 404
    assert client.get(reverse("api:catalog-api:service-detail", args=[draft.pk])).status_code == 404
    assert client.get(_history(foreign)).status_code == 404
    assert client.get(_history(published)).status_code == 200
    # provider staff see every status
    client.force_login(agent)
    assert client.get(_history(draft)).status_code == 200


def test_history_of_a_provider_internal_model_is_403_for_a_customer(client, customer_user, agent):
    from itsm.core.models import Team
    from itsm.core.testing.factories import TeamFactory

    team = TeamFactory()
    client.force_login(customer_user)
    assert client.get(_history(team)).status_code == 403
    assert client.get(_history(Team(pk=999999))).status_code == 403
    client.force_login(agent)
    assert client.get(_history(team)).status_code == 200
    assert client.get(_history(Team(pk=999999))).status_code == 404


def test_customer_gets_403_on_provider_pages(client, customer_user, customer_a, agent):
    ticket = open_test_ticket(signed_sla(customer_a))
    client.force_login(customer_user)
    for url in (
        reverse("clocks:clock_list"),
        reverse("clocks:testticket_list"),
        reverse("clocks:testticket_detail", args=[ticket.pk]),
        reverse("calendars:list"),
        reverse("calendars:detail", args=[ticket.agreement.calendar_id]),
        _history(ticket),
    ):
        assert client.get(url).status_code == 403, url
    client.force_login(agent)
    assert client.get(reverse("clocks:clock_list")).status_code == 200
    assert client.get(reverse("clocks:testticket_detail", args=[ticket.pk])).status_code == 200
    assert client.get(reverse("calendars:list")).status_code == 200


def test_report_of_another_customers_agreement_is_404(
    client, customer_user, customer_a, customer_b
):
    own = signed_sla(customer_a)
    foreign = signed_sla(customer_b)
    client.force_login(customer_user)
    report = reverse("slm:report")
    assert client.get(report, {"agreement": foreign.pk}).status_code == 404
    assert client.get(report, {"agreement": 2**40}).status_code == 404
    assert client.get(report, {"agreement": own.pk}).status_code == 200
    assert client.get(reverse("slm:report_monthly"), {"agreement": foreign.pk}).status_code == 404
