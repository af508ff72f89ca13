"""Adapters for the apps whose KPIs are figures of their own report (the desk report, the
problem report, the knowledge base): the pieces each ``kpis.py`` would otherwise repeat —
the local days of a KPI period, a report's ratio as a :class:`Measure`, the link to the
report of the same period, and a declaring function with the app's defaults::

    # itsm/<app>/kpis.py
    from itsm.kpi.adapters import declarer, local_days, ratio_measure, report_link

    def period_of(period_start, period_end) -> report.Period:
        first, last = local_days(period_start, period_end)
        return report.Period(first, max(first, last))

    def completeness(*, period_start, period_end, customer, user) -> Measure:
        return ratio_measure(report.figures(user=user, period=...).completeness)

    def report_url(period_start, period_end, customer) -> str:
        return report_link("app:report", period_of(period_start, period_end).query(), customer)

    _kpi = declarer(report_url=report_url, scope=Scope.PROVIDER, model="app.Model")
    COMPLETENESS = _kpi(id="app_completeness", name=..., compute=completeness, order=50)

This module imports no domain app.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, Protocol

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from itsm.kpi.choices import Direction, Period, Unit
from itsm.kpi.registry import KPI, Measure, register_kpi


class Ratio(Protocol):
    """A report's ratio: its value and what it was computed from."""

    @property
    def value(self) -> Any: ...

    @property
    def numerator(self) -> Any: ...

    @property
    def denominator(self) -> Any: ...


def local_days(
    period_start: datetime.datetime, period_end: datetime.datetime
) -> tuple[datetime.date, datetime.date]:
    """The first and the last local day of a KPI period ``[period_start, period_end)`` (the
    end is exclusive: a month ending at midnight ends on its last day)."""
    first = timezone.localtime(period_start).date()
    last = (timezone.localtime(period_end) - datetime.timedelta(microseconds=1)).date()
    return first, last


def ratio_measure(ratio: Ratio) -> Measure:
    """A report's ratio as the KPI's measure (value, numerator, denominator)."""
    return Measure(ratio.value, ratio.numerator, ratio.denominator)


def report_link(url_name: str, query: dict, customer=None) -> str:
    """The report page *url_name* with *query* (and ``customer`` when one is chosen); ""
    while that page is not mounted."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return ""
    query = dict(query)
    if customer is not None:
        query["customer"] = str(customer.pk)
    return f"{url}?{urlencode(query)}" if query else url


def declarer(*, register: Callable[[KPI], KPI] = register_kpi, **defaults) -> Callable[..., KPI]:
    """A function that declares a KPI with *defaults* (e.g. ``report_url``, ``scope``,
    ``model``) under its own arguments — percent, higher is better and monthly unless said
    otherwise — and registers it (*register*: the catalogue's ``register_kpi``)."""
    base = {"unit": Unit.PERCENT, "direction": Direction.HIGHER, "period": Period.MONTH}

    def declare(**declaration) -> KPI:
        return register(KPI(**{**base, **defaults, **declaration}))

    return declare
