"""Forms of the catalogue pages. They validate input; the views hand it to the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.catalog import orderforms
from itsm.catalog.choices import ServiceMode
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core.calendars.models import BusinessCalendar
from itsm.core.errors import ValidationFailed
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


class _LinesField(forms.CharField):
    """A JSON list of the item edited as lines of text (``catalog.orderforms``): shown
    formatted, read back parsed; unchanged when the parsed lists are equal."""

    widget = forms.Textarea

    def __init__(self, *, parse, format, **kwargs):
        self.parse, self.format = parse, format
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return self.format(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return self.parse(text)
        except ValidationFailed as error:
            raise forms.ValidationError([str(m) for ms in error.fields.values() for m in ms])

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or [])
        except forms.ValidationError:
            return True


class ItemForm(TablerFormMixin, forms.ModelForm):
    form_fields = _LinesField(
        parse=orderforms.parse_form_fields,
        format=orderforms.format_form_fields,
        label=_("order form fields"),
        widget=forms.Textarea(attrs={"rows": 5, "class": "font-monospace"}),
        help_text=_(
            "One field per line: name | 标签 | Label | type | required or optional | "
            "choice1;choice2. Types: text, textarea, number, date, choice, yesno. Example: "
            "cpu | CPU 核数 | CPU cores | number | required"
        ),
    )
    fulfilment_tasks = _LinesField(
        parse=orderforms.parse_fulfilment_tasks,
        format=orderforms.format_fulfilment_tasks,
        label=_("fulfilment tasks"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
        help_text=_(
            "One task per line, in order: title | group code (the group is optional). "
            "Each request of the item gets these tasks."
        ),
    )

    class Meta:
        model = ServiceItem
        fields = ["code", "name", "description", "order", "form_fields", "fulfilment_tasks"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self):
        """Uniqueness is checked by the service, which names the field."""


class ItemEditForm(VersionedFormMixin, ItemForm):
    pass


class TransitionForm(forms.Form):
    to = forms.CharField()
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=2000)
