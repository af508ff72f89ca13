"""Forms of availability management: the outage form (service, customer, incident and change
through type-ahead pickers, ``core.pickers``) and the month form of the availability page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.availability.models import Outage
from itsm.core.errors import ValidationFailed
from itsm.core.form_helpers import TablerFormMixin, apply_errors
from itsm.core.forms import VersionedFormMixin
from itsm.core.periods import parse_month
from itsm.core.pickers import PickerField, bind_pickers

OUTAGE_FORM_FIELDS = (
    "service",
    "customer",
    "kind",
    "started_at",
    "ended_at",
    "ticket",
    "change",
    "description",
)


class _OutageFields(TablerFormMixin, forms.ModelForm):
    service = PickerField("catalog.service", label=_("service"))
    customer = PickerField(
        "core.customer",
        label=_("customer"),
        required=False,
        help_text=_("Empty: the outage affects every customer of the service."),
    )
    ticket = PickerField(
        "desk.ticket",
        label=_("incident"),
        required=False,
        help_text=_("The incident that reported the outage (type a number or a summary)."),
    )
    change = PickerField(
        "change.change",
        label=_("change"),
        required=False,
        help_text=_("The change that caused the interruption (for a planned one)."),
    )
    started_at = forms.DateTimeField(label=_("start"))
    ended_at = forms.DateTimeField(
        label=_("end"), required=False, help_text=_("Empty while the outage lasts.")
    )

    class Meta:
        model = Outage
        fields = list(OUTAGE_FORM_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        bind_pickers(self, user)

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("started_at"), data.get("ended_at")
        if start and end and end < start:
            self.add_error("ended_at", _("The end must not be before the start."))
        return data

    def _post_clean(self):
        # the service validates the record (and names the field); the form only collects
        pass


class OutageCreateForm(_OutageFields):
    pass


class OutageEditForm(VersionedFormMixin, _OutageFields):
    pass


class MonthForm(TablerFormMixin, forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": _("YYYY-MM")}),
    )

    def clean(self):
        data = super().clean() or {}
        value = data.get("month")
        if value:
            try:
                data["month_date"] = parse_month("month", value)
            except ValidationFailed as error:
                apply_errors(self, error)
        return data
