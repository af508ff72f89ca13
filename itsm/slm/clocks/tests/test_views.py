"""Pages: test ticket create/detail/actions, the clock panel's explained lines, the clock list
(tenancy, query count)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory
from itsm.slm.clocks import selectors, services
from itsm.slm.clocks.models import SlaTestTicket
from itsm.slm.clocks.tests.factories import open_test_ticket, signed_sla, slm_manager

TZ = ZoneInfo("Asia/Shanghai")
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)

pytestmark = pytest.mark.django_db


def test_create_from_agreement_link_and_act(client, customer_a):
    manager = slm_manager()
    manager.language = "en"  # the assertions below read the English texts
    manager.save(update_fields=["language"])
    agreement = signed_sla(customer_a)
    client.force_login(manager)
    url = reverse("clocks:testticket_create") + f"?agreement={agreement.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert f'<option value="{agreement.pk}" selected>' in page.content.decode()
    response = client.post(
        url,
        {
            "title": "VPN down",
            "agreement": agreement.pk,
            "service": agreement.services.first().pk,
            "priority": "p1",
            "opened_at": "2026-03-02T09:00",
        },
    )
    ticket = SlaTestTicket.objects.get(title="VPN down")
    assert response.status_code == 302
    assert response.url == reverse("clocks:testticket_detail", kwargs={"pk": ticket.pk})
    action = reverse("clocks:testticket_action", kwargs={"pk": ticket.pk, "action": "pause"})
    assert client.post(action, {"reason": "等待客户"}).status_code == 302
    detail = client.get(reverse("clocks:testticket_detail", kwargs={"pk": ticket.pk}))
    html = detail.content.decode()
    assert "paused since" in html and "等待客户" in html
    assert 'data-testid="action-resume"' in html


def test_clock_panel_explains_segments_in_business_time(customer_a):
    agreement = signed_sla(customer_a)
    ticket = open_test_ticket(agreement, priority="p2", opened_at=OPENED)
    clock = services.clocks_of(ticket)[1]  # resolution, 8 h
    services.pause_clock(clock, at=datetime(2026, 3, 2, 10, 5, tzinfo=TZ), reason="waiting")
    services.resume_clock(clock, at=datetime(2026, 3, 2, 14, 15, tzinfo=TZ))
    now = datetime(2026, 3, 2, 15, 0, tzinfo=TZ)
    view = [v for v in selectors.clock_panel(ticket, now=now) if v.clock.metric == "resolution"][0]
    assert [line.text for line in view.lines] == [
        "running 2026-03-02 09:00 – 2026-03-02 10:05: 1 h 05 m (business time)",
        "paused 2026-03-02 10:05 – 2026-03-02 14:15, 3 h 10 m: waiting",
        "running since 2026-03-02 14:15: 0 h 45 m so far (business time)",
    ]
    assert (view.elapsed, view.goal, view.percent, view.colour) == (
        "1 h 50 m",
        "8 h 00 m",
        22,
        "green",
    )


def test_clock_list_restricted_and_constant_queries(client, customer_a, customer_b):
    agreement_a = signed_sla(customer_a)
    agreement_b = signed_sla(customer_b)
    open_test_ticket(agreement_a, opened_at=OPENED, title="A ticket")
    open_test_ticket(agreement_b, opened_at=OPENED, title="B ticket")
    customer = UserFactory(organisation=customer_a, roles=[Role.CUSTOMER_USER])
    client.force_login(customer)
    # the clock list is the provider's work queue (issue 8 #2): 403 even for their own clocks
    assert client.get(reverse("clocks:clock_list")).status_code == 403
    staff = UserFactory(roles=[Role.ENGINEER_L1])
    client.force_login(staff)
    client.get(reverse("clocks:clock_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("clocks:clock_list"))
    for n in range(3):
        open_test_ticket(agreement_a, opened_at=OPENED, title=f"More {n}")
    with CaptureQueriesContext(connection) as more:
        response = client.get(reverse("clocks:clock_list"), {"state": "running"})
    assert response.status_code == 200
    assert response.content.decode().count("More ") == 6
    assert len(more) <= len(few) + 1  # the filter form may add a lookup, never a query per row


def test_customer_cannot_open_or_act_on_test_tickets(client, customer_a, customer_b):
    """Test tickets are a provider tool (their timeline shows internal escalations): 403 for
    a customer user, for their own organisation's tickets too (issue 8 #2)."""
    ticket_b = open_test_ticket(signed_sla(customer_b), opened_at=OPENED)
    ticket_a = open_test_ticket(signed_sla(customer_a), opened_at=OPENED)
    client.force_login(UserFactory(organisation=customer_a, roles=[Role.CUSTOMER_USER]))
    for ticket in (ticket_a, ticket_b):
        url = reverse("clocks:testticket_detail", kwargs={"pk": ticket.pk})
        assert client.get(url).status_code == 403
    assert client.get(reverse("clocks:testticket_list")).status_code == 403
    action = reverse("clocks:testticket_action", kwargs={"pk": ticket_a.pk, "action": "close"})
    assert client.post(action).status_code == 403
    assert client.get(reverse("clocks:testticket_create")).status_code == 403
    client.force_login(UserFactory(roles=[Role.ENGINEER_L1]))
    assert (
        client.get(reverse("clocks:testticket_detail", kwargs={"pk": ticket_b.pk})).status_code
        == 200
    )


def test_clock_list_shows_translated_metric_labels(client, customer_a):
    """Review R3: the list showed the raw metric code ("response") on zh-hans pages."""
    open_test_ticket(signed_sla(customer_a), opened_at=OPENED, title="Label ticket")
    staff = UserFactory(roles=[Role.ENGINEER_L1], language="zh-hans")
    client.force_login(staff)
    html = client.get(reverse("clocks:clock_list")).content.decode()
    cell = '<td data-column="metric">{}</td>'
    assert cell.format("响应时间") in html and cell.format("解决时间") in html
    assert cell.format("response") not in html and cell.format("resolution") not in html


def test_clock_display_uses_the_metric_label(customer_a):
    """Review R3: ``str(clock)`` (the API's ``display``) showed the raw metric code."""
    from django.utils import translation

    ticket = open_test_ticket(signed_sla(customer_a), opened_at=OPENED, title="Str ticket")
    clock = services.clocks_of(ticket)[0]
    with translation.override("en"):
        assert str(clock) == f"{ticket} Response time"
    with translation.override("zh-hans"):
        assert str(clock) == f"{ticket} 响应时间"
