"""Pages of management objectives: the dashboard (target vs actual per objective and period,
ECharts charts, Excel export, misses raised on demand), a plan's page with its lifecycle and
objectives, the plan and objective forms and the hand entry of an actual. Every write goes
through ``itsm.objectives.services``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.exports import XLSX_CONTENT_TYPE, file_response, xlsx_file
from itsm.core.form_views import (
    StatusTransitionView,
    action_post,
    form_page,
    save_versioned_edit,
)
from itsm.core.generic_views import get_restricted_or_404, page, record_context
from itsm.kpi.choices import Direction, Period, unit_symbol
from itsm.objectives import selectors, services
from itsm.objectives.choices import ActualSource, ObjectiveScope, PlanStatus
from itsm.objectives.forms import (
    OBJECTIVE_FORM_FIELDS,
    PLAN_FORM_FIELDS,
    ActualForm,
    ObjectiveEditForm,
    ObjectiveForm,
    PlanEditForm,
    PlanForm,
)
from itsm.objectives.models import Objective, Plan


def _plan_url(plan) -> str:
    return reverse("objectives:plan_detail", args=[plan.pk])


def _dashboard_url(plan) -> str:
    return f"{reverse('objectives:dashboard')}?plan={plan.pk}"


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}"


def scope_label(objective: Objective) -> str:
    """The scope and whom it names: "Customer: Huaxin Bank", "Department: Database group"."""
    label = ObjectiveScope(objective.scope).label
    target = {
        ObjectiveScope.DEPARTMENT: objective.team.name if objective.team else "",
        ObjectiveScope.PROJECT: objective.project,
        ObjectiveScope.CUSTOMER: objective.customer.name if objective.customer else "",
    }.get(ObjectiveScope(objective.scope), "")
    return f"{label}: {target}" if target else str(label)


def _dashboard_plans(user):
    """The plans whose objectives *user* may view (a customer: those decomposed to them)."""
    return Plan.objects.filter(pk__in=selectors.objectives_for(user).values("plan")).order_by(
        "-year", "-id"
    )


def _chosen_plan(request):
    plans = list(_dashboard_plans(request.user))
    raw = request.GET.get("plan", "")
    chosen = None
    if raw.isdigit():
        chosen = next((p for p in plans if p.pk == int(raw)), None)
    if chosen is None:
        chosen = next((p for p in plans if p.status == PlanStatus.APPROVED), None) or (
            plans[0] if plans else None
        )
    return plans, chosen


def _chart(rows) -> list[dict]:
    return [
        {
            "id": f"objective-chart-{row.objective.pk}",
            "labels": [cell.period.label for cell in row.cells],
            "actual": [None if c.actual is None else float(c.actual) for c in row.cells],
            "target": [float(c.target) for c in row.cells],
        }
        for row in rows
    ]


@page(Objective)
def dashboard(request):
    """Target vs actual of the chosen plan's objectives per period (the latest approved plan
    by default)."""
    plans, plan = _chosen_plan(request)
    rows = selectors.plan_rows(plan, user=request.user) if plan is not None else []
    staff = policy.is_provider_staff(request.user)
    can_raise = (
        plan is not None
        and staff
        and plan.status == PlanStatus.APPROVED
        and Plan.objects.restrict(request.user, "change").filter(pk=plan.pk).exists()
    )
    for row in rows:
        row.depth = selectors.depth_of(row.objective)  # type: ignore[attr-defined]
        row.scope_label = scope_label(row.objective)  # type: ignore[attr-defined]
    return render(
        request,
        "objectives/dashboard.html",
        {
            "plans": plans,
            "plan": plan,
            "rows": rows,
            "staff": staff,
            "can_raise": can_raise,
            "can_enter": policy.can(request.user, Objective, "change"),
            "chart": _chart(rows),
            "excel_url": f"{reverse('objectives:dashboard_excel')}?plan={plan.pk}" if plan else "",
            "scope_choices": ObjectiveScope,
            "source_choices": ActualSource,
        },
    )


@page(Objective)
def dashboard_excel(request):
    """The dashboard's figures as an Excel sheet: one row per objective and period."""
    _plans, plan = _chosen_plan(request)
    rows = selectors.plan_rows(plan, user=request.user) if plan is not None else []
    headers = [
        _("Objective"),
        _("Scope"),
        _("KPI"),
        _("Unit"),
        _("Direction"),
        _("Period"),
        _("Target"),
        _("Actual"),
        _("Status"),
        _("Source"),
    ]
    data = []
    for row in rows:
        objective = row.objective
        for cell in row.cells:
            data.append(
                (
                    objective.title,
                    scope_label(objective),
                    objective.kpi_name or _("Entered by hand"),
                    unit_symbol(objective.unit) or objective.get_unit_display(),
                    str(Direction(objective.direction).label),
                    cell.period.label,
                    cell.target,
                    cell.actual,
                    cell.status_label,
                    str(ActualSource(cell.source).label),
                )
            )
    year = plan.year if plan is not None else ""
    return file_response(
        xlsx_file(headers, data, sheet_name=_("Objectives")),
        filename=f"objectives-{year}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@require_POST
@page(Plan, action="change")
def raise_misses(request, pk: int):
    """Raise the misses of the plan's closed periods as improvement items now (once each)."""
    plan = get_restricted_or_404(request, Plan, pk, "change", visible_first=True)
    return action_post(
        request,
        lambda: services.raise_misses(plan=plan, by=request.user),
        success=lambda count: _(
            "{count} missed objective periods; each has its improvement item."
        ).format(count=count),
        next_url=_dashboard_url(plan),
        model=Plan,
    )


# --- plans -----------------------------------------------------------------------------------


@page(Plan)
def plan_detail(request, pk: int):
    plan = get_object_or_404(
        Plan.objects.restrict(request.user, "view").select_related("author", "approved_by"),
        pk=pk,
    )
    record = record_context(request, plan)
    transitions = record["transitions"]
    four_eyes = plan.status == PlanStatus.DRAFT and plan.author_id == request.user.pk
    if four_eyes:
        transitions = [t for t in transitions if t.name != "approve"]
    objectives = list(selectors.objectives_for(request.user).filter(plan=plan).order_by("id"))
    rows = [(o, selectors.depth_of(o), scope_label(o)) for o in objectives]
    return render(
        request,
        "objectives/plan_detail.html",
        {
            "plan": plan,
            "can_edit": record["can_change"] and plan.status == PlanStatus.DRAFT,
            "can_add": policy.can(request.user, Objective, "add")
            and plan.status == PlanStatus.DRAFT,
            "transitions": transitions,
            "four_eyes": four_eyes,
            "rows": rows,
            "status_choices": PlanStatus,
            "scope_choices": ObjectiveScope,
            "period_choices": Period,
        },
    )


def _plan_context() -> dict:
    return {"list_url": reverse("objectives:plan_list"), "list_label": _("Objective plans")}


@page(Plan, action="add")
def plan_create(request):
    form = PlanForm(request.POST or None)

    def save():
        data = form.cleaned_data
        return services.create_plan(by=request.user, **{n: data[n] for n in PLAN_FORM_FIELDS})

    return form_page(
        request,
        form,
        save,
        success=_("Objective plan saved."),
        next_url=_plan_url,
        heading=_("New objective plan"),
        cancel_url=reverse("objectives:plan_list"),
        template="objectives/form.html",
        context=_plan_context(),
    )


@page(Plan, action="change")
def plan_edit(request, pk: int):
    plan = get_restricted_or_404(request, Plan, pk, "change", visible_first=True)
    form = PlanEditForm(request.POST or None, instance=plan, initial={"version": plan.version})

    def save():
        save_versioned_edit(
            form,
            model=Plan,
            pk=pk,
            update=services.update_plan,
            by=request.user,
            names=list(PLAN_FORM_FIELDS),
        )

    return form_page(
        request,
        form,
        save,
        success=_("Objective plan saved."),
        next_url=_plan_url(plan),
        heading=_("Edit objective plan: {plan}").format(plan=plan),
        cancel_url=_plan_url(plan),
        template="objectives/form.html",
        context=_plan_context(),
    )


class PlanTransition(StatusTransitionView):
    """Approve (a second person), revise or archive an objective plan."""

    model = Plan
    detail_url_name = "objectives:plan_detail"
    transition = staticmethod(services.move_plan)
    status_choices = PlanStatus

    def base_queryset(self):
        return Plan.objects.all()


plan_transition = PlanTransition.as_view()


# --- objectives ------------------------------------------------------------------------------


@page(Objective, action="add")
def objective_create(request, plan_pk: int):
    plan = get_restricted_or_404(request, Plan, plan_pk, "change", visible_first=True)
    form = ObjectiveForm(request.POST or None, user=request.user, plan=plan)

    def save():
        data = form.cleaned_data
        fields = {name: data[name] for name in OBJECTIVE_FORM_FIELDS}
        fields["kpi_id"] = fields["kpi_id"] or ""
        fields["direction"] = fields["direction"] or None
        fields["period"] = fields["period"] or None
        return services.create_objective(by=request.user, plan=plan, **fields)

    return form_page(
        request,
        form,
        save,
        success=_("Objective saved."),
        next_url=_plan_url(plan),
        heading=_("New objective of {plan}").format(plan=plan),
        cancel_url=_plan_url(plan),
        template="objectives/form.html",
        context={"list_url": _plan_url(plan), "list_label": str(plan)},
    )


@page(Objective, action="change")
def objective_edit(request, pk: int):
    objective = get_restricted_or_404(request, Objective, pk, "change", visible_first=True)
    plan = objective.plan
    form = ObjectiveEditForm(
        request.POST or None,
        instance=objective,
        user=request.user,
        plan=plan,
        initial={"version": objective.version},
    )

    def save():
        save_versioned_edit(
            form,
            model=Objective,
            pk=pk,
            update=services.update_objective,
            by=request.user,
            names=list(OBJECTIVE_FORM_FIELDS),
        )

    return form_page(
        request,
        form,
        save,
        success=_("Objective saved."),
        next_url=_plan_url(plan),
        heading=_("Edit objective: {objective}").format(objective=objective),
        cancel_url=_plan_url(plan),
        template="objectives/form.html",
        context={"list_url": _plan_url(plan), "list_label": str(plan)},
    )


@page(Objective, action="change")
def actual_enter(request, pk: int):
    """Enter the hand-measured actual of an objective for one of its periods."""
    objective = get_restricted_or_404(request, Objective, pk, "change", visible_first=True)
    initial = {}
    if request.GET.get("period"):
        initial["period_start"] = request.GET["period"]
    form = ActualForm(request.POST or None, objective=objective, initial=initial)

    def save():
        data = form.cleaned_data
        return services.enter_actual(
            by=request.user,
            objective=objective,
            period_start=data["period_start"],
            value=data["value"],
            note=data["note"],
        )

    return form_page(
        request,
        form,
        save,
        success=_("Actual saved."),
        next_url=_dashboard_url(objective.plan),
        heading=_("Enter the actual of {objective}").format(objective=objective),
        cancel_url=_dashboard_url(objective.plan),
        template="objectives/form.html",
        context={
            "list_url": _dashboard_url(objective.plan),
            "list_label": _("Objectives dashboard"),
        },
    )
