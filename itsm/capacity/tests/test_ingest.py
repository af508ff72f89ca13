"""Samples in: the batch service is idempotent on (metric, at), all or nothing, and names each
bad row; the CSV file names its lines; the metric's last value follows the newest sample."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.capacity import services
from itsm.capacity.models import Metric, Sample
from itsm.capacity.tests.factories import make_metric
from itsm.core.errors import Forbidden, ValidationFailed

pytestmark = pytest.mark.django_db


def _at(hours_ago: int):
    return (timezone.now() - timedelta(hours=hours_ago)).replace(microsecond=0)


def test_a_resent_batch_is_stored_once(planner, customer_a):
    metric = make_metric(planner, owner=customer_a, key="db1:disk")
    three, two = _at(3), _at(2)
    rows = [
        {"metric": metric.pk, "at": three, "value": 70},
        {"metric": "db1:disk", "at": two.isoformat(), "value": "71.5"},
    ]
    first = services.record_samples(by=planner, samples=rows)
    assert first.as_dict() == {"created": 2, "updated": 0, "unchanged": 0}
    again = services.record_samples(by=planner, samples=rows)
    assert again.as_dict() == {"created": 0, "updated": 0, "unchanged": 2}
    changed = services.record_samples(
        by=planner, samples=[{"metric": metric.pk, "at": two, "value": 72}]
    )
    assert changed.as_dict() == {"created": 0, "updated": 1, "unchanged": 0}
    assert sorted(Sample.objects.filter(metric=metric).values_list("value", flat=True)) == [70, 72]
    metric.refresh_from_db()
    assert (metric.last_value, metric.last_at) == (72, two)


def test_an_older_sample_does_not_move_the_last_value(planner, customer_a):
    metric = make_metric(planner, owner=customer_a)
    one = _at(1)
    services.record_samples(by=planner, metric=metric, samples=[{"at": one, "value": 5}])
    services.record_samples(by=planner, metric=metric, samples=[{"at": _at(9), "value": 9}])
    metric.refresh_from_db()
    assert (metric.last_value, metric.last_at) == (5, one)


def test_a_batch_with_bad_rows_writes_nothing_and_names_them(planner, customer_a):
    metric = make_metric(planner, owner=customer_a, key="db2:disk")
    rows = [
        {"metric": metric.pk, "at": _at(3), "value": 70},
        {"metric": "nope", "at": _at(3), "value": 70},
        {"metric": metric.pk, "at": "yesterday", "value": 70},
        {"metric": metric.pk, "at": _at(2), "value": "high"},
        {"metric": metric.pk, "at": (timezone.now() + timedelta(days=1)).isoformat(), "value": 1},
        {"at": _at(1), "value": 1},
        "not a row",
    ]
    with pytest.raises(ValidationFailed) as error:
        services.record_samples(by=planner, samples=rows)
    assert error.value.fields["samples"] == [
        "Row 2: no metric “nope” that you may view",
        "Row 3: the time “yesterday” is not a date and time (ISO 8601)",
        "Row 4: the value “high” is not a number",
        "Row 5: the time lies in the future",
        "Row 6: the metric is missing",
        "Row 7: not an object with metric, at and value",
    ]
    assert not Sample.objects.exists()


def test_a_customer_or_a_role_without_add_cannot_record(customer_user, agent, planner, customer_a):
    metric = make_metric(planner, owner=customer_a)
    for user in (customer_user, agent):
        with pytest.raises(Forbidden):
            services.record_samples(by=user, metric=metric, samples=[{"at": _at(1), "value": 1}])


def test_a_system_caller_records_by_key(planner, customer_a):
    """The events module records values from alerts without a user (``by=None``)."""
    make_metric(planner, owner=customer_a, key="node:cpu")
    result = services.record_samples(
        by=None, samples=[{"metric": "node:cpu", "at": _at(1), "value": 93.2}]
    )
    assert result.created == 1
    assert Metric.objects.get(key="node:cpu").last_value == 93.2


def test_csv_upload_records_and_is_idempotent(planner, customer_a):
    metric = make_metric(planner, owner=customer_a, key="db3:disk")
    text = (
        "\ufeffmetric;at;value\n"
        f"db3:disk;{_at(5).isoformat()};61,5\n"
        f"{metric.pk};{_at(4).isoformat()};62\n"
    )
    assert services.import_samples_csv(by=planner, content=text.encode()).created == 2
    assert services.import_samples_csv(by=planner, content=text.encode()).unchanged == 2
    one = f"at,value\n{_at(3).isoformat()},63\n"
    assert services.import_samples_csv(by=planner, content=one, metric=metric).created == 1
    assert Sample.objects.filter(metric=metric).count() == 3


def test_csv_errors_name_the_lines_and_write_nothing(planner, customer_a):
    metric = make_metric(planner, owner=customer_a, key="db4:disk")
    text = (
        "metric,at,value\n"
        f"db4:disk,{_at(5).isoformat()},61\n"
        f"db4:disk,{_at(4).isoformat()},lots\n"
        f"other,{_at(3).isoformat()},1\n"
    )
    with pytest.raises(ValidationFailed) as error:
        services.import_samples_csv(by=planner, content=text)
    assert error.value.fields["file"] == [
        "Line 3: the value “lots” is not a number",
        "Line 4: no metric “other” that you may view",
    ]
    assert not Sample.objects.filter(metric=metric).exists()
    with pytest.raises(ValidationFailed) as header:
        services.import_samples_csv(by=planner, content="when,value\n1,2\n", metric=metric)
    assert header.value.fields["file"] == [
        "Line 1: the header must name the columns at, value; missing: at."
    ]
    with pytest.raises(ValidationFailed) as binary:
        services.import_samples_csv(by=planner, content=b"\xff\xfe\x00", metric=metric)
    assert binary.value.fields["file"] == ["The file is not UTF-8 text."]


def test_metric_rules(planner, customer_a):
    with pytest.raises(ValidationFailed) as nothing:
        services.create_metric(by=planner, name="Orphan")
    assert list(nothing.value.fields) == ["ci"]
    with pytest.raises(ValidationFailed) as order:
        make_metric(planner, owner=customer_a, warning_threshold=95.0, critical_threshold=90.0)
    assert order.value.fields["warning_threshold"] == [
        "The warning threshold must be reached before the critical one."
    ]
    make_metric(planner, owner=customer_a, key="dup")
    with pytest.raises(ValidationFailed) as dup:
        make_metric(planner, owner=customer_a, key="dup")
    assert dup.value.fields["key"] == ["Another metric has this key."]
    metric = make_metric(planner, owner=customer_a)
    assert metric.customer_id == customer_a.pk
