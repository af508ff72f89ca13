"""Forms of management objectives: the plan, an objective (its KPI chosen from the catalogue's
select, its customer through the type-ahead picker, its department and parent by name) and the
hand-entered actual of a period."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.form_helpers import TablerFormMixin
from itsm.core.forms import VersionedFormMixin
from itsm.core.models import Team
from itsm.core.pickers import PickerField, bind_pickers
from itsm.kpi.choices import Direction, Period
from itsm.kpi.registry import registry
from itsm.objectives import selectors
from itsm.objectives.models import Objective, Plan

PLAN_FORM_FIELDS = ("year", "title", "management_policy", "commitments")
OBJECTIVE_FORM_FIELDS = (
    "title",
    "kpi_id",
    "unit",
    "target",
    "direction",
    "period",
    "scope",
    "team",
    "project",
    "customer",
    "parent",
    "owner",
)


class PlanForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = list(PLAN_FORM_FIELDS)
        widgets = {
            "management_policy": forms.Textarea(attrs={"rows": 3}),
            "commitments": forms.Textarea(attrs={"rows": 6}),
        }


class PlanEditForm(VersionedFormMixin, PlanForm):
    pass


def kpi_choices() -> list[tuple[str, str]]:
    """The catalogue's KPIs by name, after the choice of a figure entered by hand."""
    return [("", str(_("None: entered by hand each period")))] + [
        (kpi.id, str(kpi.name)) for kpi in registry.all()
    ]


class ObjectiveForm(TablerFormMixin, forms.ModelForm):
    kpi_id = forms.ChoiceField(
        label=_("KPI"),
        required=False,
        help_text=_(
            "Its unit is the KPI's; direction and period default to the KPI's. None: the "
            "actual is entered by hand each period (e.g. complaints)."
        ),
    )
    customer = PickerField("core.customer", label=_("customer"), required=False)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), label=_("department"), required=False
    )
    parent = forms.ModelChoiceField(
        queryset=Objective.objects.none(), label=_("decomposes"), required=False
    )
    title = forms.CharField(
        label=_("title"),
        max_length=200,
        required=False,
        help_text=_("Empty: the KPI's name."),
    )
    direction = forms.ChoiceField(
        label=_("direction"),
        required=False,
        choices=[("", _("The KPI's direction")), *Direction.choices],
    )
    period = forms.ChoiceField(
        label=_("period"),
        required=False,
        choices=[("", _("The KPI's period")), *Period.choices],
    )

    class Meta:
        model = Objective
        fields = list(OBJECTIVE_FORM_FIELDS)

    def __init__(self, *args, user, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.plan = plan
        cast(forms.ChoiceField, self.fields["kpi_id"]).choices = kpi_choices()
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.filter(
            is_active=True
        ).order_by("name")
        parents = selectors.objectives_for(user).filter(plan=plan).order_by("id")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents
        bind_pickers(self, user)


class ObjectiveEditForm(VersionedFormMixin, ObjectiveForm):
    pass


class ActualForm(TablerFormMixin, forms.Form):
    period_start = forms.ChoiceField(label=_("period"))
    value = forms.DecimalField(label=_("actual"), max_digits=12, decimal_places=2, min_value=0)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, objective: Objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.objective = objective
        self.periods = selectors.periods_of(objective.period, objective.plan.year)
        cast(forms.ChoiceField, self.fields["period_start"]).choices = [
            (p.start.isoformat(), p.label) for p in self.periods
        ]

    def clean_period_start(self):
        value = self.cleaned_data["period_start"]
        return next(p.start for p in self.periods if p.start.isoformat() == value)
