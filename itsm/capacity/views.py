"""Pages of capacity management: a metric's page (its chart of samples, forecast and
thresholds, the forecast's method and threshold dates, its latest breaches), the metric and plan
forms, the CSV upload of samples, a plan's page with its lifecycle. Every write goes through
``itsm.capacity.services``."""

from __future__ import annotations

from datetime import datetime, time

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.capacity import selectors, services
from itsm.capacity.choices import BreachLevel, Direction, ForecastMethod, PlanStatus
from itsm.capacity.forecast import HORIZON_DAYS
from itsm.capacity.forms import (
    METRIC_FORM_FIELDS,
    PLAN_FORM_FIELDS,
    ForecastForm,
    MetricEditForm,
    MetricForm,
    PlanEditForm,
    PlanForm,
    UploadForm,
)
from itsm.capacity.models import CapacityPlan, Metric, Sample
from itsm.core import policy
from itsm.core.form_views import StatusTransitionView, form_page, save_versioned_edit
from itsm.core.generic_views import get_restricted_or_404, page, record_context

#: breaching samples shown on a metric's page (the breach list has them all)
RECENT_BREACHES = 10


def _metric_url(metric) -> str:
    return reverse("capacity:metric_detail", args=[metric.pk])


def _plan_url(plan) -> str:
    return reverse("capacity:plan_detail", args=[plan.pk])


def _millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def chart_data(metric: Metric, points, result) -> dict:
    """The chart's series: samples and forecast as [epoch ms, value] (the browser shows them
    in local time), the thresholds."""
    tz = timezone.get_current_timezone()
    return {
        "samples": [[_millis(at), value] for at, value in points],
        "forecast": [
            [_millis(datetime.combine(day, time(12), tzinfo=tz)), value]
            for day, value in result.line
        ],
        "warning": metric.warning_threshold,
        "critical": metric.critical_threshold,
        "unit": metric.unit,
    }


@page(Metric)
def metric_detail(request, pk: int):
    metric = get_object_or_404(
        Metric.objects.restrict(request.user, "view").select_related("ci", "service"), pk=pk
    )
    record = record_context(request, metric)
    choice = ForecastForm(request.GET or None)
    method, days = metric.forecast_method, HORIZON_DAYS
    if choice.is_bound and choice.is_valid():
        method = choice.cleaned_data["method"] or method
        days = choice.cleaned_data["days"] or days
    points = selectors.series(metric)
    result = selectors.metric_forecast(metric, method=method, horizon_days=days, points=points)
    breaches = list(
        selectors.breaching_samples(
            Sample.objects.filter(metric=metric).select_related("metric")
        ).order_by("-at")[:RECENT_BREACHES]
    )
    staff = policy.sees_internal(request.user, Metric)
    return render(
        request,
        "capacity/metric_detail.html",
        {
            "metric": metric,
            "staff": staff,
            "can_edit": record["can_change"],
            "can_upload": policy.can(request.user, Sample, "add") and record["can_change"],
            "forecast": result,
            "forecast_form": choice
            if choice.is_bound
            else ForecastForm(initial={"method": metric.forecast_method, "days": HORIZON_DAYS}),
            "days": days,
            "chart": chart_data(metric, points, result),
            "breaches": [(s, selectors.sample_level(s)) for s in breaches],
            "plans": list(metric.plans.restrict(request.user, "view").order_by("-id"))
            if staff
            else [],
            "direction_choices": Direction,
            "method_choices": ForecastMethod,
            "level_choices": BreachLevel,
            "status_choices": PlanStatus,
        },
    )


@page(Metric, action="add")
def metric_create(request):
    form = MetricForm(request.POST or None, user=request.user)

    def save():
        data = form.cleaned_data
        return services.create_metric(
            by=request.user, **{name: data[name] for name in METRIC_FORM_FIELDS}
        )

    return form_page(
        request,
        form,
        save,
        success=_("Metric saved."),
        next_url=_metric_url,
        heading=_("New metric"),
        cancel_url=reverse("capacity:metric_list"),
        template="capacity/form.html",
        context={"list_url": reverse("capacity:metric_list"), "list_label": _("Capacity metrics")},
    )


