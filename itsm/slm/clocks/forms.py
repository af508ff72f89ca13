"""Forms of the SLA test ticket pages (validation of the fields; the services do the rest)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.catalog.selectors import all_services
from itsm.core.choices import Priority
from itsm.core.form_helpers import TablerFormMixin, limit_choices
from itsm.slm.choices import AgreementStatus
from itsm.slm.selectors import agreements_for, all_agreements


class TestTicketForm(TablerFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    agreement = forms.ModelChoiceField(label=_("agreement"), queryset=all_agreements().none())
    service = forms.ModelChoiceField(
        label=_("service"), queryset=all_services().none(), required=False
    )
    priority = forms.ChoiceField(label=_("priority"), choices=Priority.choices)
    opened_at = forms.DateTimeField(
        label=_("opened at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now; a time in the past shows warnings and breaches at once."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agreements = agreements_for(user).filter(
            status__in=(AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
        )
        limit_choices(self, "agreement", agreements.select_related("customer").order_by("number"))
        limit_choices(
            self,
            "service",
            all_services().filter(agreements__in=agreements).distinct().order_by("code"),
        )


class PauseForm(TablerFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=200,
        initial=_("Waiting for customer"),
        help_text=_("Why the clocks stop, e.g. waiting for customer."),
    )


class PriorityForm(TablerFormMixin, forms.Form):
    priority = forms.ChoiceField(label=_("priority"), choices=Priority.choices)
