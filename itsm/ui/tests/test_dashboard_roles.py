"""The dashboard shows each role its work (issue 8, item 11): exact counts on fixture data,
each linking to the list filtered the same way; customers see only their own figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from itsm.catalog.models import Service
from itsm.cmdb.models import ConfigurationAudit
from itsm.core.calendars import businesstime
from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory
from itsm.slm.clocks import services as clocks
from itsm.slm.clocks.services import testtickets
from itsm.slm.clocks.tests.factories import make_all_day, make_cn_5x8, open_test_ticket, signed_sla
from itsm.slm.models import Agreement, ReviewMeeting
from itsm.slm.services import agreements as agreement_services

TZ = ZoneInfo("Asia/Shanghai")
#: the middle of a month, so every clock below is measured in "this month"
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _english_and_fresh_engines():
    businesstime.invalidate()
    with translation.override("en"):
        yield
    businesstime.invalidate()


@pytest.fixture
def work(monkeypatch, provider, customer_a, customer_b):
    """Customer A: one SLA (two breached clocks, one response met), Customer B: one SLA (two
    breached clocks, one warned); plus an agreement expiring in 20 days, one in negotiation,
    a service in review, two planned review meetings (one due in 10 days, one in 90), an
    open and a closed CMDB audit."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    calendar = make_all_day()
    make_cn_5x8()  # observes China's holidays: 2027 has no rows yet
    sla_a = signed_sla(customer_a, calendar=calendar)
    sla_b = signed_sla(customer_b, calendar=calendar)
    open_test_ticket(sla_a, priority="p1", opened_at=NOW - timedelta(hours=5))
    answered = open_test_ticket(sla_a, priority="p2", opened_at=NOW - timedelta(minutes=50))
    testtickets.respond_test_ticket(answered, by=None, at=NOW - timedelta(minutes=10))
    open_test_ticket(sla_b, priority="p1", opened_at=NOW - timedelta(hours=5))
    open_test_ticket(sla_b, priority="p2", opened_at=NOW - timedelta(minutes=50))
    while clocks.sweep(now=NOW):
        pass
    ReviewMeeting.objects.all().delete()
    for days in (10, 90):
        ReviewMeeting.objects.create(
            kind="monthly",
            agreement=sla_a,
            customer=customer_a,
            title=f"Review in {days} days",
            due_date=NOW.date() + timedelta(days=days),
        )
    Agreement.objects.filter(pk=sla_b.pk).update(valid_to=NOW.date() + timedelta(days=20))
    negotiating = agreement_services.create_agreement(
        kind="sla", customer=customer_a, by=None, services=[], title="Next year's SLA"
    )
    Agreement.objects.filter(pk=negotiating.pk).update(status="negotiating")
    Service.objects.filter(pk=sla_b.services.get().pk).update(status="in_review")
    for status in ("open", "closed"):
        ConfigurationAudit.objects.create(number=f"AUD-{status}", title="Audit", status=status)
    return {"a": sla_a, "b": sla_b}


def _cards(response, group):
    return {card.key: card.value for card in response.context[group]}


def _get(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_a_service_desk_agent_sees_the_sla_clocks_at_risk(client, work):
    agent = UserFactory(roles=[Role.SERVICE_DESK], language="en")
    response = _get(client, agent)
    assert _cards(response, "work_cards") == {"clocks-breached": 4, "clocks-at-risk": 1}
    assert response.context["customer_cards"] == []
    assert response.context["admin_cards"] == []
    assert response.context["unconfirmed_years"] is None
    html = response.content.decode()
    assert (
        'href="/clocks/?state=running&amp;state=paused&amp;breached=true" class="text-reset" '
        'data-count="clocks-breached">4<' in html
    )
    # the linked list shows exactly the counted clocks
    listed = client.get("/clocks/?state=running&state=paused&breached=true")
    assert len(listed.context["page"].rows) == 4
    at_risk = client.get("/clocks/?state=running&state=paused&breached=false&level=1")
    assert len(at_risk.context["page"].rows) == 1


@pytest.mark.django_db
def test_a_service_level_manager_sees_agreements_reviews_and_services(client, work):
    manager = UserFactory(roles=[Role.SERVICE_LEVEL_MANAGER], language="en")
    response = _get(client, manager)
    assert _cards(response, "work_cards") == {
        "clocks-breached": 4,
        "clocks-at-risk": 1,
        "reviews-due": 1,
        "agreements-expiring": 1,
        "agreements-negotiating": 1,
        "services-in-review": 1,
    }
    links = {card.key: card.url for card in response.context["work_cards"]}
    meetings = client.get(links["reviews-due"]).context["object_list"]
    assert [m.title for m in meetings] == ["Review in 10 days"]
    # a service level manager may confirm calendar years
    assert [str(item) for item in response.context["unconfirmed_years"]] == ["China 5x8 2027"]


@pytest.mark.django_db
def test_a_configuration_manager_sees_open_audits(client, work):
    cmdb = UserFactory(roles=[Role.CONFIGURATION_MANAGER], language="en")
    response = _get(client, cmdb)
    assert _cards(response, "work_cards") == {
        "clocks-breached": 4,
        "clocks-at-risk": 1,
        "cmdb-audits-open": 1,
    }
    assert response.context["unconfirmed_years"] is None


@pytest.mark.django_db
def test_an_administrator_also_sees_the_platform(client, work, admin_user):
    response = _get(client, admin_user)
    admin = _cards(response, "admin_cards")
    assert admin["organisations"] == 3  # provider, customer A, customer B
    assert admin["outbox-dead"] == 0
    assert [str(item) for item in response.context["unconfirmed_years"]] == ["China 5x8 2027"]
    html = response.content.decode()
    assert 'href="/calendars/' in html and "China 5x8 2027</a>" in html


@pytest.mark.django_db
def test_a_customer_sees_their_services_and_sla_figures_only(client, work, customer_a):
    customer = UserFactory(organisation=customer_a, roles=[Role.CUSTOMER_USER], language="en")
    response = _get(client, customer)
    assert response.context["work_cards"] == []
    assert response.context["admin_cards"] == []
    assert response.context["outbox"] is None
    assert response.context["chart"] is None
    cards = {card.key: card for card in response.context["customer_cards"]}
    assert {key: card.value for key, card in cards.items()} == {
        "my-services": 1,
        "my-agreements": 1,
        # A: response and resolution of the P1 ticket breached, the P2 response met
        "my-sla-achievement": "33.3 %",
        "my-sla-breaches": 2,
    }
    assert cards["my-sla-achievement"].hint == "1 of 3 targets met"
    assert cards["my-sla-achievement"].url == "/slm/reports/?start=2026-03&end=2026-03"
    html = response.content.decode()
    shown = sorted(part.split('"', 1)[0] for part in html.split('data-count="')[1:])
    assert shown == ["my-agreements", "my-services", "my-sla-achievement", "my-sla-breaches"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_job_runs_show_in_local_time(client, admin_user, language):
    """Issue 8, item 5: job runs were shown in UTC (8 hours off)."""
    from datetime import UTC

    from itsm.core.outbox.models import Job

    Job.objects.create(
        name="clocks.sweep", started_at=datetime(2026, 3, 1, 8, 30, tzinfo=UTC), status="ok"
    )
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    html = client.get("/").content.decode()
    assert '<span class="text-secondary" data-testid="job-started">2026-03-01 16:30</span>' in html
    assert "08:30" not in html
