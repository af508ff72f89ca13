"""The KPI declarations (DESIGN rule 8, R-KPI) and their registry.

A KPI is one frozen :class:`KPI` object declared by the app that owns its records, in that
app's ``kpis.py``, and registered from its ``AppConfig.ready``::

    # itsm/<app>/kpis.py
    from itsm.kpi.registry import KPI, Measure, percent_of, register_kpi

    def _resolution_rate(*, period_start, period_end, customer, user) -> Measure:
        resolved, closed = selectors.resolution_counts(user=user, since=period_start, ...)
        return Measure(percent_of(resolved, closed), resolved, closed)

    register_kpi(KPI(id="incident_resolution_rate", name=_("Incident resolution rate"), ...))

``compute`` receives the period as aware datetimes ``[period_start, period_end)``, the chosen
customer organisation (``None``: every customer the user may see) and the user; it must read
through the owning app's selectors, which go through ``restrict(user, "view")``. This module
imports no domain app.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ImproperlyConfigured

from itsm.kpi.choices import Direction, Period, Scope, Unit

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Measure:
    """What a KPI's ``compute`` returns: the value (``None`` when nothing was measured) and,
    for a ratio, the numerator and denominator it was computed from."""

    value: Decimal | None
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None


def percent_of(numerator, denominator) -> Decimal | None:
    """``numerator / denominator × 100`` rounded half-up to one decimal; ``None`` when the
    denominator is zero (the rounding of the SLA reports, so every percentage KPI agrees)."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


@dataclass(frozen=True)
class KPI:
    """One KPI of the catalogue.

    - ``id``: stable identifier (``[a-z][a-z0-9_]*``), used in URLs and the API;
    - ``name`` / ``description``: translated texts (``gettext_lazy``);
    - ``compute(*, period_start, period_end, customer, user) -> Measure``: the formula, calling
      a selector of the owning app;
    - ``unit``, ``direction``, ``period`` (the default reporting period), ``scope``: choices
      of :mod:`itsm.kpi.choices`;
    - ``source``: where the definition comes from (e.g. "seed 000 §3.5, seed 003 §7");
    - ``model``: ``"app_label.Model"`` whose rows the figure counts; a user who may not view
      them does not see the KPI;
    - ``target``: the default goal in ``unit`` (``None``: no target);
    - ``report_url(period_start, period_end, customer) -> str``: the underlying report;
    - ``order``: position in the catalogue (then ``id``).
    """

    id: str
    name: object
    description: object
    compute: Callable[..., Measure]
    unit: str
    direction: str
    source: str
    model: str
    period: str = Period.MONTH
    scope: str = Scope.CUSTOMER
    target: Decimal | None = None
    report_url: Callable[..., str] | None = field(default=None, compare=False)
    order: int = 100

    def __post_init__(self):
        problems = []
        if not _ID_RE.match(self.id or ""):
            problems.append("id must match [a-z][a-z0-9_]{1,62}")
        for name, choices in (
            ("unit", Unit),
            ("direction", Direction),
            ("period", Period),
            ("scope", Scope),
        ):
            if getattr(self, name) not in choices.values:
                problems.append(f"{name} must be one of {sorted(choices.values)}")
        if "." not in (self.model or ""):
            problems.append('model must be "app_label.ModelName"')
        if not callable(self.compute):
            problems.append("compute must be callable")
        if problems:
            raise ImproperlyConfigured(f"KPI {self.id!r}: " + "; ".join(problems))

    @property
    def unit_label(self):
        return Unit(self.unit).label

    @property
    def direction_label(self):
        return Direction(self.direction).label

    @property
    def period_label(self):
        return Period(self.period).label

    @property
    def scope_label(self):
        return Scope(self.scope).label


class KpiRegistry:
    """KPIs by id; an id is registered once."""

    def __init__(self):
        self._kpis: dict[str, KPI] = {}

    def register(self, kpi: KPI) -> KPI:
        if not isinstance(kpi, KPI):
            raise ImproperlyConfigured(f"register_kpi takes a KPI, not {type(kpi).__name__}")
        existing = self._kpis.get(kpi.id)
        if existing is not None and existing is not kpi:
            raise ImproperlyConfigured(f"KPI {kpi.id!r} is already registered")
        self._kpis[kpi.id] = kpi
        return kpi

    def get(self, kpi_id: str) -> KPI | None:
        return self._kpis.get(kpi_id)

    def all(self) -> list[KPI]:
        return sorted(self._kpis.values(), key=lambda k: (k.order, k.id))


#: the catalogue the owning apps fill from their ``kpis.py``
registry = KpiRegistry()


def register_kpi(kpi: KPI) -> KPI:
    """Add *kpi* to the catalogue (``ImproperlyConfigured`` when its id is taken)."""
    return registry.register(kpi)
