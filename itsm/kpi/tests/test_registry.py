"""The KPI declarations and their registry (DESIGN rule 8)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from itsm.kpi.choices import Direction, Scope, Unit
from itsm.kpi.registry import KPI, KpiRegistry, Measure, percent_of, registry


def _compute(**kwargs):
    return Measure(Decimal(1))


def _kpi(kpi_id="test_kpi", **fields):
    fields = {
        "name": "Test",
        "description": "A test KPI",
        "compute": _compute,
        "unit": Unit.COUNT,
        "direction": Direction.HIGHER,
        "source": "test",
        "model": "core.Organisation",
        **fields,
    }
    return KPI(id=kpi_id, **fields)


def test_a_duplicate_id_is_refused():
    reg = KpiRegistry()
    first = reg.register(_kpi())
    assert reg.register(first) is first  # the same declaration again is harmless
    with pytest.raises(ImproperlyConfigured, match="'test_kpi' is already registered"):
        reg.register(_kpi(description="Another KPI with the same id"))
    assert reg.all() == [first]


def test_a_declaration_is_checked():
    with pytest.raises(ImproperlyConfigured) as error:
        _kpi("Bad Id", unit="furlongs", direction="sideways", model="Organisation")
    message = str(error.value)
    for part in ("id must match", "unit must be", "direction must be", "model must be"):
        assert part in message


def test_the_registry_lists_by_order_then_id():
    reg = KpiRegistry()
    b, a, c = _kpi("b_kpi", order=5), _kpi("a_kpi", order=5), _kpi("c_kpi", order=1)
    for kpi in (b, a, c):
        reg.register(kpi)
    assert [k.id for k in reg.all()] == ["c_kpi", "a_kpi", "b_kpi"]
    assert reg.get("a_kpi") is a
    assert reg.get("nope") is None


def test_the_owning_apps_declare_their_kpis():
    sla = registry.get("sla_achievement")
    accuracy = registry.get("configuration_accuracy")
    assert (sla.unit, sla.direction, sla.scope, sla.model, sla.target) == (
        Unit.PERCENT,
        Direction.HIGHER,
        Scope.CUSTOMER,
        "clocks.Clock",
        Decimal(100),
    )
    assert (accuracy.unit, accuracy.direction, accuracy.scope, accuracy.target) == (
        Unit.PERCENT,
        Direction.HIGHER,
        Scope.PROVIDER,
        None,
    )
    assert [k.id for k in registry.all()][:2] == ["sla_achievement", "configuration_accuracy"]


def test_percent_rounds_half_up_to_one_decimal():
    assert percent_of(3, 7) == Decimal("42.9")
    assert percent_of(1, 8) == Decimal("12.5")
    assert percent_of(1, 16) == Decimal("6.3")  # 6.25 → 6.3 (half up, not to even)
    assert percent_of(0, 0) is None
