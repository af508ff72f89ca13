"""The rows of a record list as HTML, in one pass in Python (``ui/_record_table.html`` shows
them with ``{{ list.body }}``), and the other repeated parts of the list page: the header
cells, the column menu's check boxes and the filter form's fields.

A template loop with nested loops over each cell's attributes cost ~9 ms for 50 rows of 8
columns (issue 10 item 2); this writes the same markup — each ``<tr>`` with the row's
attributes, each ``<td data-column="…">`` with the cell's ``data-*`` attributes and the
column's class, the row's buttons in a last cell — at a tenth of that. Values are shown the
way a template shows ``{{ value }}``: local time, localised numbers, escaped unless safe.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.functional import Promise
from django.utils.safestring import SafeData, SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from itsm.core.lists.columns import Column

_CONTEXT = Context(autoescape=True)


#: the characters ``html.escape`` replaces (most texts of a page hold none of them)
_SPECIAL = re.compile(r"[&<>\"']")


def escaped(text: str) -> str:
    """``html.escape(text)``, the text itself when it holds nothing to escape (a search in C
    instead of five replacements)."""
    return html.escape(text) if _SPECIAL.search(text) else text


def shown(value) -> str:
    """*value* as ``{{ value }}`` renders it in an autoescaping template (Django's ``escape``
    is ``html.escape`` behind a lazy-string check that costs more than the escaping)."""
    if type(value) is SafeString:
        return value
    if type(value) is str:
        return escaped(value)
    if isinstance(value, Promise):  # a translated label: what the template does with it
        text = str(value)
        return text if isinstance(text, SafeData) else escaped(text)
    return render_value_in_context(value, _CONTEXT)


def attributes(attrs: dict[str, object]) -> str:
    """`` name="value"`` for each item, as ``{{ name }}="{{ value }}"`` in a template."""
    return "".join(f' {shown(name)}="{shown(value)}"' for name, value in attrs.items())


def _cell_attributes(column: Column) -> Callable[[Any], str]:
    """``row → the <td>'s attributes`` after ``data-column``: the cell's ``data-*`` (a choice
    column's code) and the column's class."""
    head = f' data-column="{shown(column.name)}"'
    tail = f' class="{shown(column.css)}"' if column.css else ""
    if type(column).cell_attrs is not Column.cell_attrs:
        return lambda row: f"{head}{attributes(column.cell_attrs(row))}{tail}"
    if column.choices is None:
        fixed = head + tail
        return lambda row: fixed
    # a choice column's code: the same few codes on every row, each written once per page
    name = shown(f"data-{column.name.replace('_', '-')}")
    raw = column.raw
    written: dict = {}

    def attrs(row) -> str:
        value = raw(row) or ""
        key = (type(value), value)  # True and 1 are equal keys, but written differently
        try:
            return written[key]
        except KeyError:
            text = written[key] = f'{head} {name}="{shown(value)}"{tail}'
            return text
        except TypeError:  # not hashable
            return f'{head} {name}="{shown(value)}"{tail}'

    return attrs


def table_rows(
    rows: Iterable[Any],
    columns: Sequence[Column],
    *,
    row_attrs: Callable[[Any], dict[str, object]],
    row_actions: Callable[[Any], Any],
) -> tuple[SafeString, bool]:
    """The ``<tr>`` elements of *rows* and whether any row has buttons (then every row gets
    a last cell for them, and the header an empty ``<th>``)."""
    cells = [(_cell_attributes(c), c.cell_renderer()) for c in columns]
    built = []
    any_actions = False
    for row in rows:
        tds = "".join(f"<td{attrs(row)}>{shown(render(row))}</td>" for attrs, render in cells)
        actions = row_actions(row)
        any_actions = any_actions or bool(actions)
        built.append((attributes(row_attrs(row)), tds, actions))
    if any_actions:
        lines = [
            f'<tr{attrs}>{tds}<td class="text-end text-nowrap">{shown(actions)}</td></tr>'
            for attrs, tds, actions in built
        ]
    else:
        lines = [f"<tr{attrs}>{tds}</tr>" for attrs, tds, _actions in built]
    return SafeString("\n".join(lines)), any_actions


def head_cells(headers: Iterable[dict]) -> SafeString:
    """The ``<th>`` cells of the list's header (``list.headers``: column, sort_query, sorted)."""
    cells = []
    for header in headers:
        column, query, sorted_ = header["column"], header["sort_query"], header["sorted"]
        name, label = shown(column.name), shown(column.label)
        css = f' class="{shown(column.css)}"' if column.css else ""
        aria = ""
        if sorted_:
            aria = f' aria-sort="{"ascending" if sorted_ == "asc" else "descending"}"'
        if query:
            state = f" {shown(sorted_)}" if sorted_ else ""
            label = (
                f'<a href="?{shown(query)}" class="table-sort{state}"'
                f' data-testid="sort-{name}">{label}</a>'
            )
        cells.append(f'<th data-column="{name}"{css}{aria}>{label}</th>')
    return SafeString("".join(cells))


def column_choices(columns: Iterable[tuple[Column, bool]]) -> SafeString:
    """The check boxes of the column menu (``list.columns``: column, shown)."""
    return SafeString(
        "\n".join(
            '<label class="form-check text-nowrap"><input class="form-check-input"'
            f' type="checkbox" name="columns" value="{shown(column.name)}"'
            f'{" checked" if checked else ""}><span class="form-check-label">'
            f"{shown(column.label)}</span></label>"
            for column, checked in columns
        )
    )


def filter_fields(form) -> SafeString:
    """Each visible field of the list's filter form with its label (the search box is
    labelled "Search"); selects and inputs written by ``widgets.widget_html``, the others
    rendered by the form's renderer."""
    from itsm.core.lists.widgets import widget_html  # widgets imports this module

    search = _("Search")
    parts = []
    for field in form.visible_fields():
        label = search if field.name == "q" else capfirst(field.label)
        parts.append(
            '<div class="col-sm-6 col-md-3">\n'
            f'  <label class="form-label" for="{shown(field.id_for_label)}">'
            f"{shown(label)}</label>\n"
            f"  {widget_html(field)}\n"
            "</div>"
        )
    return SafeString("\n".join(parts))
