"""Forms of the customer portal: the order form of a catalogue item, built from the item's
``form_fields`` in the reader's language (``catalog.orderforms``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.catalog import selectors as catalog
from itsm.core.form_helpers import TablerFormMixin, style_form
from itsm.desk.choices import TaskStatus, Urgency

#: order-form answers are fields ``answer_<name>``, so they never clash with the form's own
PREFIX = "answer_"


def _field(spec: dict) -> forms.Field:
    label = catalog.order_field_label(spec)
    required = bool(spec.get("required"))
    kind = spec["type"]
    common: dict[str, Any] = {"label": label, "required": required}
    if kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)
    if kind == "number":
        return forms.DecimalField(max_digits=30, decimal_places=10, **common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        choices = [(choice, choice) for choice in spec["choices"]]
        return forms.ChoiceField(choices=[("", "---------"), *choices], **common)
    if kind == "yesno":
        choices = [("yes", _("Yes")), ("no", _("No"))]
        return forms.TypedChoiceField(
            choices=choices if required else [("", "---------"), *choices],
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect if required else forms.Select,
            **common,
        )
    return forms.CharField(max_length=500, **common)


class OrderForm(TablerFormMixin, forms.Form):
    """The questions of *item*'s order form, then a free note and the urgency. Provider staff
    ordering for a customer also choose the customer (``customers``: those the item is
    offered to)."""

    def __init__(self, *args, item, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        ordered: dict[str, forms.Field] = {}
        if customers is not None:
            ordered["customer"] = forms.ModelChoiceField(
                label=_("customer"), queryset=customers, empty_label=None
            )
        for spec in item.form_fields or ():
            ordered[PREFIX + spec["name"]] = _field(spec)
        ordered["description"] = forms.CharField(
            label=_("note"),
            required=False,
            max_length=20000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Anything else the service desk should know."),
        )
        ordered["urgency"] = forms.ChoiceField(
            label=_("urgency"), choices=Urgency.choices, initial=Urgency.MEDIUM
        )
        self.fields = ordered
        style_form(self)  # the fields were made after TablerFormMixin styled the form

    def answers(self) -> dict:
        """The answers by field name (for ``ordering.order_item``)."""
        return {
            name[len(PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(PREFIX)
        }

    def error_field(self, name: str) -> str:
        """The service names a wrong answer ``answers.<name>``: it goes on that question."""
        if name.startswith("answers."):
            return PREFIX + name[len("answers.") :]
        return name


class TaskMoveForm(forms.Form):
    """A staff member moves a fulfilment task (done, cancelled, reopened)."""

    to = forms.ChoiceField(choices=TaskStatus.choices)
    version = forms.IntegerField(min_value=1, required=False)
