"""Explicit target units and the explicit SLA achievement target (issue 9 item 5): no guess from
free text or from the indicator's name."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from itsm.core.errors import ValidationFailed
from itsm.core.testing.factories import SupplierFactory
from itsm.slm.choices import AgreementStatus
from itsm.slm.clocks.services import goal_seconds_for
from itsm.slm.models import Target
from itsm.slm.reporting import selectors as reports
from itsm.slm.services import agreements
from itsm.slm.tests.factories import make_signed_sla, make_sla, slm_manager
from itsm.slm.tests.factories_reports import make_target, report_dataset

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)
migration = importlib.import_module("itsm.slm.migrations.0003_target_units_to_choices")


@pytest.fixture
def manager(provider):
    return slm_manager(username="slm-manager")


@pytest.fixture
def sla(manager, customer_a):
    return make_sla(customer_a, by=manager)


def _fields(exc) -> set:
    return set(exc.value.fields)


def test_units_are_choices(sla, manager):
    hours = agreements.add_target(
        agreement=sla, by=manager, metric="resolution", priority="p1", target_value=4, unit="hours"
    )
    assert (hours.unit, goal_seconds_for(hours)) == ("hours", 4 * 3600)
    minutes = agreements.add_target(
        agreement=sla, by=manager, metric="response", priority="p1", target_value=30
    )
    assert (minutes.unit, goal_seconds_for(minutes)) == ("minutes", 30 * 60)
    score = agreements.add_target(
        agreement=sla,
        by=manager,
        metric="other",
        name="Satisfaction",
        measurement_method="Survey",
        target_value="4.5",
        unit="score",
    )
    assert (score.unit, score.indicator_kind) == ("score", "custom")
    cases = [
        {"metric": "response", "priority": "p2", "target_value": 30, "unit": "小时"},
        {"metric": "response", "priority": "p2", "target_value": 30, "unit": "percent"},
        {"metric": "availability", "target_value": "99.9", "unit": "minutes"},
        {
            "metric": "other",
            "name": "x",
            "measurement_method": "y",
            "target_value": 1,
            "unit": "%",
        },
    ]
    for fields in cases:
        with pytest.raises(ValidationFailed) as exc:
            agreements.add_target(agreement=sla, by=manager, **fields)
        assert _fields(exc) == {"unit"}, fields


def test_the_achievement_target_is_an_explicit_choice(sla, manager):
    target = agreements.add_target(
        agreement=sla,
        by=manager,
        metric="other",
        indicator_kind="sla_achievement",
        name="Uptime promise",  # no keyword: the kind decides
        target_value=95,
    )
    assert (target.unit, target.higher_is_better, target.measurement_method) == (
        "percent",
        True,
        "",
    )
    assert reports.is_achievement_target(target)
    named = agreements.add_target(
        agreement=sla,
        by=manager,
        metric="other",
        name="服务级别达成率 SLA achievement",  # the old keywords no longer decide
        measurement_method="Counted by hand",
        target_value=90,
        unit="percent",
    )
    assert not reports.is_achievement_target(named)
    for fields, expected in (
        ({"metric": "response", "priority": "p1", "target_value": 30}, {"indicator_kind"}),
        ({"metric": "other", "name": "A", "target_value": 101}, {"target_value"}),
        ({"metric": "other", "name": "A", "target_value": 9, "unit": "count"}, {"unit"}),
        ({"metric": "other", "target_value": 90}, {"name"}),
        (
            {"metric": "other", "name": "A", "measurement_method": "m", "target_value": 9}
            | {"indicator_kind": "x"},
            None,
        ),
    ):
        fields.setdefault("indicator_kind", "sla_achievement")
        with pytest.raises(ValidationFailed) as exc:
            agreements.add_target(agreement=sla, by=manager, **fields)
        assert _fields(exc) == (expected or {"indicator_kind"}), fields


def test_the_monthly_report_reads_the_explicit_kind(customer_a, customer_b, admin_user):
    data = report_dataset(customer_a, customer_b)
    # A2's achievement target (90 %) is declared by its kind; a look-alike name is an indicator
    look_alike = make_target(
        data.a2,
        metric="other",
        name="SLA achievement (by hand)",
        target_value=Decimal(80),
        unit="percent",
    )
    report = reports.monthly_report(user=admin_user, agreement=data.a2, month=MARCH)
    assert report.achievement_target == Decimal(90)
    assert [row.target_id for row in report.indicator_rows] == [look_alike.pk]
    assert report.indicator_rows[0].unit_symbol == "%"
    Target.objects.filter(pk=data.t6.pk).update(indicator_kind="custom")
    report = reports.monthly_report(user=admin_user, agreement=data.a2, month=MARCH)
    assert report.achievement_target == Decimal(100)
    assert [row.target_id for row in report.indicator_rows] == [data.t6.pk, look_alike.pk]


def test_the_data_migration_maps_free_text(sla, manager):
    def raw(metric, unit, name="", **fields):
        # the rows as they were before the unit choices: written directly on purpose
        return Target.objects.create(
            agreement=sla,
            metric=metric,
            unit=unit,
            name=name,
            target_value=Decimal(1),
            priority="p1" if metric in ("response", "resolution") else "",
            **fields,
        )

    rows = {
        "min": raw("response", "min"),
        "hours": raw("resolution", " 小时 "),
        "empty": raw("resolution", ""),
        "availability": raw("availability", "%"),
        "achievement": raw("other", "%", name="服务级别达成率"),
        "percent_other": raw("other", "％", name="Uptime"),
        "count": raw("other", "次", name="Outages"),
        "odd": raw("other", "furlongs", name="Distance", measurement_method="Odometer"),
    }
    migration.forwards(apps, None)
    got = {key: Target.objects.get(pk=row.pk) for key, row in rows.items()}
    assert {key: (t.unit, t.indicator_kind) for key, t in got.items()} == {
        "min": ("minutes", "custom"),
        "hours": ("hours", "custom"),
        "empty": ("minutes", "custom"),
        "availability": ("percent", "custom"),
        "achievement": ("percent", "sla_achievement"),
        "percent_other": ("percent", "custom"),
        "count": ("count", "custom"),
        "odd": ("", "custom"),
    }
    assert got["odd"].measurement_method == "Odometer\n(unit: furlongs)"
    migration.backwards(apps, None)
    assert Target.objects.get(pk=rows["min"].pk).unit == "min"
    assert Target.objects.get(pk=rows["availability"].pk).unit == "%"


def test_the_underpinning_check_compares_hours_with_minutes(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager, status=AgreementStatus.SIGNED)  # P1 240 min
    uc = agreements.create_agreement(kind="uc", title="HW", by=manager, supplier=SupplierFactory())
    target = agreements.add_target(
        agreement=uc, by=manager, metric="resolution", priority="p1", target_value=3, unit="hours"
    )
    agreements.update_agreement(uc, by=manager, underpins=[sla])
    uc.refresh_from_db()
    assert uc.underpinning_warnings == []  # 3 h = 180 min: stronger than 240 min
    agreements.update_target(target, by=manager, target_value=5)
    uc.refresh_from_db()
    assert [(w["contract_value"], w["sla_value"]) for w in uc.underpinning_warnings] == [
        ("300", "240")
    ]
