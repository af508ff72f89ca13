"""The list pages of capacity management on the shared record list (``itsm.core.lists``):
metrics, capacity plans and the breach list (samples at or beyond a threshold, under the
metrics forecast to reach one)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.capacity import selectors
from itsm.capacity.choices import BreachLevel, Direction, ForecastMethod, PlanStatus
from itsm.capacity.filtersets import BreachFilterSet, MetricFilterSet, PlanFilterSet
from itsm.capacity.forecast import HORIZON_DAYS
from itsm.capacity.models import CapacityPlan, Metric, Sample
from itsm.core.lists import Column, RecordListView


def _value(value, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:g} {unit}".strip()


class MetricList(RecordListView):
    """Capacity metrics: provider staff see all, customers those of their own CIs."""

    model = Metric
    filterset_class = MetricFilterSet
    template_name = "capacity/metric_list.html"
    title = _("Capacity metrics")
    empty_text = _("No metrics found.")
    table_testid = "metric-table"
    default_sort = "name"
    columns = (
        Column("name", _("Name"), link="capacity:metric_detail", sort="name"),
        Column("ci", _("Configuration item"), value="ci.name"),
        Column("service", _("Service"), value="service.name"),
        Column("last_value", _("Last value"), value=lambda m: _value(m.last_value, m.unit)),
        Column("last_at", _("Last sample"), sort="last_at"),
        Column(
            "warning_threshold", _("Warning"), value=lambda m: _value(m.warning_threshold, m.unit)
        ),
        Column(
            "critical_threshold",
            _("Critical"),
            value=lambda m: _value(m.critical_threshold, m.unit),
        ),
        Column("direction", _("Direction"), choices=Direction, visible=False),
        Column("forecast_method", _("Forecast method"), choices=ForecastMethod, visible=False),
        Column("key", _("Key"), sort="key", visible=False),
    )

    def base_queryset(self):
        return Metric.objects.select_related("ci", "service")


class PlanList(RecordListView):
    """Capacity plans (provider staff only)."""

    model = CapacityPlan
    filterset_class = PlanFilterSet
    template_name = "capacity/plan_list.html"
    title = _("Capacity plans")
    empty_text = _("No capacity plans found.")
    table_testid = "plan-table"
    default_sort = "-id"
    columns = (
        Column("number", _("Number"), link="capacity:plan_detail", sort="number"),
        Column("title", _("Title"), sort="title"),
        Column("service", _("Service"), value="service.name"),
        Column("status", _("Status"), choices=PlanStatus, sort="status"),
        Column("period_start", _("Period start"), sort="period_start"),
        Column("period_end", _("Period end"), sort="period_end"),
        Column("upgrade_due", _("Upgrade due"), sort="upgrade_due"),
        Column("upgrade_cost", _("Upgrade cost"), visible=False),
    )

    def base_queryset(self):
        return CapacityPlan.objects.select_related("service")


class BreachList(RecordListView):
    """Samples at or beyond their metric's warning or critical threshold, newest first; above
    them, the metrics beyond a threshold now or forecast to reach one within ``?days=``."""

    model = Sample
    filterset_class = BreachFilterSet
    template_name = "capacity/breach_list.html"
    title = _("Capacity breaches")
    empty_text = _("No sample reached a threshold.")
    table_testid = "breach-table"
    default_sort = "-at"
    list_key = "capacity.breach"
    columns = (
        Column("at", _("Measured at"), sort="at"),
        Column("metric", _("Metric"), value="metric.name"),
        Column("value", _("Value"), value=lambda s: _value(s.value, s.metric.unit)),
        Column(
            "level",
            _("Level"),
            value=lambda s: BreachLevel(selectors.sample_level(s)).label,
        ),
        Column(
            "threshold",
            _("Threshold"),
            value=lambda s: _value(
                s.metric.critical_threshold
                if selectors.sample_level(s) == BreachLevel.CRITICAL
                else s.metric.warning_threshold,
                s.metric.unit,
            ),
        ),
    )

    def base_queryset(self):
        return selectors.breaching_samples(Sample.objects.select_related("metric"))

    def row_attrs(self, row) -> dict[str, object]:
        return {"data-metric": row.metric_id, "data-level": selectors.sample_level(row)}

    def horizon(self) -> int:
        raw = self.request.GET.get("days", "")
        return int(raw) if raw.isdigit() and 1 <= int(raw) <= 3650 else HORIZON_DAYS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        days = self.horizon()
        context["days"] = days
        context["forecast_breaches"] = selectors.forecast_breaches(self.request.user, days=days)
        context["level_choices"] = BreachLevel
        return context
