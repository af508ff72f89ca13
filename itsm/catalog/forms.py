"""Forms of the catalogue pages. They validate input; the views hand it to the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.catalog.choices import ServiceMode
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core.calendars.models import BusinessCalendar
from itsm.core.form_helpers import TablerFormMixin, limit_choices
from itsm.core.forms import VersionedFormMixin
from itsm.core.pickers import PickerField, PickerMultipleField, bind_pickers


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
        limit_choices(self, "parent", parents)

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
    customers = PickerMultipleField(
        "core.customer",
        label=_("customers"),
        required=False,
        help_text=_("Organisations whose catalogue shows the service once it is published."),
    )
    owner = PickerField("core.staff", label=_("service owner"), required=False)
    linked_ci_numbers = PickerMultipleField(
        "cmdb.ci",
        label=_("configuration items"),
        required=False,
        help_text=_("Type part of a number or name and pick the configuration items."),
    )
    business_ci = PickerField(
        "cmdb.business_ci",
        label=_("business service CI"),
        required=False,
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
        self.user = user
        limit_choices(self, "category", ServiceCategory.objects.restrict(user).order_by("code"))
        limit_choices(
            self, "service_hours", BusinessCalendar.objects.restrict(user).filter(is_active=True)
        )
        bind_pickers(self, user)
        if self.instance.pk:
            self.initial.setdefault("customers", list(self.instance.customers.all()))
            cis = self.instance.linked_cis.order_by("number")
            self.initial.setdefault("linked_ci_numbers", list(cis))

    def validate_unique(self):
        """Uniqueness is checked by the service, which names the field."""


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
