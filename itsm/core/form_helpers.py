"""Form helpers shared by every app's pages: Tabler styling and domain-error mapping.

They live in ``core`` so that domain apps and core never import from ``itsm.ui``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError

from itsm.core.errors import Conflict, DomainError


def style_form(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget of *form* the Tabler (Bootstrap 5) class it needs."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        existing = widget.attrs.get("class", "")
        if css not in existing.split():
            widget.attrs["class"] = f"{existing} {css}".strip()
    return form


class TablerFormMixin:
    """Mix into a form so its widgets carry Tabler classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


def apply_errors(form: forms.BaseForm, error: Exception) -> None:
    """Put the messages of a service error on *form*: per field where the form has the field,
    otherwise as a form-wide error (``Conflict`` is always form-wide: the user must reload)."""
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
    for name, messages in fields.items():
        target = name if name in form.fields else None
        for message in messages:
            if target is None and name not in (None, NON_FIELD_ERRORS):
                message = f"{name}: {message}"
            form.add_error(target, str(message))
