"""What alerts change outside event management: the outage of their incident (availability)
and the capacity samples of the values they carry; and a delivery's duplicates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.availability.models import Outage
from itsm.capacity import services as capacity
from itsm.capacity.models import Sample
from itsm.catalog.tests.factories import make_service, publish
from itsm.change.choices import WindowKind
from itsm.change.services import config as change_config
from itsm.events import services
from itsm.events.choices import RecoveryAction, RuleAction
from itsm.events.models import Alert
from itsm.events.tests.conftest import am_alert, am_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(customer_a):
    return publish(make_service(customers=[customer_a]))


@pytest.fixture
def join_rule(am_source, service):
    return services.create_rule(
        by=None,
        name="Join",
        ci_label="instance",
        service=service,
        action=RuleAction.ADD_TO_OPEN,
        on_recovery=RecoveryAction.AUTO_RESOLVE,
        flap_changes=0,
    )


def past(minutes: int):
    return (timezone.now() - timedelta(minutes=minutes)).replace(microsecond=0)


def test_an_alert_s_incident_is_one_outage_from_its_start_to_its_end(
    am_source, join_rule, server_ci, service, post
):
    start, second, end = past(90), past(60), past(10)
    post(am_source, am_payload(am_alert(fingerprint="a", start=start)))
    post(am_source, am_payload(am_alert(fingerprint="b", start=second)))  # joins the incident

    alerts = list(Alert.objects.order_by("id"))
    assert alerts[0].ticket_id == alerts[1].ticket_id is not None
    outage = Outage.objects.get()
    assert (outage.source, outage.kind, outage.service, outage.ticket_id) == (
        "alert",
        "unplanned",
        service,
        alerts[0].ticket_id,
    )
    assert (outage.started_at, outage.ended_at, outage.reference) == (start, None, "a")
    # the first recovery leaves it open (b still fires), the last one ends it at b's end
    post(am_source, am_payload(am_alert(fingerprint="a", start=start, status="resolved", end=end)))
    assert Outage.objects.get().ended_at is None
    post(am_source, am_payload(am_alert(fingerprint="b", start=second, status="resolved", end=end)))
    assert Outage.objects.get().ended_at == end
    assert Outage.objects.count() == 1


def test_a_suppressed_alert_records_no_outage(am_source, join_rule, server_ci, post):
    start = past(30)
    change_config.create_window(
        by=None,
        kind=WindowKind.MAINTENANCE,
        name="Patch night",
        ci=server_ci,
        starts_at=start - timedelta(hours=1),
        ends_at=start + timedelta(hours=1),
    )
    post(am_source, am_payload(am_alert(start=start)))

    assert Alert.objects.get().suppressed is True
    assert Outage.objects.count() == 0


def test_a_value_the_alert_carries_is_a_capacity_sample(am_source, join_rule, server_ci, post):
    metric = capacity.create_metric(by=None, name="CPU", ci=server_ci, unit="%", key="node_cpu")
    alert = am_alert(start=past(5), metric="node_cpu")
    alert["annotations"]["value"] = "87.5%"
    post(am_source, am_payload(alert))
    post(am_source, am_payload(am_alert(fingerprint="x", start=past(5), value="12")))  # no key

    sample = Sample.objects.get()
    assert (sample.metric_id, sample.value) == (metric.pk, 87.5)


def test_one_delivery_with_the_same_alert_twice_stores_it_once_counted_twice(
    am_source, join_rule, server_ci, post
):
    start = past(20)
    response = post(
        am_source,
        am_payload(am_alert(fingerprint="a", start=start), am_alert(fingerprint="a", start=start)),
    )

    assert response.json() == {"received": 2, "new": 1, "repeats": 0, "resolved": 0}
    assert Alert.objects.get().repeat_count == 2
    response = post(
        am_source,
        am_payload(am_alert(fingerprint="a", start=start), am_alert(fingerprint="b", start=start)),
    )
    assert response.json() == {"received": 2, "new": 1, "repeats": 1, "resolved": 0}
    assert sorted(Alert.objects.values_list("fingerprint", "repeat_count")) == [("a", 3), ("b", 1)]
