"""A form renderer that writes the filter form's selects and inputs in Python, and model
choices read in one statement.

Django renders every ``<option>`` of a select through two template includes
(``select_option.html``, ``attrs.html``): ~5 ms for a list's filter form with a few dozen
options, and linear in the options (a customer filter over thousands of organisations). The
list's filter form (``RecordListView``) renders through :data:`LIST_FORM_RENDERER`, which
writes the markup of Django's ``select.html`` and ``input.html`` itself — byte for byte the
same (``core/tests/test_list_widgets.py`` compares them) — and leaves every other widget to
the templates.

A model-choice field reads its choices with ``QuerySet.iterator()``: on PostgreSQL a
server-side cursor, four round trips (DECLARE, two FETCHes, CLOSE) for a handful of rows.
:func:`choices_in_one_query` makes a form's model-choice fields read them with one plain
``SELECT`` instead.
"""

from __future__ import annotations

import html

from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeData, SafeString

from itsm.core.lists.choices import model_choices
from itsm.core.lists.rendering import shown

#: Django's input templates that only include ``input.html``
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "search",
        "tel",
        "date",
        "datetime",
        "time",
        "color",
        "hidden",
    )
)
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` in an autoescaping template."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else html.escape(text)


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {shown(name)}")
        else:
            parts.append(f' {shown(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown_value = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{shown(widget["type"])}" name="{shown(widget["name"])}"'
        f"{shown_value}{_attrs(widget['attrs'])}>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION_TEMPLATE:
                return None  # a widget with its own option template: leave it to Django
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts).strip()


class ListFormRenderer(DjangoTemplates):
    """Django's template renderer, except for selects and plain inputs (see the module)."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name == SELECT_TEMPLATE:
                html = _select(widget)
                if html is not None:
                    return SafeString(html)
            elif template_name in INPUT_TEMPLATES:
                return SafeString(_input(widget))
        return super().render(template_name, context, request=request)


LIST_FORM_RENDERER = ListFormRenderer()


class _OneQueryChoices(ModelChoiceIterator):
    """Model choices from one plain ``SELECT`` (the rows kept), not a server-side cursor;
    kept per process while their table is unchanged (``choices.model_choices``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from model_choices(self)


_ONE_QUERY: dict[type, type] = {ModelChoiceIterator: _OneQueryChoices}


def _one_query(iterator: type) -> type:
    made = _ONE_QUERY.get(iterator)
    if made is None:
        # after the field's own iterator (django-filter's adds the "None" choice), before Django's
        made = _ONE_QUERY[iterator] = type(
            f"OneQuery{iterator.__name__}", (iterator, _OneQueryChoices), {}
        )
    return made


def choices_in_one_query(form) -> None:
    """Make *form*'s model-choice fields read their choices in one plain query, kept per
    process while their tables are unchanged (:mod:`itsm.core.lists.choices`)."""
    for field in form.fields.values():
        iterator = getattr(field, "iterator", None)
        if (
            isinstance(iterator, type)
            and issubclass(iterator, ModelChoiceIterator)
            and not issubclass(iterator, _OneQueryChoices)
        ):
            field.iterator = _one_query(iterator)
            field.widget.choices = field.choices
