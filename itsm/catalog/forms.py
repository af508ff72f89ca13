"""Forms of the catalogue pages. They validate input; the views hand it to the services."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.catalog.choices import ServiceMode
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core.calendars.models import BusinessCalendar
from itsm.core.choices import OrganisationKind
from itsm.core.form_helpers import TablerFormMixin
from itsm.core.forms import VersionedFormMixin
from itsm.core.models import Organisation, User


class CategoryForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceCategory
        fields = ["parent", "code", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": _("Two digits per level: 01 for a top-level category, 01.02 below 01."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        parents = ServiceCategory.objects.restrict(user, "view").order_by("code")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk).exclude(
                code__startswith=self.instance.code + "."
            )
        self.fields["parent"].queryset = parents

    def validate_unique(self):
        """Uniqueness is checked by the service, which names the field."""


class CategoryEditForm(VersionedFormMixin, CategoryForm):
    pass


class ServiceForm(TablerFormMixin, forms.ModelForm):
    modes = forms.MultipleChoiceField(
        label=_("service modes"),
        choices=ServiceMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    customers = forms.ModelMultipleChoiceField(
        label=_("customers"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organisations whose catalogue shows the service once it is published."),
    )
    linked_ci_numbers = forms.CharField(
        label=_("configuration items"),
        required=False,
        help_text=_("CI numbers separated by commas or spaces, e.g. CI-000012, CI-000013."),
    )

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "category",
            "description",
            "owner",
            "modes",
            "service_hours",
            "charging_basis",
            "price",
            "price_note",
            "customers",
            "business_ci",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from itsm.cmdb.models import ConfigurationItem

        self.user = user
        self.fields["category"].queryset = ServiceCategory.objects.restrict(user).order_by("code")
        self.fields["owner"].queryset = (
            User.objects.restrict(user)
            .filter(organisation__kind=OrganisationKind.PROVIDER, is_active=True)
            .order_by("username")
        )
        self.fields["service_hours"].queryset = BusinessCalendar.objects.restrict(user).filter(
            is_active=True
        )
        self.fields["customers"].queryset = (
            Organisation.objects.restrict(user)
            .filter(kind=OrganisationKind.CUSTOMER, is_active=True)
            .order_by("name")
        )
        self.fields["business_ci"].queryset = (
            ConfigurationItem.objects.restrict(user)
            .filter(ci_class__is_business_service=True)
            .order_by("name")
        )
        if self.instance.pk:
            self.initial.setdefault("customers", list(self.instance.customers.all()))
            numbers = self.instance.linked_cis.order_by("number").values_list("number", flat=True)
            self.initial.setdefault("linked_ci_numbers", ", ".join(numbers))

    def validate_unique(self):
        """Uniqueness is checked by the service, which names the field."""

    def clean_linked_ci_numbers(self):
        from itsm.cmdb.models import ConfigurationItem

        numbers = [n for n in re.split(r"[\s,;，]+", self.cleaned_data["linked_ci_numbers"]) if n]
        if not numbers:
            return []
        found = {
            ci.number: ci
            for ci in ConfigurationItem.objects.restrict(self.user).filter(number__in=numbers)
        }
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown configuration item: {numbers}").format(numbers=", ".join(unknown))
            )
        return list(dict.fromkeys(found[n] for n in numbers))


class ServiceEditForm(VersionedFormMixin, ServiceForm):
    pass


class ItemForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = ["code", "name", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self):
        """Uniqueness is checked by the service, which names the field."""


class ItemEditForm(VersionedFormMixin, ItemForm):
    pass


class TransitionForm(forms.Form):
    to = forms.CharField()
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=2000)
