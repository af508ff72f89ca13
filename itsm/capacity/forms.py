"""Forms of capacity management: CIs, services, changes and metrics through type-ahead pickers
(``core.pickers``), the CSV upload of samples and the forecast's method choice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.capacity.choices import ForecastMethod
from itsm.capacity.models import CapacityPlan, Metric
from itsm.core.form_helpers import TablerFormMixin
from itsm.core.forms import VersionedFormMixin
from itsm.core.pickers import PickerField, PickerMultipleField, bind_pickers

METRIC_FORM_FIELDS = (
    "name",
    "unit",
    "ci",
    "service",
    "key",
    "direction",
    "warning_threshold",
    "critical_threshold",
    "forecast_method",
    "season_days",
    "description",
)
PLAN_FORM_FIELDS = (
    "title",
    "service",
    "period_start",
    "period_end",
    "current_demand",
    "forecast_demand",
    "upgrade_due",
    "upgrade_cost",
    "upgrade_description",
    "changes_effect",
    "changes",
    "metrics",
)
#: the largest CSV file accepted (10 000 rows of a metric key, a time and a value fit easily)
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class MetricForm(TablerFormMixin, forms.ModelForm):
    ci = PickerField(
        "cmdb.ci",
        label=_("configuration item"),
        required=False,
        help_text=_("The CI measured (type its number or name)."),
    )
    service = PickerField(
        "catalog.service",
        label=_("service"),
        required=False,
        help_text=_("The service measured or served (type its code or name)."),
    )

    class Meta:
        model = Metric
        fields = list(METRIC_FORM_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        bind_pickers(self, user)
        self.order_fields(list(METRIC_FORM_FIELDS))


class MetricEditForm(VersionedFormMixin, MetricForm):
    pass


class PlanForm(TablerFormMixin, forms.ModelForm):
    service = PickerField("catalog.service", label=_("service"))
    changes = PickerMultipleField(
        "change.change",
        label=_("planned changes"),
        required=False,
        help_text=_("Changes whose effect on capacity the plan counts (type a number or title)."),
    )
    metrics = PickerMultipleField(
        "capacity.metric",
        label=_("metrics"),
        required=False,
        help_text=_("The metrics the plan watches (type a name)."),
    )

    class Meta:
        model = CapacityPlan
        fields = [f for f in PLAN_FORM_FIELDS if f not in ("changes", "metrics")]
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "current_demand",
                    "forecast_demand",
                    "upgrade_description",
                    "changes_effect",
                )
            },
            **{
                name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                for name in ("period_start", "period_end", "upgrade_due")
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        bind_pickers(self, user)
        if self.instance.pk:
            self.initial["changes"] = list(self.instance.changes.all())
            self.initial["metrics"] = list(self.instance.metrics.all())
        self.order_fields(list(PLAN_FORM_FIELDS))


class PlanEditForm(VersionedFormMixin, PlanForm):
    pass


class UploadForm(TablerFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "A header line, then one sample a line: “at,value” on a metric's page, "
            "“metric,at,value” (the metric's key or id) on the metric list. Times in ISO 8601, "
            "e.g. 2026-11-30T09:00:00+08:00."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than {size} MB.").format(size=MAX_UPLOAD_BYTES // 1048576)
            )
        return upload


class ForecastForm(forms.Form):
    """The method a reader picks on a metric's page (default: the metric's own)."""

    method = forms.ChoiceField(
        label=_("forecast method"), choices=ForecastMethod.choices, required=False
    )
    days = forms.IntegerField(label=_("horizon (days)"), min_value=7, max_value=730, required=False)
