"""Forms of the slm pages. They validate input; the services do the writing."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.cmdb import services as cmdb_services
from itsm.core.choices import OrganisationKind
from itsm.core.errors import ValidationFailed
from itsm.core.form_helpers import TablerFormMixin, limit_choices
from itsm.core.models import Organisation, User
from itsm.core.pickers import PickerField, PickerMultipleField, bind_pickers
from itsm.slm.choices import (
    REVIEW_MACHINE,
    SIGNED_STATES,
    ActionStatus,
    AgreementKind,
    ReviewStatus,
)
from itsm.slm.models import ActionItem, Agreement, Requirement, ReviewMeeting, Target
from itsm.slm.services.agreements import AGREEMENT_FIELDS

DATE = {"type": "date"}


def _reference_field():
    return forms.CharField(
        label=_("authorising change"),
        max_length=40,
        required=False,
        help_text=_("Required to change a signed agreement (e.g. CHG-000042)."),
    )


class _ChangeReferenceCheck:
    """A typed ``change_reference`` must name an approved change in its window (seed 003: a
    signed agreement changes only through such a change; ``cmdb.services.authorised_change``)."""

    def clean_change_reference(self) -> str:
        value = self.cleaned_data.get("change_reference")  # type: ignore[attr-defined]
        try:
            return cmdb_services.authorised_change(value)
        except ValidationFailed as error:
            raise forms.ValidationError(
                [str(m) for messages in (error.fields or {}).values() for m in messages]
            ) from None


class AgreementForm(_ChangeReferenceCheck, TablerFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_reference = _reference_field()
    services = PickerMultipleField(
        "catalog.service",
        label=_("services covered"),
        required=False,
        help_text=_("Type part of a service code or name and pick the services."),
    )
    underpins = PickerMultipleField(
        "slm.sla",
        label=_("supports the SLAs"),
        required=False,
        help_text=_("Type part of an SLA number or title and pick the SLAs."),
    )

    class Meta:
        model = Agreement
        fields = ["kind", *AGREEMENT_FIELDS, "services", "underpins"]
        widgets = {
            "valid_from": forms.DateInput(attrs=DATE),
            "valid_to": forms.DateInput(attrs=DATE),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in AGREEMENT_FIELDS
                if name
                not in (
                    "title",
                    "customer",
                    "team",
                    "supplier",
                    "calendar",
                    "valid_from",
                    "valid_to",
                    "warning_percent",
                    "provider_signatory",
                    "customer_signatory",
                )
            },
        }

    def __init__(self, *args, user=None, **kwargs):
        # without a user the pickers accept nothing (a form rendered only to be read)
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        limit_choices(
            self,
            "customer",
            Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).order_by("name"),
        )
        limit_choices(
            self,
            "supplier",
            Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).order_by("name"),
        )
        if self.instance.pk:
            self.fields.pop("kind")
            if self.instance.kind == AgreementKind.SLA:
                self.fields.pop("underpins")
            if self.instance.status in SIGNED_STATES:
                self.fields["change_reference"].required = True
        else:
            self.fields.pop("change_reference")


class TargetForm(_ChangeReferenceCheck, TablerFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_reference = _reference_field()

    class Meta:
        model = Target
        fields = [
            "service",
            "priority",
            "metric",
            "indicator_kind",
            "name",
            "target_value",
            "unit",
            "measurement_method",
            "frequency",
        ]
        widgets = {"measurement_method": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "service", agreement.services.order_by("code"))
        self.fields["target_value"].help_text = _(
            "Business minutes for response and resolution; percent for availability."
        )
        if agreement.status in SIGNED_STATES:
            self.fields["change_reference"].required = True
        else:
            self.fields.pop("change_reference")


class ReferenceForm(_ChangeReferenceCheck, TablerFormMixin, forms.Form):
    change_reference = _reference_field()


class AgreementTargetsField(forms.ModelMultipleChoiceField):
    """Targets named with their agreement's number (several agreements have the same one)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.agreement.number} · {obj}"


class RequirementForm(TablerFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    service = PickerField("catalog.service", label=_("service"), required=False)

    class Meta:
        model = Requirement
        fields = ["customer", "kind", "service", "title", "description", "targets"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"targets": AgreementTargetsField}

    def __init__(self, *args, user=None, **kwargs):
        # without a user the pickers accept nothing (a form rendered only to be read)
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        limit_choices(
            self,
            "customer",
            Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).order_by("name"),
        )
        limit_choices(
            self,
            "targets",
            Target.objects.filter(agreement__customer__isnull=False).select_related("agreement"),
        )


class ReviewRecordForm(TablerFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReviewMeeting
        fields = [
            "title",
            "due_date",
            "status",
            "held_on",
            "agenda",
            "attendees",
            "external_attendees",
            "minutes",
        ]
        widgets = {
            "due_date": forms.DateInput(attrs=DATE),
            "held_on": forms.DateInput(attrs=DATE),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "external_attendees": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(
            self,
            "attendees",
            User.objects.filter(
                organisation__kind=OrganisationKind.PROVIDER, is_active=True
            ).order_by("username"),
        )
        # the current status and those REVIEW_MACHINE reaches from it
        current = self.instance.status
        reachable = {current} | {
            t.target for t in REVIEW_MACHINE.transitions if t.starts_from(current)
        }
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (value, label) for value, label in ReviewStatus.choices if value in reachable
        ]


class ActionItemForm(TablerFormMixin, forms.ModelForm):
    # shown beside the meeting's own form on the review page: its own ids (id_action-due_date)
    prefix = "action"

    class Meta:
        model = ActionItem
        fields = ["description", "owner", "due_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs=DATE),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(
            self,
            "owner",
            User.objects.filter(
                organisation__kind=OrganisationKind.PROVIDER, is_active=True
            ).order_by("username"),
        )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
