"""The filter of the KPI page: a month and, for provider staff, a customer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.errors import ValidationFailed
from itsm.core.form_helpers import TablerFormMixin
from itsm.core.models import Organisation
from itsm.kpi import selectors


class KpiFilterForm(TablerFormMixin, forms.Form):
    period = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    customer = forms.CharField(label=_("Customer"), required=False, widget=forms.Select)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if policy.sees_all_tenants(user, Organisation):
            self.fields["customer"].widget.choices = [("", _("All customers"))] + [
                (str(o.pk), o.name) for o in selectors.visible_customers(user).only("id", "name")
            ]
        else:
            self.fields["customer"].widget = forms.HiddenInput()

    def clean_period(self):
        try:
            return selectors.parse_period(self.cleaned_data["period"])
        except ValidationFailed as error:
            raise forms.ValidationError(str(error.detail), code="invalid_month") from None

    def clean_customer(self):
        # NotFound (another customer's id for a customer user) propagates: the view answers 404
        try:
            return selectors.resolve_customer(self.user, self.cleaned_data["customer"])
        except ValidationFailed as error:
            raise forms.ValidationError(error.fields["customer"][0], code="invalid") from None
