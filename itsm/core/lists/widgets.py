"""A form renderer that writes the filter form's selects and inputs in Python, and model
choices read in one statement.

Django renders every ``<option>`` of a select through two template includes
(``select_option.html``, ``attrs.html``): ~5 ms for a list's filter form with a few dozen
options, and linear in the options (a customer filter over thousands of organisations). The
list's filter form (``RecordListView``) renders through :data:`LIST_FORM_RENDERER`, which
writes the markup of Django's ``select.html`` and ``input.html`` itself — byte for byte the
same (``core/tests/test_list_rendering.py`` compares them) — and leaves every other widget to
the templates.

The list page's fields do not even go through the renderer: :func:`widget_html` writes a
select's or an input's markup straight from the bound field, without the per-option
dictionaries Django's ``optgroups`` builds for the template (~1 ms a page for the CI list's
seven fields) — for the widgets whose rendering is Django's own, the same bytes.

A model-choice field reads its choices with ``QuerySet.iterator()``: on PostgreSQL a
server-side cursor, four round trips (DECLARE, two FETCHes, CLOSE) for a handful of rows.
:func:`choices_in_one_query` makes a form's model-choice fields read them with one plain
``SELECT`` instead.
"""

from __future__ import annotations

import html

from django.forms import widgets as django_widgets
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

#: the widget methods :func:`widget_html` does the work of (a widget overriding one of them
#: renders through Django)
_RENDER_METHODS = ("render", "_render", "get_context", "build_attrs", "optgroups", "create_option")
_SELECT = {name: getattr(django_widgets.Select, name) for name in _RENDER_METHODS}
_INPUT = {name: getattr(django_widgets.Input, name) for name in _RENDER_METHODS[:4]}
_KINDS: dict[type, str] = {}


def _kind(widget) -> str:
    """How *widget* is written: "select", "input" or "" (by Django)."""
    cls = type(widget)
    kind = _KINDS.get(cls)
    if kind is None:
        kind = ""
        if isinstance(widget, django_widgets.Select) and all(
            getattr(cls, name) is method for name, method in _SELECT.items()
        ):
            kind = "select"
        elif isinstance(widget, django_widgets.Input) and all(
            getattr(cls, name) is method for name, method in _INPUT.items()
        ):
            kind = "input"
        _KINDS[cls] = kind
    if kind and not widget.__dict__.keys().isdisjoint(_RENDER_METHODS):
        return ""  # a method replaced on this widget
    if kind == "select" and (
        widget.template_name != SELECT_TEMPLATE
        or widget.option_template_name != OPTION_TEMPLATE
        or widget.option_inherits_attrs
        or widget.checked_attribute != {"selected": True}
    ):
        return ""
    if kind == "input" and widget.template_name not in INPUT_TEMPLATES:
        return ""
    return kind


def _select_options(widget, value) -> str:
    """``widget.optgroups`` through ``select.html``'s loop, written as it goes."""
    values = widget.format_value(value)  # a list, or a string (NullBooleanSelect): ``in`` as Django
    multiple = widget.allow_multiple_selected
    parts = []
    has_selected = False
    for option_value, option_label in widget.choices:
        if option_value is None:
            option_value = ""
        grouped = isinstance(option_label, list | tuple)
        if grouped and option_value:
            parts.append(f'\n  <optgroup label="{shown(option_value)}">')
        for sub_value, sub_label in option_label if grouped else ((option_value, option_label),):
            selected = (not has_selected or multiple) and str(sub_value) in values
            has_selected |= selected
            parts.append(
                f'\n  <option value="{_formatted(sub_value)}"{" selected" if selected else ""}>'
                f"{shown(sub_label)}</option>\n"
            )
        if grouped and option_value:
            parts.append("\n  </optgroup>")
    return "".join(parts)


def widget_html(field) -> str:
    """``str(field)`` for a bound field of a form rendered by :data:`LIST_FORM_RENDERER`:
    a select or an input written here (what ``BoundField.as_widget`` gives the widget, then
    the widget's context as :class:`ListFormRenderer` writes it), anything else by Django."""
    widget = field.field.widget
    kind = _kind(widget) if isinstance(field.form.renderer, ListFormRenderer) else ""
    if not kind or field.field.show_hidden_initial or field.field.localize:
        return str(field)
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    value = field.value()
    attrs = widget.build_attrs(widget.attrs, attrs)
    name = shown(field.html_name)
    if kind == "input":
        value = widget.format_value(value)
        shown_value = "" if value is None else f' value="{_formatted(value)}"'
        kind = shown(widget.input_type)
        return f'<input type="{kind}" name="{name}"{shown_value}{_attrs(attrs)}>'
    if widget.allow_multiple_selected:
        attrs["multiple"] = True
    options = _select_options(widget, value)
    return f'<select name="{name}"{_attrs(attrs)}>{options}\n</select>'


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