@page(Metric, action="change")
def metric_edit(request, pk: int):
    metric = get_restricted_or_404(request, Metric, pk, "change", visible_first=True)
    form = MetricEditForm(
        request.POST or None,
        instance=metric,
        user=request.user,
        initial={"version": metric.version},
    )

    def save():
        save_versioned_edit(
            form,
            model=Metric,
            pk=pk,
            update=services.update_metric,
            by=request.user,
            names=METRIC_FORM_FIELDS,
        )

    return form_page(
        request,
        form,
        save,
        success=_("Metric saved."),
        next_url=_metric_url(metric),
        heading=_("Edit metric: {metric}").format(metric=metric),
        cancel_url=_metric_url(metric),
        template="capacity/form.html",
        context={"list_url": reverse("capacity:metric_list"), "list_label": _("Capacity metrics")},
    )


@page(Sample, action="add")
def upload(request):
    """Upload a CSV file of samples: of one metric (``?metric=<id>``: columns ``at,value``) or
    of several (``metric,at,value``). Every line valid, or nothing written and each bad line
    named."""
    metric = None
    raw = request.GET.get("metric", "")
    if raw:
        if not raw.isdigit() or len(raw) > 18:
            raise Http404
        metric = get_restricted_or_404(request, Metric, int(raw), "change", visible_first=True)
    form = UploadForm(request.POST or None, request.FILES or None)

    def save():
        content = form.cleaned_data["file"].read()
        return services.import_samples_csv(by=request.user, content=content, metric=metric)

    back = _metric_url(metric) if metric else reverse("capacity:metric_list")
    return form_page(
        request,
        form,
        save,
        success=lambda result: _(
            "Samples recorded: {created} new, {updated} replaced, {unchanged} unchanged."
        ).format(**result.as_dict()),
        next_url=back,
        heading=_("Upload samples: {metric}").format(metric=metric)
        if metric
        else _("Upload samples"),
        cancel_url=back,
        template="capacity/upload.html",
        context={"metric": metric},
    )


# --- capacity plans --------------------------------------------------------------------------


@page(CapacityPlan)
def plan_detail(request, pk: int):
    plan = get_object_or_404(
        CapacityPlan.objects.restrict(request.user, "view").select_related("service"), pk=pk
    )
    record = record_context(request, plan)
    metrics = list(plan.metrics.restrict(request.user, "view").order_by("name"))
    return render(
        request,
        "capacity/plan_detail.html",
        {
            "plan": plan,
            "can_edit": record["can_change"] and plan.status == PlanStatus.DRAFT,
            "transitions": record["transitions"],
            "changes": list(plan.changes.restrict(request.user, "view").order_by("id")),
            "metrics": [(m, selectors.metric_forecast(m)) for m in metrics],
            "status_choices": PlanStatus,
        },
    )


@page(CapacityPlan, action="add")
def plan_create(request):
    form = PlanForm(request.POST or None, user=request.user)

    def save():
        data = form.cleaned_data
        fields = {name: data[name] for name in PLAN_FORM_FIELDS}
        fields["changes"] = list(data["changes"] or [])
        fields["metrics"] = list(data["metrics"] or [])
        return services.create_plan(by=request.user, **fields)

    return form_page(
        request,
        form,
        save,
        success=_("Capacity plan saved."),
        next_url=_plan_url,
        heading=_("New capacity plan"),
        cancel_url=reverse("capacity:plan_list"),
        template="capacity/form.html",
        context={"list_url": reverse("capacity:plan_list"), "list_label": _("Capacity plans")},
    )


@page(CapacityPlan, action="change")
def plan_edit(request, pk: int):
    plan = get_restricted_or_404(request, CapacityPlan, pk, "change", visible_first=True)
    form = PlanEditForm(
        request.POST or None, instance=plan, user=request.user, initial={"version": plan.version}
    )

    def save():
        save_versioned_edit(
            form,
            model=CapacityPlan,
            pk=pk,
            update=services.update_plan,
            by=request.user,
            names=[n for n in PLAN_FORM_FIELDS if n not in ("changes", "metrics")],
            related={"changes": "changes", "metrics": "metrics"},
        )

    return form_page(
        request,
        form,
        save,
        success=_("Capacity plan saved."),
        next_url=_plan_url(plan),
        heading=_("Edit capacity plan: {plan}").format(plan=plan),
        cancel_url=_plan_url(plan),
        template="capacity/form.html",
        context={"list_url": reverse("capacity:plan_list"), "list_label": _("Capacity plans")},
    )


class PlanTransition(StatusTransitionView):
    """Approve, revise or archive a capacity plan."""

    model = CapacityPlan
    detail_url_name = "capacity:plan_detail"
    transition = staticmethod(services.move_plan)
    status_choices = PlanStatus

    def base_queryset(self):
        return CapacityPlan.objects.all()


plan_transition = PlanTransition.as_view()
