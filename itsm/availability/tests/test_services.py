"""Outages through the services: by hand (bad input refused with the field named), from
incidents (the rule: a service and P1/P2 or major; start at opening, end at resolution), from
implemented changes (planned), from alerts (record_outage / close_outage, repeats ignored)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.availability import selectors, services
from itsm.availability.models import Outage
from itsm.core.errors import ValidationFailed
from itsm.slm.tests.factories_reports import local, make_service

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


def _ticket(
    customer,
    service,
    *,
    priority="p1",
    is_major=False,
    status="in_progress",
    kind_="incident",
    **fields,
):
    from itsm.desk.models import Ticket

    n = next(_seq)
    fields.setdefault("opened_at", timezone.now() - timedelta(hours=3))
    return Ticket.objects.create(
        number=f"INC-T{n:05d}",
        kind=kind_,
        title=f"Outage {n}",
        customer=customer,
        service=service,
        priority=priority,
        is_major=is_major,
        status=status,
        channel="phone",
        **fields,
    )


def _change(*, services_=(), customers=(), status="implementing", **fields):
    from itsm.change.models import Change
    from itsm.core.testing.factories import UserFactory, get_provider

    n = next(_seq)
    requester = UserFactory(username=f"chg-req-{n}", organisation=get_provider())
    change = Change.objects.create(
        number=f"CHG-T{n:05d}",
        kind="normal",
        title=f"Upgrade {n}",
        status=status,
        requester=requester,
        **fields,
    )
    change.services.set(services_)
    change.customers.set(customers)
    return change


class TestByHand:
    def test_record_and_close(self, admin_user, customer_a):
        service = make_service()
        outage = services.record_outage(
            by=admin_user,
            service=service,
            customer=customer_a,
            started_at=local(2026, 3, 2, 10),
            description="Switch failure",
        )
        assert outage.number.startswith("OUT-") and outage.is_open
        services.close_outage(outage, ended_at=local(2026, 3, 2, 11), by=admin_user)
        outage.refresh_from_db()
        assert (outage.ended_at, outage.version) == (local(2026, 3, 2, 11), 2)

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"ended_at": local(2026, 3, 2, 9)}, "ended_at"),
            ({"kind": "sometimes"}, "kind"),
            ({"source": "rumour"}, "source"),
            ({"started_at": timezone.now() + timedelta(days=2)}, "started_at"),
        ],
    )
    def test_bad_input_names_the_field(self, admin_user, fields, field):
        service = make_service()
        data = {"service": service, "started_at": local(2026, 3, 2, 10), **fields}
        with pytest.raises(ValidationFailed) as error:
            services.record_outage(by=admin_user, **data)
        assert field in error.value.fields
        assert Outage.objects.count() == 0

    def test_a_provider_is_no_customer(self, admin_user, provider):
        with pytest.raises(ValidationFailed) as error:
            services.record_outage(
                by=admin_user,
                service=make_service(),
                customer=provider,
                started_at=local(2026, 3, 2, 10),
            )
        assert error.value.fields == {"customer": ["Choose a customer organisation."]}

    def test_a_planned_interruption_may_lie_ahead(self, admin_user):
        ahead = timezone.now() + timedelta(days=3)
        outage = services.record_outage(
            by=admin_user,
            service=make_service(),
            kind="planned",
            started_at=ahead,
            ended_at=ahead + timedelta(hours=2),
        )
        assert outage.kind == "planned"

    def test_update_refuses_unknown_fields_and_an_end_before_the_start(self, admin_user):
        outage = services.record_outage(
            by=admin_user, service=make_service(), started_at=local(2026, 3, 2, 10)
        )
        with pytest.raises(ValidationFailed) as error:
            services.update_outage(outage, by=admin_user, number="X")
        assert "number" in error.value.fields
        with pytest.raises(ValidationFailed) as error:
            services.update_outage(
                outage, by=admin_user, expected_version=1, ended_at=local(2026, 3, 1)
            )
        assert "ended_at" in error.value.fields


class TestFromIncidents:
    def test_the_rule(self, customer_a):
        service = make_service()
        p1 = _ticket(customer_a, service, priority="p1")
        p2 = _ticket(customer_a, service, priority="p2")
        major_p3 = _ticket(customer_a, service, priority="p3", is_major=True)
        _ticket(customer_a, service, priority="p3")
        _ticket(customer_a, None, priority="p1")
        assert services.sync_incident_outages() == 3
        rows = Outage.objects.order_by("ticket_id")
        assert [(o.ticket_id, o.source, o.kind, o.customer_id, o.started_at) for o in rows] == [
            (t.pk, "incident", "unplanned", customer_a.pk, t.opened_at) for t in (p1, p2, major_p3)
        ]
        assert all(o.ended_at is None for o in rows)
        # a second sync changes nothing
        assert services.sync_incident_outages() == 0

    def test_resolution_ends_the_outage_and_reopening_reopens_it(self, customer_a):
        from itsm.desk.models import Ticket

        service = make_service()
        ticket = _ticket(customer_a, service)
        services.sync_incident_outages()
        resolved = timezone.now() - timedelta(minutes=30)
        Ticket.objects.filter(pk=ticket.pk).update(status="resolved", resolved_at=resolved)
        assert services.sync_incident_outages() == 1
        outage = Outage.objects.get(ticket=ticket)
        assert outage.ended_at == resolved
        Ticket.objects.filter(pk=ticket.pk).update(status="in_progress", resolved_at=None)
        services.sync_incident(Ticket.objects.get(pk=ticket.pk))
        outage.refresh_from_db()
        assert outage.ended_at is None

    def test_a_start_corrected_by_hand_is_kept(self, admin_user, customer_a):
        service = make_service()
        ticket = _ticket(customer_a, service)
        services.sync_incident_outages()
        outage = Outage.objects.get(ticket=ticket)
        earlier = ticket.opened_at - timedelta(minutes=20)
        services.update_outage(outage, by=admin_user, expected_version=1, started_at=earlier)
        services.sync_incident_outages()
        outage.refresh_from_db()
        assert outage.started_at == earlier


class TestFromChanges:
    def test_an_implemented_change_is_a_planned_interruption_per_service_and_customer(
        self, customer_a, customer_b
    ):
        mail, erp = make_service(), make_service()
        start = timezone.now() - timedelta(hours=5)
        change = _change(
            services_=[mail, erp], customers=[customer_a, customer_b], actual_start=start
        )
        assert services.sync_change_outages() == 4
        assert sorted(
            Outage.objects.values_list("service_id", "customer_id", "kind", "source", "ended_at")
        ) == sorted(
            (s.pk, c.pk, "planned", "change", None)
            for s in (mail, erp)
            for c in (customer_a, customer_b)
        )
        from itsm.change.models import Change

        end = start + timedelta(hours=2)
        Change.objects.filter(pk=change.pk).update(status="review", actual_end=end)
        assert services.sync_change_outages() == 4
        assert set(Outage.objects.values_list("ended_at", flat=True)) == {end}
        assert services.sync_change_outages() == 0

    def test_changes_not_started_are_no_interruption(self):
        _change(services_=[make_service()], status="scheduled")
        assert services.sync_change_outages() == 0


class TestFromAlerts:
    def test_record_is_idempotent_per_fingerprint_and_close_ends_it(self):
        service = make_service()
        started = timezone.now() - timedelta(minutes=10)
        first = services.record_outage(
            service=service, started_at=started, source="alert", reference="fp-1"
        )
        again = services.record_outage(
            service=service, started_at=started, source="alert", reference="fp-1"
        )
        assert again.pk == first.pk and Outage.objects.count() == 1
        assert selectors.open_alert_outage("fp-1") == first
        services.close_outage(first, ended_at=timezone.now())
        assert selectors.open_alert_outage("fp-1") is None
        ended = first.ended_at
        services.close_outage(first, ended_at=timezone.now() + timedelta(minutes=1))
        assert first.ended_at == ended  # a repeated recovery changes nothing


def test_a_request_is_no_incident(admin_user, customer_a):
    service = make_service()
    request = _ticket(customer_a, service, kind_="request")
    with pytest.raises(ValidationFailed) as error:
        services.record_outage(
            by=admin_user, service=service, ticket=request, started_at=local(2026, 3, 2, 10)
        )
    assert set(error.value.fields) == {"ticket"}
