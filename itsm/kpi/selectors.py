"""Reads of the KPI catalogue: which KPIs a user sees and their figures for a month and a
customer. Tenancy: a customer user only ever gets their own organisation's figures (another
customer answers ``NotFound``) and no provider-wide KPI; provider staff choose any customer,
or none for every customer. Each KPI's ``compute`` reads through its app's selectors, which
apply ``restrict(user, "view")``."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.api.base import MAX_ID
from itsm.core.choices import OrganisationKind
from itsm.core.errors import NotFound, ValidationFailed
from itsm.core.models import Organisation
from itsm.core.selectors import visible_organisations
from itsm.kpi.choices import Direction, KpiStatus, Scope, unit_symbol
from itsm.kpi.registry import KPI, Measure, registry

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
MONTH_HELP = _("Enter a month as YYYY-MM, e.g. 2026-03.")


# --- the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiPeriod:
    """A calendar month in local time: ``[start, end)`` as aware datetimes."""

    month: datetime.date

    @property
    def label(self) -> str:
        return f"{self.month.year:04d}-{self.month.month:02d}"

    @property
    def next_month(self) -> datetime.date:
        return (self.month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)

    @property
    def start(self) -> datetime.datetime:
        return _local_midnight(self.month)

    @property
    def end(self) -> datetime.datetime:
        return _local_midnight(self.next_month)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone()
    )


def last_full_month(today: datetime.date | None = None) -> KpiPeriod:
    today = today or timezone.localdate()
    return KpiPeriod((today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1))


def parse_period(value: str | None) -> KpiPeriod:
    """``"2026-03"`` → March 2026; empty → the last full month; anything else →
    ``ValidationFailed`` naming ``period``."""
    value = (value or "").strip()
    if not value:
        return last_full_month()
    match = _MONTH_RE.match(value)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and 1900 <= year <= 9998:
            return KpiPeriod(datetime.date(year, month, 1))
    raise ValidationFailed(MONTH_HELP, fields={"period": [str(MONTH_HELP)]})


# --- the customer -------------------------------------------------------------------------------


def visible_customers(user):
    """The customer organisations *user* may see (a customer user: only their own)."""
    return visible_organisations(user, OrganisationKind.CUSTOMER)


def resolve_customer(user, value) -> Organisation | None:
    """The customer whose figures *user* asks for with *value* (an id, or empty).

    Empty: every customer for provider staff, the user's own organisation for a customer user.
    A malformed id, or one that is not a customer, is a ``ValidationFailed`` naming
    ``customer``; another organisation than their own is ``NotFound`` for a customer user.
    """
    staff = policy.sees_all_tenants(user, Organisation)
    raw = "" if value is None else str(value).strip()
    if not raw:
        if staff:
            return None
        own = visible_customers(user).filter(pk=user.organisation_id).first()
        if own is None:
            raise NotFound()
        return own
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_ID:
        message = gettext("Choose a customer.")
        raise ValidationFailed(message, fields={"customer": [message]})
    found = visible_customers(user).filter(pk=int(raw)).first()
    if found is not None:
        return found
    if not staff:
        raise NotFound()
    message = gettext("No customer with this id.")
    raise ValidationFailed(message, fields={"customer": [message]})


# --- the figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiFigure:
    """A KPI's figure for one period and customer, with its target and status."""

    kpi: KPI
    measure: Measure
    period: KpiPeriod
    customer: Organisation | None
    status: str
    report_url: str

    @property
    def value(self) -> Decimal | None:
        return self.measure.value

    @property
    def target(self) -> Decimal | None:
        return self.kpi.target

    @property
    def unit_symbol(self) -> str:
        return unit_symbol(self.kpi.unit)

    @property
    def status_label(self) -> str:
        return str(KpiStatus(self.status).label)

    @property
    def status_colour(self) -> str:
        return KpiStatus.colour(self.status)


def may_see(user, kpi: KPI) -> bool:
    """Whether *user* sees *kpi*: their roles allow viewing its rows, and, for a customer
    user, the KPI is per customer and the rows carry a customer."""
    model = apps.get_model(kpi.model)
    if not policy.can(user, model, "view"):
        return False
    if policy.sees_all_tenants(user, model):
        return True
    if kpi.scope != Scope.CUSTOMER or user.organisation_kind != OrganisationKind.CUSTOMER:
        return False
    return bool(policy.policy_for(model).tenant_field)


def visible_kpis(user) -> list[KPI]:
    return [kpi for kpi in registry.all() if may_see(user, kpi)]


def get_kpi(user, kpi_id: str) -> KPI:
    """The KPI *kpi_id* if *user* sees it; ``NotFound`` otherwise."""
    kpi = registry.get(kpi_id)
    if kpi is None or not may_see(user, kpi):
        raise NotFound()
    return kpi


def status_for(kpi: KPI, value: Decimal | None) -> str:
    if value is None:
        return KpiStatus.NO_DATA
    if kpi.target is None:
        return KpiStatus.NO_TARGET
    if kpi.direction == Direction.HIGHER:
        return KpiStatus.MET if value >= kpi.target else KpiStatus.NOT_MET
    return KpiStatus.MET if value <= kpi.target else KpiStatus.NOT_MET


def figure(kpi: KPI, *, user, period: KpiPeriod, customer: Organisation | None) -> KpiFigure:
    """Compute *kpi* for *period* and *customer* as *user* (who must see it: use
    :func:`get_kpi` or :func:`visible_kpis`). A provider-wide KPI ignores *customer*."""
    measure = kpi.compute(
        period_start=period.start,
        period_end=period.end,
        customer=customer if kpi.scope == Scope.CUSTOMER else None,
        user=user,
    )
    report_url = kpi.report_url(period.start, period.end, customer) if kpi.report_url else ""
    return KpiFigure(
        kpi=kpi,
        measure=measure,
        period=period,
        customer=customer,
        status=status_for(kpi, measure.value),
        report_url=report_url,
    )


def figures(*, user, period: KpiPeriod, customer: Organisation | None) -> list[KpiFigure]:
    """Every KPI *user* sees, computed for *period* and *customer*."""
    return [figure(kpi, user=user, period=period, customer=customer) for kpi in visible_kpis(user)]
