"""The rows of a record list as HTML, in one pass in Python, and the other repeated parts of
the list page: the header cells, the column menu's check boxes, the filter form's fields, and
around them the card itself (:func:`list_card`, ``{% list_card %}`` in ``ui/record_list.html``:
filter form, toolbar, table and pager, which three template includes wrote for ~0.15 ms).

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
from django.utils.translation import gettext_noop

from itsm.core.lists.columns import Column

_CONTEXT = Context(autoescape=True)

#: the words the card writes inside f-strings, named here for makemessages (xgettext does not
#: read inside an f-string); the code translates them with ``_()`` where it writes them
_WORDS = (
    gettext_noop("Filter"),
    gettext_noop("Reset"),
    gettext_noop("First page"),
    gettext_noop("Next page"),
    gettext_noop("Columns"),
    gettext_noop("Apply"),
    gettext_noop("Default columns"),
    gettext_noop("Export CSV"),
    gettext_noop("Export Excel"),
)


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
    raw = column.reader() if type(column).raw is Column.raw else column.raw
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


def _fixed_attributes(column: Column) -> str:
    """``<td …>`` of *column* when its attributes do not depend on the row, else ``""``."""
    if type(column).cell_attrs is not Column.cell_attrs or column.choices is not None:
        return ""
    tail = f' class="{shown(column.css)}"' if column.css else ""
    return f'<td data-column="{shown(column.name)}"{tail}>'


def table_rows(
    rows: Iterable[Any],
    columns: Sequence[Column],
    *,
    row_attrs: Callable[[Any], dict[str, object]],
    row_actions: Callable[[Any], Any],
) -> tuple[SafeString, bool]:
    """The ``<tr>`` elements of *rows* and whether any row has buttons (then every row gets
    a last cell for them, and the header an empty ``<th>``)."""
    # a cell whose attributes are the same on every row (no choice code, no cell_attrs) has
    # its opening tag written once per page
    cells = [(_fixed_attributes(c), _cell_attributes(c), c.cell_renderer()) for c in columns]
    built = []
    any_actions = False
    for row in rows:
        parts = []
        for fixed, attrs, render in cells:
            value = render(row)
            text = value if type(value) is SafeString else shown(value)
            parts.append(f"{fixed}{text}</td>" if fixed else f"<td{attrs(row)}>{text}</td>")
        tds = "".join(parts)
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


def csrf_input(token) -> str:
    """``{% csrf_token %}``: the hidden input with the request's token (the list card's column
    menu, the header's language buttons), nothing without a token."""
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{shown(token)}">'


def _filter_form(context, listing: dict) -> str:
    """What ``{% if filterset %}`` showed: the filter form and the invalid filter's errors."""
    filterset = context.get("filterset")
    if not filterset:
        return ""
    list_sort = context.get("list_sort")
    sort = f'<input type="hidden" name="sort" value="{shown(list_sort)}">' if list_sort else ""
    fields = listing.get("filter_fields", "")
    if callable(fields):
        fields = fields()
    request = context.get("request")
    path = shown(request.path) if request is not None else ""
    form = (
        '<form method="get" class="card-body border-bottom py-3" data-testid="filter-form">\n'
        f"  {sort}\n"
        '  <div class="row g-2 align-items-end">\n'
        f"    {shown(fields)}\n"
        '    <div class="col-auto">\n'
        f'      <button type="submit" class="btn btn-primary">{_("Filter")}</button>\n'
        f'      <a href="{path}" class="btn btn-link">{_("Reset")}</a>\n'
        "    </div>\n"
        "  </div>\n"
        "</form>\n"
    )
    errors = ""
    if filterset.errors:
        # ``{{ errors|join:" " }} `` for each field's errors
        messages = "".join(
            f"{' '.join(shown(error) for error in field_errors)} "
            for field_errors in filterset.errors.values()
        )
        errors = (
            '<div class="card-body text-danger border-bottom" data-testid="filter-errors">'
            f"{messages}</div>"
        )
    return f"{form}\n  {errors}"


