"""Column declarations of record lists: what a column shows on the page and in an export.

A list declares its columns once::

    COLUMNS = (
        Column("number", _("Number"), link="cmdb:ci_detail", sort="number"),
        Column("status", _("Status"), choices=CIStatus, sort="status"),
        Column("customer", _("Customer"), value="customer.name", sort="customer__name"),
        Column("identifier", _("Identifier"), visible=False),
    )

``value`` reads the row (a dotted path or a callable); ``sort`` is the ORM expression the
column sorts by (no ``sort``: not sortable); ``visible`` is the default choice of columns;
``staff_only`` columns are never shown to or exported for customers and suppliers.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Expression, Model
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from itsm.core.formatting import date_text, datetime_text
from itsm.core.links import url_parts

EMPTY = mark_safe('<span class="text-secondary">—</span>')


def resolve(row, path: str):
    """``row.a.b`` for the path ``"a.b"``; ``None`` when a step is ``None``."""
    value = row
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value) and not hasattr(value, "all"):
            value = value()
    return value


@dataclass(frozen=True)
class ByLanguage:
    """A sort path that depends on the active language: ``by_language("name_zh", "name_en")``
    sorts names entered in both languages by the one the reader sees."""

    zh: str
    en: str

    def __call__(self) -> str:
        return self.zh if (get_language() or "").startswith("zh") else self.en


def by_language(zh: str, en: str) -> ByLanguage:
    return ByLanguage(zh, en)


def choice_label(choices, value) -> str:
    """The label of *value* in the choices class *choices* (the value itself when it is not
    one of them), found without rebuilding the list of choices as ``choices.choices`` does."""
    try:
        return str(choices(value).label)
    except (ValueError, TypeError):
        return str(value)


def _link_maker(name: str) -> Callable[[Any], str]:
    """``pk → reverse(name, args=[pk])``, HTML-escaped, the URL around the id reversed once
    (``core.links``)."""
    try:
        parts = url_parts(name)
    except NoReverseMatch:
        parts = None
    if parts is None:  # a pattern that does not hold the id verbatim: reverse each
        return lambda pk: reverse(name, args=[pk])
    before, after = html.escape(parts[0]), html.escape(parts[1])
    return lambda pk: f"{before}{pk}{after}"


def _reader(path: str) -> Callable[[Any], Any]:
    """:func:`resolve` for one path, split once."""
    parts = path.split(".")
    if len(parts) == 1:
        (name,) = parts

        def read(row):
            value = getattr(row, name)
            if callable(value) and not hasattr(value, "all"):
                value = value()
            return value

        return read
    if len(parts) == 2:  # a related row's attribute (``ci_class.label``)
        first, second = parts
        # per reader (a page): the attribute of each related row read once — the same few
        # classes or customers on every row of a page, each row's own instance of them
        known: dict = {}

        def read_related(row):
            value = getattr(row, first)
            if callable(value) and not hasattr(value, "all"):
                value = value()
            if value is None:
                return None
            key = (type(value), value.pk) if isinstance(value, Model) else None
            if key is not None and key[1] is not None:
                try:
                    return known[key]
                except KeyError:
                    pass
            related = value
            value = getattr(related, second)
            if callable(value) and not hasattr(value, "all"):
                value = value()
            if key is not None and key[1] is not None:
                known[key] = value
            return value

        return read_related
    return lambda row: resolve(row, path)


@dataclass(frozen=True)
class Column:
    """One column of a record list (see the module docstring)."""

    name: str
    label: Any
    value: str | Callable[[Any], Any] | None = None
    sort: str | Expression | ByLanguage | None = None
    visible: bool = True
    choices: Any = None
    link: str | None = None
    html: Callable[[Any], Any] | None = None
    #: ``() → (row → the cell's HTML)``, called once per page (what ``html`` would work out
    #: on every row — the time, the time zone, formats — worked out once); before ``html``
    renderer: Callable[[], Callable[[Any], Any]] | None = None
    export: Callable[[Any], Any] | None = None
    date_format: str = ""
    staff_only: bool = False
    exportable: bool = True
    css: str = ""

    @property
    def sortable(self) -> bool:
        return self.sort is not None

    def sort_expression(self):
        """The ORM expression to sort by, read per request (see :func:`by_language`)."""
        return self.sort() if isinstance(self.sort, ByLanguage) else self.sort

    def reader(self) -> Callable[[Any], Any]:
        """``row → the row's value`` as :meth:`raw` reads it, the value's path split once and a
        related row's attribute read once per related row: a page asks for it once per
        column."""
        return self.value if callable(self.value) else _reader(self.value or self.name)

    def raw(self, row):
        if callable(self.value):
            return self.value(row)
        return resolve(row, self.value or self.name)

    def export_value(self, row):
        """The cell in a CSV/Excel export: labels, not codes; times stay datetimes (the
        writer puts them in the reader's time zone)."""
        if self.export is not None:
            return self.export(row)
        value = self.raw(row)
        if self.choices is not None and value is not None:
            return choice_label(self.choices, value)
        if _is_many(value):
            return _joined(value)
        if isinstance(value, datetime.datetime | datetime.date | bool | int | float) or (
            value is None
        ):
            return value
        return str(value)

    def cell_attrs(self, row) -> dict[str, object]:
        """``data-*`` attributes of the cell: a choice column carries its code
        (``data-status="active"``), for tests and styles."""
        if self.choices is None:
            return {}
        return {f"data-{self.name.replace('_', '-')}": self.raw(row) or ""}

    def cell_renderer(self) -> Callable[[Any], Any]:
        """``row → the cell's HTML``, the same as :meth:`cell`, with what does not depend on
        the row worked out once per page (choice badges in the active language, the link's
        URL around the id, the value's path, the time zone and date formats): a list page
        asks for it once per column."""
        if self.renderer is not None:
            return self.renderer()
        if self.html is not None:
            return self.html
        value_of = self.reader()
        if self.choices is not None:
            choices = self.choices
            badges: dict = {}

            def badge(row):
                value = value_of(row)
                if value is None or value == "":
                    return EMPTY
                html = badges.get(value)
                if html is None:
                    html = badges[value] = format_html(
                        '<span class="badge bg-{}-lt">{}</span>',
                        choices.colour(value),
                        choice_label(choices, value),
                    )
                return html

            return badge
        text_of = page_text(self.date_format)
        link = _link_maker(self.link) if self.link else None
        # a related row's text once per page: the same few customers, groups and people on
        # every row of a queue, each row holding its own instance of them
        related: dict = {}

        def cell(row):
            value = value_of(row)
            if value is None:
                return EMPTY
            if type(value) is str:
                if not value:
                    return EMPTY
                text = value
            elif isinstance(value, Model) and value.pk is not None:
                key = (type(value), value.pk)
                known = related.get(key)
                if known is None:
                    known = related[key] = text_of(value)
                text = known
            else:
                if value == "":
                    return EMPTY
                text = text_of(value)
            if link is not None:
                shown = html.escape(text) if type(text) is str else conditional_escape(text)
                return SafeString(f'<a href="{link(row.pk)}">{shown}</a>')
            return text

        return cell

    def cell(self, row):
        """The cell's HTML on the page (one row; a page uses :meth:`cell_renderer` once)."""
        return self.cell_renderer()(row)


def display_text(value, date_format: str = "") -> str:
    """A value as page text: times in the reader's zone and the language's named format."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return datetime_text(value, date_format or "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_text(value, date_format or "SHORT_DATE_FORMAT")
    if _is_many(value):
        return _joined(value)
    return str(value)


#: Django's date format characters a page writes itself (:func:`date_formatter`), each as
#: ``django.utils.dateformat`` writes it; any other character of a format is Django's to write
_FIELDS = {
    "Y": "{0.year:04d}",
    "m": "{0.month:02d}",
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "n": "{0.month}",
    "H": "{0.hour:02d}",
    "G": "{0.hour}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}
_TIME_FIELDS = frozenset("HGis")


def date_formatter(name: str, *, dates: bool = False) -> Callable[[Any], str]:
    """``value → text`` as ``django.utils.formats.date_format(value, name)`` writes it in the
    active language, the language's format read once: a format of numbers and literal text
    (``Y-m-d H:i``, ``Y年n月j日``) through one ``str.format`` instead of Django's
    ``DateFormat`` per value (~20 µs: a 50-row page's two date columns took 2 ms); any other
    format — and, for *dates*, one with time fields (Django refuses it) — by Django."""
    pattern = str(get_format(name))
    pieces = dateformat.re_formatchars.split(pattern)
    fields = pieces[1::2]
    if any(f not in _FIELDS for f in fields) or (dates and _TIME_FIELDS.intersection(fields)):
        return lambda value: dateformat.format(value, pattern)
    template = "".join(
        _FIELDS[piece]
        if index % 2
        else dateformat.re_escaped.sub(r"\1", piece).replace("{", "{{").replace("}", "}}")
        for index, piece in enumerate(pieces)
    )
    return template.format


def page_text(date_format: str = "") -> Callable[[Any], str]:
    """:func:`display_text` with the reader's time zone and the language's date formats read
    once — a page's column asks for it once, then calls it per value."""
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    moment = date_formatter(date_format or "SHORT_DATETIME_FORMAT")
    day = date_formatter(date_format or "SHORT_DATE_FORMAT", dates=True)

    def text(value) -> str:
        if isinstance(value, datetime.datetime):
            if zone is not None and value.utcoffset() is not None:
                value = value.astimezone(zone)  # timezone.localtime
            return moment(value)
        if isinstance(value, datetime.date):
            return day(value)
        return display_text(value, date_format)

    return text


def _is_many(value) -> bool:
    """A related manager or a list of values (shown as their names, comma-separated)."""
    return hasattr(value, "all") or isinstance(value, list | tuple)


def _joined(value) -> str:
    items = value.all() if hasattr(value, "all") else value
    return ", ".join(str(item) for item in items)


__all__ = [
    "ByLanguage",
    "Column",
    "by_language",
    "choice_label",
    "date_formatter",
    "display_text",
    "page_text",
    "resolve",
]
