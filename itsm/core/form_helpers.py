"""Form helpers shared by every app's pages: Tabler styling, input formats and domain-error mapping.

They live in ``core`` so that domain apps and core never import from ``itsm.ui``.

Every form a page shows goes through :func:`style_form` (directly or through
:class:`TablerFormMixin`). Besides the Tabler classes it makes date, time, datetime and number
inputs round-trip in every language: an ``<input type="date">`` only accepts ``2026-12-01``, so
a value rendered in the zh-Hans input format (``2026/12/01``) shows as empty and is saved as
empty. Widgets therefore render ISO values, numbers without localisation, and Django's parsing
accepts the ISO forms in both languages (it appends them to every locale's input formats;
``T`` datetimes go through ``parse_datetime``).

Its bound fields also mark invalid inputs with Bootstrap's ``is-invalid`` (red border);
``ui/_form_errors.html`` lists the errors at the top with links to the fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet

from itsm.core.errors import Conflict, DomainError

#: Formats of the HTML inputs (https://html.spec.whatwg.org/#dates-and-times); never localised.
ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class TablerBoundField(forms.BoundField):
    """A bound field whose widget carries ``is-invalid`` when the field has errors, and which
    names the element an error summary links to (``anchor_id``)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors and not widget.is_hidden:
            classes = (attrs.get("class") or widget.attrs.get("class", "")).split()
            if "is-invalid" not in classes:
                attrs["class"] = " ".join([*classes, "is-invalid"])
        return attrs

    @property
    def anchor_id(self) -> str:
        """The id of the element to focus for this field: the input itself, or the first
        option of a group of checkboxes or radio buttons (whose label has no ``for``)."""
        if self.id_for_label:
            return self.id_for_label
        if self.auto_id and isinstance(
            self.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            return f"{self.auto_id}_0"
        return self.auto_id or ""


class LineFeedTextarea(forms.Textarea):
    """A textarea whose submitted value uses the line endings stored everywhere else (LF):
    browsers send CRLF, so a text saved unchanged would otherwise differ from the stored one."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


def iso_widget(field: forms.Field) -> None:
    """Make *field*'s date, time, datetime or number input render a value the HTML input
    accepts, whatever the active language."""
    widget = field.widget
    if isinstance(field, forms.IntegerField) and type(widget) is forms.TextInput:
        # a localised number field gets a text input (for "1,234"); give it a number input
        widget = forms.NumberInput(attrs=widget.attrs)
        widget.attrs.update(field.widget_attrs(widget))
        field.widget = widget
    if isinstance(widget, forms.DateTimeInput):
        widget.input_type = "datetime-local"
        widget.format = ISO_DATETIME
    elif isinstance(widget, forms.DateInput):
        widget.input_type = "date"
        widget.format = ISO_DATE
    elif isinstance(widget, forms.TimeInput):
        widget.input_type = "time"
        widget.format = ISO_TIME
    elif isinstance(widget, forms.NumberInput):
        field.localize = False  # no thousand separators, "." as decimal point
        widget.is_localized = False


def style_form(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget of *form* the Tabler (Bootstrap 5) class it needs, ISO date/time and
    plain number values, and ``is-invalid`` on invalid fields."""
    form.bound_field_class = TablerBoundField
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        iso_widget(field)
        if type(widget) is forms.Textarea:
            widget.__class__ = LineFeedTextarea
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
            if isinstance(widget, forms.SelectMultiple):
                # a searchable list of chips (ui/picker.js): no Ctrl-click to pick several
                widget.attrs.setdefault("data-picker", "local")
        else:
            css = "form-control"
        existing = widget.attrs.get("class", "")
        if css not in existing.split():
            widget.attrs["class"] = f"{existing} {css}".strip()
    return form


if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class TablerFormMixin(_FormBase):
    """Mix into a form so its widgets carry Tabler classes (see :func:`style_form`)."""

    bound_field_class: type[forms.BoundField] | None = TablerBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


def limit_choices(form: forms.BaseForm, name: str, rows: QuerySet[Model]) -> None:
    """Offer (and accept) only *rows* in the model-choice field *name* of *form*."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model-choice field")
    field.queryset = rows


def apply_errors(form: forms.BaseForm, error: Exception) -> None:
    """Put the messages of a service error on *form*: per field where the form has the field,
    otherwise as a form-wide error (``Conflict`` is always form-wide: the user must reload).

    A form whose fields are named differently from the service's declares
    ``error_field(name) -> form field name`` (e.g. ``attributes.ram`` → ``attr__ram``)."""
    if isinstance(error, Conflict):
        form.add_error(None, str(error.detail))
        for messages in error.fields.values():
            for message in messages:
                form.add_error(None, str(message))
        return
    if isinstance(error, DjangoValidationError):
        fields = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    elif isinstance(error, DomainError):
        fields = error.fields or {None: [str(error.detail)]}
    else:
        raise TypeError(f"not a validation error: {error!r}")
    rename = getattr(form, "error_field", None)
    for name, messages in fields.items():
        if rename is not None and name not in (None, NON_FIELD_ERRORS):
            name = rename(name)
        target = name if name in form.fields else None
        for message in messages:
            if target is None and name not in (None, NON_FIELD_ERRORS):
                message = f"{name}: {message}"
            form.add_error(target, str(message))