def _pager(page) -> str:
    """``ui/_keyset_pager.html``'s links (first page, next page)."""
    if page is None or not (page.next_cursor or not page.first):
        return ""
    links = []
    query = shown(page.query) if page.query else ""
    if not page.first:
        links.append(
            f'<a class="btn btn-outline-secondary" href="?{query}" data-testid="list-first-page">'
            f"{_('First page')}</a>"
        )
    if page.next_cursor:
        after = f"{query}&amp;" if page.query else ""
        links.append(
            f'<a class="btn btn-outline-secondary" href="?{after}cursor={shown(page.next_cursor)}"'
            f' data-testid="list-next-page">{_("Next page")}</a>'
        )
    return f'<div class="card-footer btn-list">{"".join(links)}</div>'


def list_card(context) -> SafeString:
    """The inside of a record list's card (``{% list_card %}`` in ``ui/record_list.html``):
    the filter form with the invalid filter's errors, the toolbar (count, column menu,
    exports), the table and the pager — the markup of the templates it replaces
    (``core/tests/test_list_card.py`` keeps them and compares), written in one pass."""
    listing = context.get("list") or {}
    request = context.get("request")
    full_path = shown(request.get_full_path()) if request is not None else ""
    count = listing.get("count")
    count_text = listing.get("count_text")
    counted = ""
    if count_text:
        capped = ' data-capped="yes"' if getattr(count, "capped", False) else ""
        counted = (
            f'<div class="text-secondary" data-testid="list-count"{capped}>'
            f"{shown(count_text)}</div>"
        )
    export = listing.get("export_query")
    export = f"{shown(export)}&amp;" if export else ""
    body = listing.get("body")
    if body:
        rows = shown(body)
    else:
        headers = listing.get("headers") or ()
        rows = (
            f'\n      <tr><td colspan="{len(headers)}" class="text-secondary">'
            f"{shown(listing.get('empty_text', ''))}</td></tr>\n    "
        )
    actions = "<th></th>" if listing.get("has_actions") else ""
    return SafeString(
        f"{_filter_form(context, listing)}\n"
        "  \n"
        '<div class="card-header py-2" data-testid="list-toolbar">\n'
        f"  {counted}\n"
        '  <div class="ms-auto btn-list">\n'
        '    <div class="dropdown">\n'
        '      <button type="button" class="btn dropdown-toggle" data-bs-toggle="dropdown"'
        ' data-bs-auto-close="outside" aria-expanded="false" data-testid="list-columns-toggle">'
        f"{_('Columns')}</button>\n"
        '      <form method="post" class="dropdown-menu dropdown-menu-end p-3"'
        ' data-testid="list-columns">\n'
        f"        {csrf_input(context.get('csrf_token'))}"
        f'<input type="hidden" name="next" value="{full_path}">\n'
        f"        {shown(listing.get('column_choices', ''))}\n"
        '        <div class="btn-list mt-2">\n'
        '          <button class="btn btn-primary btn-sm" type="submit"'
        f' data-testid="list-columns-apply">{_("Apply")}</button>\n'
        '          <button class="btn btn-sm" type="submit" name="reset" value="1"'
        f' data-testid="list-columns-reset">{_("Default columns")}</button>\n'
        "        </div>\n"
        "      </form>\n"
        "    </div>\n"
        f'    <a class="btn" href="?{export}export=csv" data-testid="list-export-csv">'
        f"{_('Export CSV')}</a>\n"
        f'    <a class="btn" href="?{export}export=xlsx" data-testid="list-export-xlsx">'
        f"{_('Export Excel')}</a>\n"
        "  </div>\n"
        "</div>\n"
        '<div class="table-responsive">\n'
        '  <table class="table card-table table-vcenter"'
        f' data-testid="{shown(listing.get("testid", ""))}">\n'
        "    <thead><tr>\n"
        f"      {shown(listing.get('head', ''))}{actions}\n"
        "    </tr></thead>\n"
        "    <tbody>\n"
        f"    {rows}\n"
        "    </tbody>\n"
        "  </table>\n"
        "</div>\n"
        f"{_pager(context.get('page'))}\n"
        "\n"
    )
