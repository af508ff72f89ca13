"""Type-ahead pickers of related records: one lookup registry, one JSON endpoint, one field.

A domain app declares what can be picked in its ``lookups.py``::

    register_lookup("cmdb.ci", ConfigurationItem, key="number", search=("number", "name"))

A form then uses ``PickerField("cmdb.ci")`` (or ``PickerMultipleField``) and calls
``bind_pickers(form, user)`` in its ``__init__``. The field renders a text input holding the
chosen records' keys (numbers or codes, comma-separated), which works without JavaScript;
``ui/picker.js`` turns it into a Tom Select that searches ``/core/lookup/<name>/?q=`` on
number or name as the user types. The endpoint and the field read the same rows:
``policy.restrict(queryset, user, "view")``, so a record the user may not see is neither
offered nor accepted (an unknown or foreign key is a field error; the rest of the form stays
filled in).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from itsm.core import policy

#: Rows the endpoint returns for one query (the user types more to narrow it down).
LIMIT = 20
#: A query longer than this is cut (no key or name is longer; keeps LIKE patterns small).
MAX_QUERY = 100
#: What separates several keys typed into a picker without JavaScript.
SEPARATORS = re.compile(r"[\s,;，、]+")


@dataclass(frozen=True)
class Lookup:
    """What a picker may choose: rows of *model* (narrowed by *queryset*), found by *key*
    (the value a form submits; *alt_keys* are also accepted when typed) and searched on
    *search*; *label* is the text shown."""

    name: str
    model: type[Model]
    key: str
    search: tuple[str, ...]
    queryset: Callable[[], QuerySet] | None = None
    label: Callable[[Model], str] = str
    order_by: tuple[str, ...] = field(default=())
    alt_keys: tuple[str, ...] = field(default=())

    def rows(self, user) -> QuerySet:
        """The rows *user* may pick (the one policy, ``view``)."""
        base = self.queryset() if self.queryset else self.model._default_manager.all()
        return policy.restrict(base.order_by(*(self.order_by or (self.key,))), user, "view")

    def find(self, user, query: str) -> list[Model]:
        """At most ``LIMIT`` rows whose key or searched fields contain *query*."""
        rows = self.rows(user)
        query = query.strip()[:MAX_QUERY]
        if query:
            condition = Q()
            for name in self.search:
                condition |= Q(**{f"{name}__icontains": query})
            rows = rows.filter(condition)
        return list(rows[:LIMIT])

    def option(self, obj: Model) -> dict:
        return {"value": str(getattr(obj, self.key)), "text": self.label(obj)}

    def url(self) -> str:
        return reverse("core:lookup", args=[self.name])


_LOOKUPS: dict[str, Lookup] = {}
_discovered = False


def register_lookup(name: str, model: type[Model], **options) -> Lookup:
    """Declare a lookup (in an app's ``lookups.py``, which is found automatically)."""
    lookup = Lookup(name=name, model=model, **options)
    _LOOKUPS[name] = lookup
    return lookup


def get_lookup(name: str) -> Lookup:
    """The lookup called *name*; ``KeyError`` when no app declares it."""
    global _discovered
    if name not in _LOOKUPS and not _discovered:
        autodiscover_modules("lookups")
        _discovered = True
    return _LOOKUPS[name]


@login_required
@require_GET
def lookup_view(request, name: str):
    """``GET /core/lookup/<name>/?q=…``: ``{"results": [{"value", "text"}, …]}``, at most
    ``LIMIT`` rows the user may see whose number or name contains ``q``."""
    try:
        lookup = get_lookup(name)
    except KeyError:
        raise Http404 from None
    rows = lookup.find(request.user, request.GET.get("q", ""))
    return JsonResponse({"results": [lookup.option(obj) for obj in rows]})


# --- form fields --------------------------------------------------------------------------


class PickerInput(forms.TextInput):
    """A text input of comma-separated keys; ``ui/picker.js`` makes it a type-ahead."""

    def __init__(self, attrs=None, *, multiple: bool = False):
        super().__init__(attrs)
        self.multiple = multiple

    def get_context(self, name, value, attrs):
        # *value* is what ``PickerMixin.prepare_value`` made: a list of {"value", "text"}
        items = value if isinstance(value, list) else []
        context = super().get_context(name, ", ".join(i["value"] for i in items), attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker"] = "remote"
        widget_attrs["data-picker-items"] = json.dumps(items, ensure_ascii=False)
        widget_attrs["autocomplete"] = "off"
        if self.multiple:
            widget_attrs["data-picker-multiple"] = "true"
        return context

    def format_value(self, value):
        return value if isinstance(value, str) else None


if TYPE_CHECKING:
    _PickerBase = forms.ModelChoiceField[Model]
else:
    _PickerBase = object


class PickerMixin(_PickerBase):
    """Shared by the single and multiple picker fields: keys in, restricted rows out."""

    multiple: ClassVar[bool]
    default_error_messages = {
        "unknown": _("No {model} “{value}” that you may choose: pick one from the list."),
        "too_many": _("Choose one record only."),
    }

    def __init__(self, lookup: str, **kwargs):
        self.lookup_name = lookup
        kwargs.setdefault("widget", PickerInput(multiple=self.multiple))
        super().__init__(queryset=None, **kwargs)

    @property
    def lookup(self) -> Lookup:
        return get_lookup(self.lookup_name)

    def bind(self, user) -> None:
        self.queryset = self.lookup.rows(user)
        self.widget.attrs["data-picker-url"] = self.lookup.url()
        self.widget.attrs.setdefault("placeholder", str(_("Type a number or name…")))

    def _rows(self) -> QuerySet:
        if self.queryset is None:
            raise ImproperlyConfigured(
                f"picker {self.lookup_name!r} is not bound: call bind_pickers(form, user)"
            )
        return self.queryset

    @staticmethod
    def _tokens(value) -> list[str]:
        if value in (None, ""):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        tokens: list[str] = []
        for item in values:
            if isinstance(item, Model):
                item = item.pk
            tokens.extend(t for t in SEPARATORS.split(str(item)) if t)
        return list(dict.fromkeys(tokens))

    def _resolve(self, tokens: list[str]) -> tuple[list[Model], list[str]]:
        """The rows the *tokens* name (a key, or failing that a numeric id), in order, and
        the tokens that name none of the rows the user may pick."""
        if not tokens:
            return [], []
        keys = (self.lookup.key, *self.lookup.alt_keys)
        condition = Q()
        for token in tokens:
            for key in keys:
                condition |= Q(**{f"{key}__iexact": token})
        ids = [int(t) for t in tokens if t.isdigit() and len(t) < 19]
        if ids:
            condition |= Q(pk__in=ids)
        rows = list(self._rows().filter(condition))
        by_key: dict[str, Model] = {}
        for key in reversed(keys):  # the main key wins over an alternative one
            by_key.update({str(getattr(r, key)).casefold(): r for r in rows if getattr(r, key)})
        by_id = {str(r.pk): r for r in rows}
        found: list[Model] = []
        unknown: list[str] = []
        for token in tokens:
            row = by_key.get(token.casefold()) or by_id.get(token)
            if row is not None:
                found.append(row)
            else:
                unknown.append(token)
        return list(dict.fromkeys(found)), unknown

    def _unknown(self, unknown: list[str]) -> forms.ValidationError:
        message = self.error_messages["unknown"].format(
            model=self.lookup.model._meta.verbose_name, value=", ".join(unknown)[:200]
        )
        return forms.ValidationError(message, code="unknown")

    def prepare_value(self, value):
        """Initial rows or ids, or typed keys → ``[{"value", "text"}]`` for the widget (typed
        keys that match nothing stay as typed, so the user sees and can fix them)."""
        values = list(value) if isinstance(value, list | tuple) else [value]
        values = [v for v in values if v not in (None, "")]
        if values and isinstance(values[0], dict):
            return values
        if values and all(isinstance(v, Model | int) for v in values):
            # initial values of a bound instance: rows (many-to-many) or ids (foreign key)
            ids = [v for v in values if isinstance(v, int)]
            rows = [v for v in values if isinstance(v, Model)]
            if ids:
                by_id = self.lookup.model._default_manager.in_bulk(ids)
                rows += [by_id[i] for i in ids if i in by_id]
            return [self.lookup.option(row) for row in rows]
        tokens = self._tokens(values)
        if not tokens or self.queryset is None:
            return [{"value": t, "text": t} for t in tokens]
        found, _unknown = self._resolve(tokens)
        options = {}
        for row in found:
            options[str(getattr(row, self.lookup.key)).casefold()] = self.lookup.option(row)
            options[str(row.pk)] = self.lookup.option(row)
        return [
            options.get(t.casefold()) or options.get(t) or {"value": t, "text": t} for t in tokens
        ]

    def has_changed(self, initial, data):
        initial_keys = {i["value"] for i in self.prepare_value(initial)}
        data_keys = {i["value"] for i in self.prepare_value(data)}
        return initial_keys != data_keys


class PickerField(PickerMixin, forms.ModelChoiceField):
    """One related record, picked by type-ahead (see module docstring)."""

    multiple = False

    def to_python(self, value):
        tokens = self._tokens(value)
        if not tokens:
            return None
        if len(tokens) > 1:
            raise forms.ValidationError(self.error_messages["too_many"], code="too_many")
        found, unknown = self._resolve(tokens)
        if unknown:
            raise self._unknown(unknown)
        return found[0]

    def validate(self, value):
        forms.Field.validate(self, value)


class PickerMultipleField(PickerMixin, forms.ModelMultipleChoiceField):
    """Several related records, picked by type-ahead (see module docstring)."""

    multiple = True

    def clean(self, value):
        tokens = self._tokens(value)
        if not tokens:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return self._rows().none()
        found, unknown = self._resolve(tokens)
        if unknown:
            raise self._unknown(unknown)
        self.run_validators(found)
        return found


def bind_pickers(form: forms.BaseForm, user) -> None:
    """Restrict every picker field of *form* to the rows *user* may see (call in ``__init__``)."""
    for form_field in form.fields.values():
        if isinstance(form_field, PickerMixin):
            form_field.bind(user)
